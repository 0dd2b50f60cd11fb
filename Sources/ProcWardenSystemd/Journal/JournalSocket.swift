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
        let fd: Int32
        do {
            fd = try SystemCall.valueOrErrno("socket") {
                socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
        } catch {
            return error
        }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.enumerated() { buffer[i] = byte }
        }
        do {
            // An interrupted connect(2) carries on in the background; repeating it would fail with EALREADY.
            try SystemCall.valueOrErrno("connect \(path)", retryOnInterrupt: false) {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// stat(2) of `path`. `sd_journal_sendv` reports success when the socket
    /// file is missing ("fail silently if the journal is not available"), so
    /// the writer looks before it sends to notice that journald is gone.
    static func checkPresent() -> SystemError? {
        var st = stat()
        do {
            try SystemCall.valueOrErrno("stat \(path)") { stat(path, &st) }
            return nil
        } catch {
            return error
        }
    }
}
