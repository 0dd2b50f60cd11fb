/// SplitMix64: a small, fast, seeded generator, so an input is reproduced
/// from its seed alone.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        var i = 0
        while i + 8 <= buffer.count {
            var word = next()
            for j in 0..<8 {
                buffer[i + j] = UInt8(truncatingIfNeeded: word)
                word >>= 8
            }
            i += 8
        }
        var word = next()
        while i < buffer.count {
            buffer[i] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            i += 1
        }
    }
}
