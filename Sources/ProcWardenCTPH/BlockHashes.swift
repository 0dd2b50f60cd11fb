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
///
/// The state lives in one allocation (`BlockStorage`), so the trigger path
/// pays no copy-on-write checks; the generator that owns it is noncopyable.
struct BlockHashes: ~Copyable {
    static let count = 31
    static let digestLength = 64
    /// The FNV offset basis 0x28021967, of which only the low 6 bits count.
    static let pieceHashInit: UInt8 = 0x27
    /// A StaticString, not an array: a lookup is a load, with no reference
    /// counting in the trigger path.
    static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// The base64 character of a 6-bit piece hash.
    @inline(__always)
    static func base64(_ value: Int) -> UInt8 { alphabet.utf8Start[value & 63] }

    /// libfuzzy's initial guess from the total length, capped at 29.
    let guess: Int
    /// The highest block size that may be started (libfuzzy's bhendlimit).
    let limit: Int
    private let storage = BlockStorage()
    /// Characters of each block size, 64 a block size.
    var digest: UnsafeMutablePointer<UInt8> { storage.digest }
    /// Characters emitted by each block size (libfuzzy's dindex), at most 63.
    var length: UnsafeMutablePointer<Int> { storage.length }
    /// Running piece hash of each live block size.
    var piece: UnsafeMutablePointer<UInt8> { storage.piece }
    /// The truncated second part's piece hash; equals `piece` below 32 characters.
    var halfPiece: UnsafeMutablePointer<UInt8> { storage.halfPiece }
    /// The second part's last character as of the last trigger, 0 for none.
    var halfDigest: UnsafeMutablePointer<UInt8> { storage.halfDigest }
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

    /// Whether the highest block size's truncated second-part hash needs a
    /// lane of its own: it has 32 or more characters and is not the lowest.
    /// No other block size can: one at or below the guess with 32 characters
    /// becomes the lowest, and only the guess + 1 lies above the guess.
    var hasHalfLane: Bool { highest > lowest && length[highest] >= 32 }

    /// The piece hashes the hot loop updates: one per live block size, then
    /// the highest one's half hash, then `last`.
    var laneCount: Int { highest - lowest + 1 + (hasHalfLane ? 1 : 0) + (last == nil ? 0 : 1) }

    func lanes<V: SIMD>(_: V.Type) -> V where V.Scalar == UInt16 {
        var v = V()
        var j = 0
        for k in lowest...highest {
            v[j] = UInt16(piece[k])
            j += 1
        }
        if hasHalfLane {
            v[j] = UInt16(halfPiece[highest])
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
        if hasHalfLane {
            halfPiece[highest] = UInt8(truncatingIfNeeded: v[j] & 63)
            j += 1
        }
        if last != nil { last = UInt8(truncatingIfNeeded: v[j] & 63) }
    }

    /// A trigger that changes nothing but characters and piece hashes, done
    /// on the hot loop's lanes in place; false, with nothing done, when it
    /// would start a block size or give one above the lowest its 32nd
    /// character (a new half lane, maybe a new lowest): `trigger` does those.
    /// Inputs whose rolling hash repeats trigger every few bytes, so this is
    /// what keeps them fast.
    @inline(__always)
    mutating func triggerInPlace<V: SIMD>(_ lanes: inout V, quotient: UInt32) -> Bool where V.Scalar == UInt16 {
        let top = min(quotient.trailingZeroBitCount, highest)
        if length[top] == 0 { return false }
        if top > lowest {
            for k in (lowest + 1)...top where length[k] == 31 { return false }
        }
        let halfLane = hasHalfLane ? highest - lowest + 1 : -1
        for k in lowest...top {
            let j = k - lowest
            let n = length[k]
            let h = Int(lanes[j] & 63)
            digest[k * Self.digestLength + n] = Self.base64(h)
            let half = n < 32 ? h : (k == highest && halfLane >= 0 ? Int(lanes[halfLane] & 63) : Int(halfPiece[k]))
            halfDigest[k] = n + 1 < 32 ? 0 : Self.base64(half)
            if n < Self.digestLength - 1 {
                length[k] = n + 1
                if n + 1 == 32 { halfPiece[k] = UInt8(h) }
                lanes[j] = UInt16(Self.pieceHashInit)
            }
        }
        return true
    }

    /// The rolling hash hit a trigger point of block size `lowest`; `quotient`
    /// is the rolling hash + 1 divided by 3, whose trailing zero bits say
    /// which larger block sizes trigger too.
    mutating func trigger(quotient: UInt32) {
        var k = lowest
        while true {
            if length[k] == 0 { startNext() }
            let n = length[k]
            digest[k * Self.digestLength + n] = Self.base64(Int(piece[k]))
            halfDigest[k] = Self.base64(Int(n < 32 ? piece[k] : halfPiece[k]))
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
