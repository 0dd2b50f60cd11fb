/// ssdeep's rolling hash over the last 7 bytes (after spamsum's): h1 the
/// sum of the window, h2 the sum weighted 7…1 newest first, h3 a shift/xor
/// hash of which only the last 7 bytes survive the 32-bit shifts. Kept as
/// h1 + h2 + 1 so the trigger test needs one add.
struct RollingHash {
    static let window = 7

    /// h1 + h2 + 1.
    private var weightedPlusOne: UInt32 = 1
    private var h1: UInt32 = 0
    private var h3: UInt32 = 0
    /// The last 7 bytes, oldest in the high byte, for the next buffer.
    private var recent: UInt64 = 0

    /// h1 + h2 + h3, the value libfuzzy's digest tests against 0.
    var sum: UInt32 { weightedPlusOne &- 1 &+ h3 }

    /// Adds `c`, drops `out` (the byte 7 positions back) and returns sum + 1.
    @inline(__always)
    mutating func roll(in c: UInt8, out: UInt8) -> UInt32 {
        let c = UInt32(c)
        let out = UInt32(out)
        // h2 loses h1 (every weight drops by one) and gains 7c; h1 gains c
        // and loses `out`.
        weightedPlusOne = weightedPlusOne &- h1 &+ (c &<< 3) &- out
        h1 = h1 &+ c &- out
        h3 = (h3 &<< 5) ^ c
        return weightedPlusOne &+ h3
    }

    func copyWindow(to stage: UnsafeMutableBufferPointer<UInt8>) {
        for j in 0..<Self.window {
            stage[j] = UInt8(truncatingIfNeeded: recent >> UInt64(8 * (Self.window - 1 - j)))
        }
    }

    /// Remembers the 7 bytes at `bytes` as the window's contents.
    mutating func keepWindow(from bytes: UnsafePointer<UInt8>) {
        var w: UInt64 = 0
        for j in 0..<Self.window { w = (w << 8) | UInt64(bytes[j]) }
        recent = w
    }
}
