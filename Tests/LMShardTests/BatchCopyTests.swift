import CBatchCopy
import Testing

@testable import LMShard

/// The SIMD copy kernels behind `fillBatch` give exactly the scalar results
/// for every instruction set this CPU has, at every length and alignment
/// (vector bodies, scalar heads before an aligned store, scalar tails), and
/// write nothing outside the destination range.
@Suite(.serialized) struct BatchCopyTests {
    static let variants = ["baseline", "avx2", "avx512"]

    /// Runs `body` with each kernel variant this CPU supports, then restores the best.
    func forEachVariant(_ body: (String) -> Void) {
        defer { _ = lmshard_batch_copy_use(nil) }
        for isa in Self.variants where lmshard_batch_copy_use(isa) == 1 {
            #expect(String(cString: lmshard_batch_copy_isa()) == isa)
            body(isa)
        }
    }

    @Test func widenMatchesScalarAtEveryLengthAndAlignment() {
        var rng = SplitMix64(seed: 7)
        let src: [UInt16] = (0..<1100).map { i in i % 5 == 0 ? 0xFFFF : UInt16(truncatingIfNeeded: rng.next()) }
        let lengths = Array(0...70) + [127, 128, 129, 1024, 1037]
        forEachVariant { isa in
            for n in lengths {
                for srcOffset in 0..<3 {
                    for dstOffset in 0..<17 {
                        var dst = [UInt32](repeating: 0xDEAD_BEEF, count: n + dstOffset + 8)
                        src.withUnsafeBufferPointer { s in
                            dst.withUnsafeMutableBufferPointer { d in
                                lmshard_widen_u16_u32(s.baseAddress! + srcOffset, d.baseAddress! + dstOffset, n)
                            }
                        }
                        let expected = [UInt32](repeating: 0xDEAD_BEEF, count: dstOffset)
                            + src[srcOffset..<(srcOffset + n)].map(UInt32.init)
                            + [UInt32](repeating: 0xDEAD_BEEF, count: 8)
                        #expect(dst == expected, "\(isa) n=\(n) src+\(srcOffset) dst+\(dstOffset)")
                    }
                }
            }
        }
    }

    @Test func nonzeroMatchesScalarAtEveryLengthAndAlignment() {
        var rng = SplitMix64(seed: 11)
        let src: [UInt8] = (0..<1200).map { _ in
            let r = rng.next()
            return r % 3 == 0 ? 0 : UInt8(truncatingIfNeeded: r >> 8) | (r % 7 == 0 ? 0x80 : 0)
        }
        let lengths = Array(0...140) + [255, 256, 257, 1025]
        forEachVariant { isa in
            for n in lengths {
                for dstOffset in 0..<65 where dstOffset % 7 == 0 || dstOffset == 64 || n < 70 {
                    var dst = [UInt8](repeating: 0xAA, count: n + dstOffset + 8)
                    src.withUnsafeBufferPointer { s in
                        dst.withUnsafeMutableBufferPointer { d in
                            lmshard_nonzero_u8(s.baseAddress! + 1, d.baseAddress! + dstOffset, n)
                        }
                    }
                    let expected = [UInt8](repeating: 0xAA, count: dstOffset)
                        + src[1..<(1 + n)].map { $0 != 0 ? 1 : 0 }
                        + [UInt8](repeating: 0xAA, count: 8)
                    #expect(dst == expected, "\(isa) n=\(n) dst+\(dstOffset)")
                }
            }
        }
    }

    @Test func unknownVariantIsRefused() {
        #expect(lmshard_batch_copy_use("sse9") == 0)
        #expect(Self.variants.contains(String(cString: lmshard_batch_copy_isa())))
    }
}
