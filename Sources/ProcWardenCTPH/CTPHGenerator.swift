/// A native CTPH (ssdeep) generator whose digests are byte-identical to
/// libfuzzy 2.14's `fuzzy_digest(state, result, 0)` after
/// `fuzzy_set_total_input_length`: the same streaming interface (start with
/// the total length, feed buffers, finish), without libfuzzy.
///
/// Single-threaded and allocation-free per byte. The hot loop keeps the
/// rolling hash in registers and updates the 6-bit piece hashes of every
/// live block size at once, one vector lane each; it leaves the loop only at
/// a trigger point of the lowest live block size.
public struct CTPHGenerator: ~Copyable {
    /// libfuzzy's SSDEEP_TOTAL_SIZE_MAX: 3·2^30 · 64 bytes (192 GiB).
    public static let maximumTotalLength: UInt64 = (UInt64(3) << 30) * 64

    private let totalLength: UInt64
    private var fed: UInt64 = 0
    private var blocks: BlockHashes
    private var roll = RollingHash()

    /// Starts a digest of exactly `totalLength` bytes; nil above
    /// `maximumTotalLength`, as libfuzzy refuses it.
    public init?(totalLength: UInt64) {
        guard totalLength <= Self.maximumTotalLength else { return nil }
        self.totalLength = totalLength
        var guess = 0
        while (UInt64(3) << UInt64(guess)) * UInt64(BlockHashes.digestLength) < totalLength {
            guess += 1
            if guess == BlockHashes.count - 2 { break }
        }
        blocks = BlockHashes(guess: guess)
    }

    /// Feeds the next bytes of the input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let raw = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        fed &+= UInt64(n)
        let p = raw.assumingMemoryBound(to: UInt8.self)
        // The first 7 bytes drop bytes of the previous buffer out of the
        // rolling window: run them from a staging copy with those in front.
        let head = min(n, RollingHash.window)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * RollingHash.window) { stage in
            roll.copyWindow(to: stage)
            for j in 0..<head { stage[RollingHash.window + j] = p[j] }
            let base = UnsafePointer(stage.baseAddress!)
            run(base, from: RollingHash.window, to: RollingHash.window + head)
            roll.keepWindow(from: base + head)
        }
        if n > RollingHash.window {
            run(p, from: RollingHash.window, to: n)
            roll.keepWindow(from: p + (n - RollingHash.window))
        }
    }

    /// The digest, or nil when the bytes fed differ from the total length
    /// (libfuzzy's EINVAL).
    public func finish() -> String? {
        guard fed == totalLength else { return nil }
        return blocks.digestString(totalLength: totalLength, rollingSum: roll.sum)
    }

    /// Bytes `start..<end` of `base`; `base[start - 7]` must be readable.
    private mutating func run(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) {
        var i = start
        while i < end {
            let lanes = blocks.laneCount
            if lanes <= 8 {
                i = runUntilTrigger(base, from: i, to: end, SIMD8<UInt16>.self)
            } else if lanes <= 16 {
                i = runUntilTrigger(base, from: i, to: end, SIMD16<UInt16>.self)
            } else {
                i = runUntilTrigger(base, from: i, to: end, SIMD32<UInt16>.self)
            }
        }
    }

    /// The hot loop: up to and including the next trigger point of the
    /// lowest live block size that changes which piece hashes are live, whose
    /// bookkeeping it then does. Returns the index after the last byte consumed.
    ///
    /// A piece hash step is FNV's `h * 0x01000193 ^ c` of which 6 bits are
    /// kept; those depend only on the low 6 bits of `h` and of the prime
    /// (19), so 16-bit lanes multiply by 19 without any table.
    private mutating func runUntilTrigger<V: SIMD>(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, _: V.Type
    ) -> Int where V.Scalar == UInt16 {
        var lanes = blocks.lanes(V.self)
        var r = roll
        // A trigger of block size 3·2^k needs sum + 1 ≡ 0 (mod 3·2^k): test
        // the low k bits first, the modulo only when they are zero.
        let shift = UInt32(blocks.lowest)
        let mask: UInt32 = (1 << shift) &- 1
        var trigger: UInt32 = 0
        @inline(__always) func step(_ i: Int) -> Bool {
            let c = base[i]
            let sumPlusOne = r.roll(in: c, out: base[i &- RollingHash.window])
            lanes = (lanes &* 19) ^ V(repeating: UInt16(c))
            if _slowPath(sumPlusOne & mask == 0) {
                if sumPlusOne != 0 && (sumPlusOne >> shift) % 3 == 0 {
                    trigger = sumPlusOne
                    return true
                }
            }
            return false
        }
        // Most triggers are handled in place; the loop stops for one that
        // changes which piece hashes are live.
        var i = start
        var relayout = false
        while i &+ 4 <= end {
            if step(i) && !blocks.triggerInPlace(&lanes, quotient: trigger / 3) {
                i &+= 1
                relayout = true
                break
            }
            if step(i &+ 1) && !blocks.triggerInPlace(&lanes, quotient: trigger / 3) {
                i &+= 2
                relayout = true
                break
            }
            if step(i &+ 2) && !blocks.triggerInPlace(&lanes, quotient: trigger / 3) {
                i &+= 3
                relayout = true
                break
            }
            if step(i &+ 3) && !blocks.triggerInPlace(&lanes, quotient: trigger / 3) {
                i &+= 4
                relayout = true
                break
            }
            i &+= 4
        }
        if !relayout {
            while i < end {
                relayout = step(i) && !blocks.triggerInPlace(&lanes, quotient: trigger / 3)
                i &+= 1
                if relayout { break }
            }
        }
        roll = r
        blocks.store(lanes)
        if relayout { blocks.trigger(quotient: trigger / 3) }
        return i
    }
}
