/// One input of the native-vs-libfuzzy identity checks, reproducible from
/// its seed: a length and a kind of content. A mismatch names it by both.
public struct IdentityInput: Sendable, CustomStringConvertible {
    public enum Kind: Int, Sendable, CaseIterable {
        /// Uniformly random bytes.
        case random
        /// Bytes from a 3-letter alphabet: the rolling hash repeats, and
        /// triggers come in bursts or not at all.
        case lowEntropy
        /// Random stretches between runs of zeros, as in executables.
        case sparse
        /// All zeros.
        case zeros
        /// All 0xff.
        case ones
        /// A random pattern of 1 to 16 bytes, repeated.
        case pattern
        /// Zeros around one 7-byte window that triggers every block size up
        /// to 3·2^20 at once: they all start and none ever fills, so up to
        /// 22 piece hashes stay live (the engine's widest lanes).
        case triggerBurst
    }

    public var seed: UInt64
    public var length: Int
    public var kind: Kind

    public init(seed: UInt64, length: Int, kind: Kind) {
        self.seed = seed
        self.length = length
        self.kind = kind
    }

    public var description: String { "seed \(seed), length \(length), \(kind)" }

    public func bytes() -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8](repeating: 0, count: length)
        out.withUnsafeMutableBufferPointer { b in
            switch kind {
            case .random:
                rng.fill(b)
            case .lowEntropy:
                rng.fill(b)
                for i in b.indices { b[i] = UInt8(ascii: "a") + b[i] % 3 }
            case .sparse:
                rng.fill(b)
                let period = Int(rng.next() % 4000) + 64
                for i in b.indices where i % period < period / 2 { b[i] = 0 }
            case .zeros:
                break
            case .ones:
                for i in b.indices { b[i] = 0xff }
            case .pattern:
                var pattern = [UInt8](repeating: 0, count: Int(rng.next() % 16) + 1)
                for j in pattern.indices { pattern[j] = UInt8(truncatingIfNeeded: rng.next()) }
                for i in b.indices { b[i] = pattern[i % pattern.count] }
            case .triggerBurst:
                guard b.count >= 7 else { break }
                let window = Self.burstWindow(&rng)
                let offset = Int(rng.next() % UInt64(b.count - 6))
                for j in 0..<7 { b[offset + j] = window[j] }
            }
        }
        return out
    }

    /// Random 7-byte windows until one's rolling hash + 1 is a multiple of
    /// 3·2^20 (about 3 million tries).
    static func burstWindow(_ rng: inout SplitMix64) -> [UInt8] {
        var window = [UInt8](repeating: 0, count: 7)
        while true {
            var word = rng.next()
            for j in 0..<7 {
                window[j] = UInt8(truncatingIfNeeded: word)
                word >>= 8
            }
            var h1: UInt32 = 0
            var h2: UInt32 = 0
            var h3: UInt32 = 0
            for (j, byte) in window.enumerated() {
                h1 &+= UInt32(byte)
                h2 &+= UInt32(j + 1) &* UInt32(byte)
                h3 = (h3 &<< 5) ^ UInt32(byte)
            }
            let sumPlusOne = h1 &+ h2 &+ h3 &+ 1
            if sumPlusOne != 0 && sumPlusOne % (3 << 20) == 0 { return window }
        }
    }

    /// Lengths where the digest's rules change: the tiny ones, the rolling
    /// window, the block-size boundaries 3·2^k·64 and powers of two, each ± 1.
    public static func edgeLengths(upTo maximum: Int) -> [Int] {
        var lengths: Set<Int> = [0, 1, 2, 3, 6, 7, 8, 63, 64, 65, 191, 192, 193]
        var k = 0
        while (3 << k) * 64 <= maximum + 1 || 1 << k <= maximum + 1 {
            for base in [(3 << k) * 64, 1 << k] {
                for length in [base - 1, base, base + 1] where length >= 0 && length <= maximum {
                    lengths.insert(length)
                }
            }
            k += 1
        }
        return lengths.sorted()
    }

    /// `count` inputs from `seed`, lengths 0…`maximumLength`: a quarter at the
    /// edge lengths, a quarter under 8 KiB, the rest uniform; mostly random
    /// content, one in four of the structured kinds.
    public static func sample(count: Int, maximumLength: Int, seed: UInt64) -> [IdentityInput] {
        var rng = SplitMix64(seed: seed)
        let edges = edgeLengths(upTo: maximumLength)
        return (0..<count).map { index in
            let length: Int
            switch index % 4 {
            case 0: length = edges[Int(rng.next() % UInt64(edges.count))]
            case 1: length = Int(rng.next() % UInt64(min(8192, maximumLength) + 1))
            default: length = Int(rng.next() % UInt64(maximumLength + 1))
            }
            let kinds = Kind.allCases
            let kind = rng.next() % 4 == 0 ? kinds[Int(rng.next() % UInt64(kinds.count))] : .random
            return IdentityInput(seed: seed &+ UInt64(index) &* 0x9E37_79B9, length: length, kind: kind)
        }
    }
}
