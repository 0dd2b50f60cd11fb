/// One file mapped executable into a process (a line of /proc/<pid>/maps
/// whose perms have `x` and whose inode is not 0), as `ProcMaps.objects`
/// reports it: once per (dev, ino) per process.
public struct MappedObject: Sendable, Hashable {
    /// st_dev and st_ino of the mapped file, as the maps line prints them.
    public var key: ImageKey
    /// The pathname exactly as printed, kernel suffix included.
    public var printed: ByteString

    public init(key: ImageKey, printed: ByteString) {
        self.key = key
        self.printed = printed
    }

    /// The kernel's suffix for a mapping whose file was unlinked.
    static let deletedSuffix = Array(" (deleted)".utf8)
    /// The name memfd_create(2) files have in maps.
    static let memfdPrefix = Array("/memfd:".utf8)

    /// Whether the kernel marked the file unlinked. A file whose own name
    /// ends in " (deleted)" looks the same; `pathCandidates` lets the
    /// caller tell them apart by identity.
    public var markedDeleted: Bool { printed.bytes.ends(with: Self.deletedSuffix) }

    /// A memfd's name (what follows `/memfd:`, without the kernel suffix);
    /// nil for a file with a path.
    public var memfdName: ByteString? {
        guard printed.bytes.starts(with: Self.memfdPrefix) else { return nil }
        var name = Array(printed.bytes.dropFirst(Self.memfdPrefix.count))
        if name.ends(with: Self.deletedSuffix) { name.removeLast(Self.deletedSuffix.count) }
        return ByteString(name)
    }

    /// The paths this mapping may name, most likely first. The kernel
    /// prints a newline in a name as `\012` but leaves backslashes alone,
    /// so `\012` may be an escape or four literal bytes; and " (deleted)"
    /// may be the kernel's suffix or part of the name. The caller keeps
    /// the candidate whose identity (dev, ino) matches.
    public var pathCandidates: [ByteString] {
        guard printed.bytes.first == UInt8(ascii: "/"), memfdName == nil else { return [] }
        var bases = [printed.bytes]
        if markedDeleted { bases.insert(Array(printed.bytes.dropLast(Self.deletedSuffix.count)), at: 0) }
        var candidates: [ByteString] = []
        for base in bases {
            let decoded = Self.decodingNewlines(base)
            if decoded != base { candidates.append(ByteString(decoded)) }
            candidates.append(ByteString(base))
        }
        return candidates
    }

    /// `\012` → newline, everything else as is.
    static func decodingNewlines(_ bytes: [UInt8]) -> [UInt8] {
        let escape = Array("\\012".utf8)
        guard bytes.count >= escape.count else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + escape.count <= bytes.count,
                bytes[i..<(i + escape.count)].elementsEqual(escape)
            {
                out.append(UInt8(ascii: "\n"))
                i += escape.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
