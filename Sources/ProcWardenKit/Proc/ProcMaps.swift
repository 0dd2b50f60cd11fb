/// Reading /proc/<pid>/maps (proc(5)).
public enum ProcMaps {
    /// The pathname of the first mapping of the file (dev, ino), as the
    /// kernel prints it (with " (deleted)" for an unlinked file).
    public static func path(of key: ImageKey, in maps: [UInt8]) -> ByteString? {
        var found: ByteString?
        forEachMapping(in: maps, executableOnly: false) { object in
            guard object.key == key, object.printed.bytes.first == UInt8(ascii: "/") else { return true }
            found = object.printed
            return false
        }
        return found
    }

    /// The files mapped executable, once each by (dev, ino), in the order of
    /// their first executable mapping. Lines that are not executable, not
    /// file-backed (inode 0: anonymous, `[heap]`, `[vdso]`, …) or malformed
    /// are skipped.
    public static func objects(in maps: [UInt8]) -> [MappedObject] {
        var objects: [MappedObject] = []
        var seen: Set<ImageKey> = []
        forEachMapping(in: maps, executableOnly: true) { object in
            if seen.insert(object.key).inserted { objects.append(object) }
            return true
        }
        return objects
    }

    /// Calls `body` with each file-backed mapping, in order, until it
    /// returns false. The bytes are scanned in place; only a kept line's
    /// path is copied. A line is `start-end perms offset major:minor inode
    /// pathname`, with major and minor in hex.
    static func forEachMapping(
        in maps: [UInt8], executableOnly: Bool, _ body: (MappedObject) -> Bool
    ) {
        maps.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                var end = start
                while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
                if let object = mapping(buffer[start..<end], executableOnly: executableOnly), !body(object) { return }
                start = end + 1
            }
        }
    }

    /// One line's file-backed mapping, or nil.
    static func mapping(_ line: Slice<UnsafeBufferPointer<UInt8>>, executableOnly: Bool) -> MappedObject? {
        var rest = line[...]
        var fields: [Slice<UnsafeBufferPointer<UInt8>>] = []
        fields.reserveCapacity(5)
        while fields.count < 5 {
            rest = rest.drop { $0 == UInt8(ascii: " ") }
            guard let end = rest.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            fields.append(rest[..<end])
            rest = rest[end...]
            // Cheap rejection first: perms is the second field, `rwxp`.
            if executableOnly && fields.count == 2 {
                guard fields[1].count == 4, fields[1][fields[1].startIndex + 2] == UInt8(ascii: "x") else {
                    return nil
                }
            }
        }
        guard let inode = UInt64(decimal: fields[4]), inode != 0 else { return nil }
        let dev = fields[3].split(separator: UInt8(ascii: ":"))
        guard dev.count == 2, let major = UInt64(hex: dev[0]), let minor = UInt64(hex: dev[1]) else { return nil }
        let path = rest.drop { $0 == UInt8(ascii: " ") }
        guard !path.isEmpty else { return nil }
        return MappedObject(
            key: ImageKey(device: makedev(major: major, minor: minor), inode: inode), printed: ByteString(Array(path)))
    }

    /// glibc's makedev(3) encoding, which st_dev uses.
    static func makedev(major: UInt64, minor: UInt64) -> UInt64 {
        ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
    }
}
