import Glibc
import ProcWardenKit

/// File operations on byte-string paths for test setup, whose paths may
/// hold newlines and invalid UTF-8; each throws a `TestFailure` naming the
/// call and path. Every descriptor is O_CLOEXEC, so no child spawned
/// meanwhile holds a copy open for writing (its exec would fail: ETXTBSY).
public enum TestFile {
    /// Creates `path`, which must not exist, with exactly `mode`.
    public static func write(_ bytes: [UInt8], to path: ByteString, mode: mode_t = 0o755) throws {
        let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("write", path) }
            offset += n
        }
        // O_CREAT applies the umask; the tests need the exact mode.
        guard fchmod(fd, mode) == 0 else { throw failure("fchmod", path) }
    }

    /// Writes `bytes` into the existing file at `path` from its start,
    /// without truncating: the inode (and any mapping of it) stays.
    public static func overwrite(_ path: ByteString, with bytes: [UInt8]) throws {
        let fd = path.withCString { open($0, O_WRONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + offset, bytes.count - offset, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw failure("pwrite", path) }
            offset += n
        }
    }

    public static func read(_ path: ByteString) throws -> [UInt8] {
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure("open", path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw failure("read", path) }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }

    /// Writes a copy of `source` with `extra` added at the end: an ELF still
    /// runs with bytes after its last segment, and the extra bytes make its
    /// digests its own.
    public static func copy(
        _ source: ByteString, to path: ByteString, appending extra: [UInt8] = [], mode: mode_t = 0o755
    ) throws {
        try write(read(source) + extra, to: path, mode: mode)
    }

    /// Writes `bytes` to a new file next to `path` and renames it over
    /// `path`, as a package manager installs an update.
    public static func install(_ bytes: [UInt8], at path: ByteString) throws {
        let temporary = path + ".new"
        try write(bytes, to: temporary)
        try rename(temporary, path)
    }

    /// mkdir(2) with exactly `mode`.
    public static func makeDirectory(_ path: ByteString, mode: mode_t = 0o755) throws {
        guard path.withCString({ mkdir($0, mode) }) == 0 else { throw failure("mkdir", path) }
        guard path.withCString({ chmod($0, mode) }) == 0 else { throw failure("chmod", path) }
    }

    public static func unlink(_ path: ByteString) throws {
        guard path.withCString({ Glibc.unlink($0) }) == 0 else { throw failure("unlink", path) }
    }

    public static func link(_ existing: ByteString, _ new: ByteString) throws {
        let rc = existing.withCString { a in new.withCString { b in Glibc.link(a, b) } }
        guard rc == 0 else { throw failure("link", new) }
    }

    public static func rename(_ old: ByteString, _ new: ByteString) throws {
        let rc = old.withCString { a in new.withCString { b in Glibc.rename(a, b) } }
        guard rc == 0 else { throw failure("rename", new) }
    }

    public static func status(_ path: ByteString) throws -> stat {
        var st = stat()
        guard path.withCString({ stat($0, &st) }) == 0 else { throw failure("stat", path) }
        return st
    }

    /// Whether anything, even a dangling symlink, is at `path` (lstat(2)).
    public static func exists(_ path: ByteString) -> Bool {
        var st = stat()
        return path.withCString { lstat($0, &st) } == 0
    }

    /// realpath(3): the path the kernel shows for an image run through symlinks.
    public static func realPath(_ path: ByteString) throws -> ByteString {
        guard let resolved = path.withCString({ realpath($0, nil) }) else { throw failure("realpath", path) }
        defer { free(resolved) }
        return ByteString(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    /// The (dev, ino) the scanner should report for the file at `path`.
    public static func imageKey(_ path: ByteString) throws -> ImageKey {
        let st = try status(path)
        return ImageKey(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// Sets atime and mtime (utimensat(2)), as `touch -d` does; ctime moves too.
    public static func touch(_ path: ByteString, seconds: Int) throws {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        guard path.withCString({ utimensat(AT_FDCWD, $0, &times, 0) }) == 0 else { throw failure("utimensat", path) }
    }

    /// Names in `directory` (readdir(3)), without `.` and `..`.
    public static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func failure(_ call: String, _ path: ByteString) -> TestFailure {
        TestFailure("\(call) \(path.escaped): \(String(cString: strerror(errno)))")
    }
}
