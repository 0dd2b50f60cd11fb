import Glibc
import ProcWardenKit

/// Something other than a regular file, made where a configuration file is
/// expected (SPEC §5: it is an error naming the file, and a FIFO must not
/// block the reader).
public enum SpecialFile: String, CaseIterable, Sendable, CustomStringConvertible {
    case fifo
    case socket
    case directory

    /// The kind as the loader names it: `not a regular file (<kind>)`.
    public var kind: String { rawValue }
    public var description: String { rawValue }

    /// Makes one at `path`, which must not exist: mkfifo(3), a unix socket
    /// bound there with bind(2) (the socket is closed, the node stays), or
    /// mkdir(2).
    public func make(at path: String) throws {
        switch self {
        case .fifo:
            guard mkfifo(path, 0o644) == 0 else { throw Self.failure("mkfifo", path) }
        case .directory:
            guard mkdir(path, 0o755) == 0 else { throw Self.failure("mkdir", path) }
        case .socket:
            let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Self.failure("socket", path) }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
                throw TestFailure("socket path too long: \(path)")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard bound == 0 else { throw Self.failure("bind", path) }
        }
    }

    /// Removes what `make` made.
    public func remove(at path: String) throws {
        let removed = self == .directory ? rmdir(path) : unlink(path)
        guard removed == 0 else { throw Self.failure("remove", path) }
    }

    /// A symlink at `path` to /dev/null: a masked drop-in, as in systemd.
    public static func mask(at path: String) throws {
        try link(to: "/dev/null", at: path)
    }

    /// symlink(2) `path` → `target`.
    public static func link(to target: String, at path: String) throws {
        guard symlink(target, path) == 0 else { throw failure("symlink \(target)", path) }
    }

    /// Opens a FIFO for writing without blocking and closes it again: a
    /// reader blocked in open(2) or read(2) on it wakes and sees end of file.
    /// How a test unblocks code that wrongly waited on a FIFO.
    public static func releaseReaders(of fifo: String) {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd >= 0 { close(fd) }
    }

    private static func failure(_ call: String, _ path: String) -> TestFailure {
        TestFailure("\(call) \(path): \(String(cString: strerror(errno)))")
    }
}
