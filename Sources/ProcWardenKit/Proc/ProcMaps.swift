/// Reading /proc/<pid>/maps (proc(5)).
public enum ProcMaps {
    /// The pathname of the first mapping of the file (dev, ino), as the
    /// kernel prints it (with " (deleted)" for an unlinked file).
    ///
    /// A line is `start-end perms offset major:minor inode   pathname`, with
    /// major and minor in hex.
    public static func path(of key: ImageKey, in maps: [UInt8]) -> ByteString? {
        for line in maps.split(separator: UInt8(ascii: "\n")) {
            var fields: [ArraySlice<UInt8>] = []
            var rest = line[...]
            while fields.count < 5 {
                rest = rest.drop { $0 == UInt8(ascii: " ") }
                guard let end = rest.firstIndex(of: UInt8(ascii: " ")) else { break }
                fields.append(rest[..<end])
                rest = rest[end...]
            }
            guard fields.count == 5, let inode = UInt64(decimal: fields[4]), inode == key.inode else { continue }
            let dev = fields[3].split(separator: UInt8(ascii: ":"))
            guard dev.count == 2, let major = UInt64(hex: dev[0]), let minor = UInt64(hex: dev[1]),
                makedev(major: major, minor: minor) == key.device
            else { continue }
            let path = rest.drop { $0 == UInt8(ascii: " ") }
            guard path.first == UInt8(ascii: "/") else { continue }
            return ByteString(path)
        }
        return nil
    }

    /// glibc's makedev(3) encoding, which st_dev uses.
    static func makedev(major: UInt64, minor: UInt64) -> UInt64 {
        ((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff)
    }
}
