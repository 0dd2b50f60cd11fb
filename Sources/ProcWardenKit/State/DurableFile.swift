import Glibc

/// Whole-file reads and crash-safe replacement of small state files
/// (SPEC §6): a crash or SIGKILL at any instant leaves the old or the new
/// content, never a torn file.
public enum DurableFile {
    /// Reads the whole file with open(2)/read(2); nil when it does not exist
    /// (ENOENT). Opens with O_NONBLOCK so a FIFO in its place cannot hang
    /// the caller. A directory fails with EISDIR, a file over `limit` bytes
    /// with EFBIG.
    public static func read(_ path: String, limit: Int = 1 << 20) throws(SystemError) -> [UInt8]? {
        let fd: Int32
        do {
            fd = try SystemCall.valueOrErrno("open \(path)") {
                open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
            }
        } catch  where error.errno == ENOENT {
            return nil
        }
        defer { close(fd) }
        var info = stat()
        try SystemCall.valueOrErrno("fstat \(path)") { fstat(fd, &info) }
        if info.st_mode & S_IFMT == S_IFDIR { throw SystemError("read \(path)", errno: EISDIR) }
        // Refused before reading: a huge (or sparse) file costs no memory.
        if info.st_mode & S_IFMT == S_IFREG && info.st_size > limit {
            throw SystemError("read \(path)", errno: EFBIG)
        }
        var bytes: [UInt8] = []
        // A regular file's size is known: one allocation, not a doubling series.
        if info.st_mode & S_IFMT == S_IFREG && info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size) + 1) }
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = try SystemCall.valueOrErrno("read \(path)") {
                chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
            if bytes.count > limit { throw SystemError("read \(path)", errno: EFBIG) }
        }
    }

    /// Replaces `path` with `bytes`: write a temporary file in the same
    /// directory, fsync(2) it, rename(2) it over `path`, fsync(2) the
    /// directory. On failure the old file is untouched and the temporary
    /// file is removed.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let (directory, name) = split(path)
        let temporary = "\(directory)/.\(name).tmp-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let fd = try SystemCall.valueOrErrno("open \(temporary)") {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        }
        var closed = false
        do throws(SystemError) {
            var offset = 0
            while offset < bytes.count {
                offset += try SystemCall.valueOrErrno("write \(temporary)") {
                    bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                }
            }
            try SystemCall.valueOrErrno("fsync \(temporary)") { fsync(fd) }
            closed = true
            // On Linux the descriptor is released even when close(2) is interrupted; repeating it could close another file.
            try SystemCall.valueOrErrno("close \(temporary)", retryOnInterrupt: false) { close(fd) }
            try SystemCall.valueOrErrno("rename \(temporary) to \(path)") { rename(temporary, path) }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Removes temporary files `write` left for `path` when the process was
    /// killed mid-write; they never hold a complete file. Returns how many.
    @discardableResult
    public static func removeLeftovers(of path: String) -> Int {
        let (directory, name) = split(path)
        guard let dir = opendir(directory) else { return 0 }
        defer { closedir(dir) }
        let prefix = Array(".\(name).tmp-".utf8)
        var removed = 0
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            guard entryName.starts(with: prefix) else { continue }
            if unlink(directory + "/" + String(decoding: entryName, as: UTF8.self)) == 0 { removed += 1 }
        }
        return removed
    }

    /// Moves a file that cannot be used out of the way as
    /// `<path>.corrupt-<unix time>` (rename(2), then fsync(2) of the
    /// directory), so it is kept for inspection and never deleted. Adds
    /// `.1`, `.2`, … if that name is taken. Returns the new path.
    public static func moveAside(_ path: String, now: Int = Int(time(nil))) throws(SystemError) -> String {
        let base = "\(path).corrupt-\(now)"
        var target = base
        var attempt = 0
        var info = stat()
        while lstat(target, &info) == 0 {
            attempt += 1
            target = "\(base).\(attempt)"
        }
        try SystemCall.valueOrErrno("rename \(path) to \(target)") { rename(path, target) }
        try syncDirectory(split(path).directory)
        return target
    }

    /// fsync(2) on the directory, so a rename in it survives a crash.
    public static func syncDirectory(_ directory: String) throws(SystemError) {
        let fd = try SystemCall.valueOrErrno("open \(directory)") {
            open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        defer { close(fd) }
        try SystemCall.valueOrErrno("fsync \(directory)") { fsync(fd) }
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
