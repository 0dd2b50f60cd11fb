/// The per-block-size half of the CTPH generator: for each block size
/// 3·2^k (k = 0…30) the digest characters emitted so far, the running piece
/// hash, and the piece hash that stops resetting after 32 characters (the
/// one the second digest part ends with). Only the generator's hot loop
/// updates the piece hashes; it hands them over here at each trigger.
///
/// With the total length known, block sizes are retired earlier than
/// libfuzzy retires them: once a block size at or below the initial guess
/// has 32 characters, `finish` can never pick a smaller one, so those stop
/// being hashed (`lowest`). The output is the same; the hot loop just feeds
/// fewer piece hashes.
struct BlockHashes {
    static let count = 31
    static let digestLength = 64
    /// The FNV offset basis 0x28021967, of which only the low 6 bits count.
    static let pieceHashInit: UInt8 = 0x27
    static let base64: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// libfuzzy's initial guess from the total length, capped at 29.
    let guess: Int
    /// The highest block size that may be started (libfuzzy's bhendlimit).
    let limit: Int
    /// Characters of each block size, 64 a block size.
    var digest = [UInt8](repeating: 0, count: count * digestLength)
    /// Characters emitted by each block size (libfuzzy's dindex), at most 63.
    var length = [Int](repeating: 0, count: count)
    /// Running piece hash of each live block size.
    var piece = [UInt8](repeating: pieceHashInit, count: count)
    /// The truncated second part's piece hash; equals `piece` below 32 characters.
    var halfPiece = [UInt8](repeating: pieceHashInit, count: count)
    /// The second part's last character as of the last trigger, 0 for none.
    var halfDigest = [UInt8](repeating: 0, count: count)
    /// The live block sizes: `lowest...highest`.
    var lowest = 0
    var highest = 0
    /// libfuzzy's `lasth`: the hash of the whole input, once block size 30
    /// has triggered; only an input over 96 GiB can print it.
    var last: UInt8?

    init(guess: Int) {
        self.guess = guess
        self.limit = guess + 1
    }

    /// Block sizes above the lowest with 32 or more characters: their
    /// `halfPiece` differs from `piece` and needs a lane of its own.
    @inline(__always)
    func hasHalfLane(_ k: Int) -> Bool { k > lowest && length[k] >= 32 }

    /// The piece hashes the hot loop updates: one per live block size, then
    /// the separate half hashes, then `last`.
    var laneCount: Int {
        var n = highest - lowest + 1
        for k in lowest...highest where hasHalfLane(k) { n += 1 }
        return last == nil ? n : n + 1
    }

    func lanes<V: SIMD>(_: V.Type) -> V where V.Scalar == UInt16 {
        var v = V()
        var j = 0
        for k in lowest...highest {
            v[j] = UInt16(piece[k])
            j += 1
        }
        for k in lowest...highest where hasHalfLane(k) {
            v[j] = UInt16(halfPiece[k])
            j += 1
        }
        if let last { v[j] = UInt16(last) }
        return v
    }

    mutating func store<V: SIMD>(_ v: V) where V.Scalar == UInt16 {
        var j = 0
        for k in lowest...highest {
            piece[k] = UInt8(truncatingIfNeeded: v[j] & 63)
            j += 1
        }
        for k in lowest...highest where hasHalfLane(k) {
            halfPiece[k] = UInt8(truncatingIfNeeded: v[j] & 63)
            j += 1
        }
        if last != nil { last = UInt8(truncatingIfNeeded: v[j] & 63) }
    }

    /// The rolling hash hit a trigger point of block size `lowest`; `quotient`
    /// is the rolling hash + 1 divided by 3, whose trailing zero bits say
    /// which larger block sizes trigger too.
    mutating func trigger(quotient: UInt32) {
        var k = lowest
        while true {
            if length[k] == 0 { startNext() }
            let n = length[k]
            digest[k * Self.digestLength + n] = Self.base64[Int(piece[k])]
            halfDigest[k] = Self.base64[Int(n < 32 ? piece[k] : halfPiece[k])]
            // At 63 characters the last one keeps absorbing the rest of the input.
            if n < Self.digestLength - 1 {
                length[k] = n + 1
                if n + 1 < 32 {
                    halfDigest[k] = 0
                } else if n + 1 == 32 {
                    halfPiece[k] = piece[k]
                }
                piece[k] = Self.pieceHashInit
            }
            if (quotient >> UInt32(k)) & 1 != 0 { break }
            k += 1
            if k > highest { break }
        }
        var candidate = min(guess, highest)
        while candidate > lowest {
            if length[candidate] >= 32 {
                lowest = candidate
                break
            }
            candidate -= 1
        }
    }

    /// The first trigger of the highest block size starts the next one with
    /// its piece hash (libfuzzy's fuzzy_try_fork_blockhash).
    private mutating func startNext() {
        if highest + 1 <= limit {
            highest += 1
            piece[highest] = piece[highest - 1]
            halfPiece[highest] = piece[highest - 1]
        } else if highest + 1 == Self.count && last == nil {
            last = piece[highest]
        }
    }
}
