import ProcWardenKit

/// Digests the same bytes with `NativeFuzzy` and with libfuzzy (`LibFuzzy`,
/// the oracle), both through the `FuzzyHashing` seam the daemon uses.
public enum IdentityCheck {
    /// What differed: the oracle's digest and the native one.
    public struct Mismatch: Error, CustomStringConvertible {
        public var expected: String?
        public var actual: String?
        public var chunkSize: Int
        public var description: String {
            "libfuzzy \(expected ?? "failed"), native \(actual ?? "failed") (buffers of \(chunkSize) bytes)"
        }
    }

    /// The digest of `bytes` fed in buffers of `chunkSize`.
    public static func digest(_ engine: any FuzzyHashing, _ bytes: UnsafeRawBufferPointer, chunkSize: Int) -> String? {
        guard let state = engine.start(totalLength: UInt64(bytes.count)) else { return nil }
        var offset = 0
        while offset < bytes.count {
            let n = min(chunkSize, bytes.count - offset)
            guard state.update(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])) else { return nil }
            offset += n
        }
        return state.finish()
    }

    /// libfuzzy's digest in one buffer against the native one in buffers of
    /// each of `chunkSizes`; the first disagreement, or nil.
    public static func compare(_ bytes: UnsafeRawBufferPointer, chunkSizes: [Int] = [1 << 20]) -> Mismatch? {
        let expected = digest(LibFuzzy(), bytes, chunkSize: max(1, bytes.count))
        for chunkSize in chunkSizes {
            let actual = digest(NativeFuzzy(), bytes, chunkSize: chunkSize)
            if actual != expected || expected == nil {
                return Mismatch(expected: expected, actual: actual, chunkSize: chunkSize)
            }
        }
        return nil
    }

    public static func compare(_ bytes: [UInt8], chunkSizes: [Int] = [1 << 20]) -> Mismatch? {
        bytes.withUnsafeBytes { compare($0, chunkSizes: chunkSizes) }
    }
}
