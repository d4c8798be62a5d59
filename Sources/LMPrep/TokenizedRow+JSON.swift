import LMJSON

/// The JSON row form of a `TokenizedRow`, as the notebook's rows print:
/// `{"input_ids": [...], "position_ids": [...], "loss_mask": [true, ...]}`.
extension TokenizedRow {
    /// The row as a JSON object with keys `input_ids`, `position_ids`, `loss_mask`
    /// in that order. O(n).
    public var jsonValue: JSONValue {
        .object(
            JSONObject([
                ("input_ids", .array(inputIds.map { .int(Int64($0)) })),
                ("position_ids", .array(positionIds.map { .int(Int64($0)) })),
                ("loss_mask", .array(lossMask.map { .bool($0) })),
            ]))
    }

    /// Reads a row written by `jsonValue`.
    ///
    /// - Throws: `PrepError.missingField` / `.wrongFieldType` naming the field:
    ///   `input_ids[3]` for a bad element, `position_ids` or `loss_mask` when
    ///   its length differs from `input_ids`'.
    public init(json: JSONValue) throws {
        let object = try RowFields.object(json)
        let ids = try Self.uint32s(RowFields.array(object, "input_ids"), field: "input_ids")
        let positions = try Self.uint32s(RowFields.array(object, "position_ids"), field: "position_ids")
        let mask = try RowFields.array(object, "loss_mask").enumerated().map { i, v -> Bool in
            guard case let .bool(b) = v else {
                throw PrepError.wrongFieldType(field: "loss_mask[\(i)]", expected: "a boolean", found: v.typeName)
            }
            return b
        }
        guard positions.count == ids.count else {
            throw PrepError.wrongFieldType(
                field: "position_ids", expected: "\(ids.count) items like input_ids", found: "\(positions.count)")
        }
        guard mask.count == ids.count else {
            throw PrepError.wrongFieldType(
                field: "loss_mask", expected: "\(ids.count) items like input_ids", found: "\(mask.count)")
        }
        self.init(inputIds: ids, positionIds: positions, lossMask: mask)
    }

    private static func uint32s(_ values: [JSONValue], field: String) throws -> [UInt32] {
        try values.enumerated().map { i, v in
            guard case let .int(x) = v, let id = UInt32(exactly: x) else {
                throw PrepError.wrongFieldType(
                    field: "\(field)[\(i)]", expected: "an integer in 0...\(UInt32.max)", found: "\(v)")
            }
            return id
        }
    }
}
