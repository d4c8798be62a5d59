/// Where one shuffle partition's reduce outputs go when a job writes them
/// itself (`LocalRunner.run(_:input:prepare:sinks:)`): the runner makes one
/// sink per partition and calls it only from the worker reducing that
/// partition, so a sink needs no locking of its own.
public protocol PartitionSink<Output>: AnyObject {
    associatedtype Output
    /// One output of `reduce`, in key order, then emit order within a group.
    func write(_ output: Output) throws
    /// The partition is fully reduced; close what is open. Not called when
    /// the run fails.
    func finish() throws
}
