/// Reproducible pseudo-random content (xorshift64*), so digests of generated
/// files are the same on every run, and not all-zero, which would make the
/// ssdeep comparison trivial.
public enum DeterministicBytes {
    public static func make(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var i = 0
            while i < count {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                var word = state &* 0x2545_F491_4F6C_DD1D
                // Runs of text-like bytes every few KiB give ssdeep's rolling
                // hash structure to find, as in a real binary.
                let n = min(8, count - i)
                for k in 0..<n {
                    buffer[i + k] =
                        (i >> 12) & 1 == 0
                        ? UInt8(truncatingIfNeeded: word) : 0x61 + UInt8(truncatingIfNeeded: word) % 26
                    word >>= 8
                }
                i += n
            }
            initialized = count
        }
    }
}
