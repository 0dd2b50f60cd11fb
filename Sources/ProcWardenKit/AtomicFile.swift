import Glibc

/// Crash-safe whole-file replacement: write a temp file in the same
/// directory, fsync(2) it, rename(2) it over the target, fsync the directory.
/// A crash at any instant leaves the old or the new content, never a mix.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(SystemError) {
        let dir = directory(of: path)
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw SystemError("open \(temp)") }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(temp) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write \(temp)")
            }
            written += n
        }
        guard fsync(fd) == 0 else { throw SystemError("fsync \(temp)") }
        guard rename(temp, path) == 0 else { throw SystemError("rename \(temp)") }
        ok = true
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw SystemError("open \(dir)") }
        defer { close(dfd) }
        guard fsync(dfd) == 0 else { throw SystemError("fsync \(dir)") }
    }

    /// Reads a whole file; nil when it does not exist.
    public static func read(_ path: String) throws(SystemError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError("open \(path)")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(path)")
            }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }

    /// Moves a bad file aside as `<path>.corrupt-<unix time>`; never deletes it.
    public static func moveAside(_ path: String) throws(SystemError) -> String {
        let target = "\(path).corrupt-\(time(nil))"
        guard rename(path, target) == 0 else { throw SystemError("rename \(path)") }
        return target
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
