import Glibc
import ProcWardenKit

/// journald's native-protocol socket. `sd_journal_sendv(3)` always sends to
/// this path (no other path can be configured) with one unconnected
/// datagram per entry, so a journald that comes back is used again at once.
public enum JournalSocket {
    public static let path = "/run/systemd/journal/socket"

    /// Whether journald is listening: connect(2) of an AF_UNIX datagram socket
    /// to `path`. Returns nil when it is, else the failure (ENOENT when the
    /// socket file is missing, ECONNREFUSED when nobody is bound to it).
    public static func probe() -> SystemError? {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return SystemError("socket") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 ? nil : SystemError("connect \(path)")
    }

    /// stat(2) of `path`. `sd_journal_sendv` reports success when the socket
    /// file is missing ("fail silently if the journal is not available"), so
    /// the writer looks before it sends to notice that journald is gone.
    static func checkPresent() -> SystemError? {
        var st = stat()
        return stat(path, &st) == 0 ? nil : SystemError("stat \(path)")
    }
}
