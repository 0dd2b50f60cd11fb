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

    /// One line's file-backed mapping, or nil. Fields are found by index,
    /// without allocating; only a kept line's path is copied.
    static func mapping(_ line: Slice<UnsafeBufferPointer<UInt8>>, executableOnly: Bool) -> MappedObject? {
        let space = UInt8(ascii: " ")
        var i = line.startIndex
        /// The next space-separated field's bounds, advancing `i` past it.
        func field() -> Range<Int>? {
            while i < line.endIndex && line[i] == space { i += 1 }
            let start = i
            while i < line.endIndex && line[i] != space { i += 1 }
            return i < line.endIndex && start < i ? start..<i : nil
        }
        guard field() != nil, let perms = field() else { return nil }
        // Cheap rejection first: perms is `rwxp`.
        if executableOnly && (perms.count != 4 || line[perms.lowerBound + 2] != UInt8(ascii: "x")) { return nil }
        guard field() != nil, let dev = field(), let inodeField = field() else { return nil }
        guard let inode = UInt64(decimal: line[inodeField]), inode != 0 else { return nil }
        guard let colon = line[dev].firstIndex(of: UInt8(ascii: ":")),
            let major = UInt64(hex: line[dev.lowerBound..<colon]),
            let minor = UInt64(hex: line[(colon + 1)..<dev.upperBound])
        else { return nil }
        while i < line.endIndex && line[i] == space { i += 1 }
        guard i < line.endIndex else { return nil }
        return MappedObject(
            key: ImageKey(device: makedev(major: major, minor: minor), inode: inode),
            printed: ByteString(Array(line[i...])))
    }

    /// glibc's makedev(3) encoding, which st_dev uses.
    static func makedev(major: UInt64, minor: UInt64) -> UInt64 {
        ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
    }
}
