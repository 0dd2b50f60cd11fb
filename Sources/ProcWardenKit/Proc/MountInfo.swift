/// /proc/<pid>/mountinfo (proc(5)): one mount per line,
/// `id parent major:minor root mountpoint options [optional…] - fstype source superoptions`.
/// The kernel escapes space, tab, newline and backslash in `root`,
/// `mountpoint` and `source` as three-digit octal (`\040`); they are decoded.
public struct MountInfo: Sendable, Equatable {
    public struct Mount: Sendable, Equatable {
        /// `major:minor` of the filesystem (field 3): the same in every
        /// mount namespace, unlike the mount id.
        public var device: ByteString
        /// The mounted directory's path inside its filesystem (field 4).
        public var root: ByteString
        /// Where it is mounted, relative to the reader's root (field 5).
        public var mountPoint: ByteString
        public var fsType: ByteString
        public var source: ByteString
    }

    public var mounts: [Mount]

    public init(mounts: [Mount]) { self.mounts = mounts }

    /// Parses the file; lines that do not have the layout above are skipped
    /// (a process's mount table is not trusted to be well formed).
    public init(parsing bytes: [UInt8]) {
        var mounts: [Mount] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            guard fields.count >= 10, let dash = fields[6...].firstIndex(where: { $0.elementsEqual("-".utf8) }),
                dash + 2 < fields.count
            else { continue }
            mounts.append(
                Mount(
                    device: ByteString(fields[2]), root: Self.decode(fields[3]), mountPoint: Self.decode(fields[4]),
                    fsType: Self.decode(fields[dash + 1]), source: Self.decode(fields[dash + 2])))
        }
        self.mounts = mounts
    }

    /// The mount at "/" that is visible (the last one stacked there): a
    /// process's root mount, read from its own mountinfo.
    public var rootMount: Mount? { mounts.last { $0.mountPoint == "/" } }

    /// Mounts on `directory` or anywhere below it, for each pid found as
    /// `<directory>/<pid>[/…]`: what hides a process from a reader of /proc.
    public func mountsOverProcesses(in directory: ByteString) -> [Int32: Mount] {
        let prefix = directory.bytes + [UInt8(ascii: "/")]
        var found: [Int32: Mount] = [:]
        for mount in mounts where mount.mountPoint.bytes.starts(with: prefix) {
            let rest = mount.mountPoint.bytes.dropFirst(prefix.count)
            let name = rest.prefix { $0 != UInt8(ascii: "/") }
            guard let pid = Int32(decimal: name), pid > 0 else { continue }
            // The outermost mount is what a reader of /proc/<pid> meets first.
            if let known = found[pid], known.mountPoint.count <= mount.mountPoint.count { continue }
            found[pid] = mount
        }
        return found
    }

    /// Undoes the kernel's `\ooo` escapes.
    static func decode(_ field: ArraySlice<UInt8>) -> ByteString {
        guard field.contains(UInt8(ascii: "\\")) else { return ByteString(field) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var i = field.startIndex
        while i < field.endIndex {
            let b = field[i]
            if b == UInt8(ascii: "\\"), field.endIndex - i >= 4, let value = octal(field[(i + 1)..<(i + 4)]) {
                out.append(value)
                i += 4
            } else {
                out.append(b)
                i += 1
            }
        }
        return ByteString(out)
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value = 0
        for d in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(d) else { return nil }
            value = value * 8 + Int(d - UInt8(ascii: "0"))
        }
        return value <= 0xff ? UInt8(value) : nil
    }
}
