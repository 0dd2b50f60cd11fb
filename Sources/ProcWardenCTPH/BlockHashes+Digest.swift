extension BlockHashes {
    /// The digest `blocksize:part1:part2` as libfuzzy's fuzzy_digest prints
    /// it without flags: the block size chosen from the total length and
    /// lowered while it has fewer than 32 characters; part 1 up to 64
    /// characters, part 2 (the next block size) up to 32. `rollingSum` is the
    /// rolling hash at the end: when it is 0 the pieces in progress are not
    /// appended.
    func digestString(totalLength: UInt64, rollingSum: UInt32) -> String {
        var k = lowest
        while (UInt64(3) << UInt64(k)) * UInt64(Self.digestLength) < totalLength { k += 1 }
        k = min(k, highest)
        while k > lowest && length[k] < 32 { k -= 1 }

        var out = Array("\(UInt64(3) << UInt64(k)):".utf8)
        out.reserveCapacity(out.count + 2 * Self.digestLength + 2)
        let n = length[k]
        let first = k * Self.digestLength
        out.append(contentsOf: UnsafeBufferPointer(start: digest + first, count: n))
        if rollingSum != 0 {
            out.append(Self.base64(Int(piece[k])))
        } else if n == Self.digestLength - 1 && digest[first + n] != 0 {
            out.append(digest[first + n])
        }
        out.append(UInt8(ascii: ":"))

        if k < highest {
            let next = k + 1
            let m = min(length[next], Self.digestLength / 2 - 1)
            let start = next * Self.digestLength
            out.append(contentsOf: UnsafeBufferPointer(start: digest + start, count: m))
            if rollingSum != 0 {
                out.append(Self.base64(Int(length[next] < 32 ? piece[next] : halfPiece[next])))
            } else if length[next] >= 32 && halfDigest[next] != 0 {
                out.append(halfDigest[next])
            }
        } else if rollingSum != 0 {
            // Only block size 0 (no trigger at all) or 30 (input over 96 GiB).
            out.append(Self.base64(Int(k == 0 ? piece[0] : last ?? 0)))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
