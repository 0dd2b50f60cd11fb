import CShims
import Glibc
import ProcWardenKit
import Synchronization

/// journald's native-protocol socket, written without ever blocking
/// (systemd-journald.service(8), "Native Journal Protocol").
///
/// One AF_UNIX datagram socket of our own, non-blocking, connected to
/// `path`. libsystemd's `sd_journal_sendv` uses a blocking socket, which
/// waits in sendmsg(2) for as long as journald does not read. Here a full
/// receive queue is EAGAIN; a missing socket file is ENOENT at connect(2)
/// and a socket nobody serves is ECONNREFUSED: all mean "not now".
/// Being connected lets the caller wait for writability (`descriptor` with
/// EPOLLOUT), which the kernel reports when journald's queue has room.
///
/// An entry too big for one datagram (EMSGSIZE, ENOBUFS) goes as a sealed
/// memfd passed with SCM_RIGHTS, as libsystemd does.
public final class JournalSocket: Sendable {
    public static let path = "/run/systemd/journal/socket"
    /// Send buffer asked for (libsystemd asks for the same 8 MiB); the
    /// kernel caps it at net.core.wmem_max.
    static let sendBufferSize: Int32 = 8 * 1024 * 1024

    /// What a send did.
    public enum Outcome: Sendable, Equatable {
        case sent
        /// journald cannot take entries now; try again later.
        case notNow(SystemError)
        /// This entry can never be sent (too big even for a memfd, or
        /// malformed); retrying would block the entries behind it.
        case rejected(SystemError)
    }

    /// The socket; stays the same for the object's life (a reconnect is a
    /// new connect(2) on it), so an event source can watch it. -1 when
    /// socket(2) failed.
    public let descriptor: Int32
    private let creationError: SystemError?
    private let path: String
    private let connected = Mutex(false)

    /// - Parameter path: journald's socket; tests point it elsewhere.
    public init(path: String = JournalSocket.path) {
        self.path = path
        do {
            let fd = try SystemCall.valueOrErrno("socket") {
                socket(
                    AF_UNIX,
                    Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            }
            var size = Self.sendBufferSize
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            descriptor = fd
            creationError = nil
        } catch {
            descriptor = -1
            creationError = error
        }
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// Sends one datagram in the native protocol (`JournalEntry.nativeForm`).
    /// Connects first when not connected; when journald went away and came
    /// back (ECONNREFUSED on a socket that was connected), connects again
    /// once and resends. Never waits.
    public func send(_ datagram: [UInt8]) -> Outcome {
        if let creationError { return .notNow(creationError) }
        return connected.withLock { isConnected -> Outcome in
            if !isConnected {
                if let failure = connect() { return .notNow(failure) }
                isConnected = true
            }
            var outcome = sendOnce(datagram)
            if case .notNow(let error) = outcome, Self.meansPeerGone(error.errno) {
                isConnected = false
                if let failure = connect() { return .notNow(failure) }
                isConnected = true
                outcome = sendOnce(datagram)
            }
            return outcome
        }
    }

    /// Whether journald answers on `path`: connect(2) of a fresh datagram
    /// socket. nil when it does, else why not (ENOENT, ECONNREFUSED, …).
    public static func probe(path: String = JournalSocket.path) -> SystemError? {
        let socket = JournalSocket(path: path)
        return socket.creationError ?? socket.connect()
    }

    private func sendOnce(_ datagram: [UInt8]) -> Outcome {
        let flags = Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)
        do {
            _ = try SystemCall.valueOrErrno("send \(path)") {
                datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, flags) }
            }
            return .sent
        } catch {
            guard error.errno == EMSGSIZE || error.errno == ENOBUFS else { return .notNow(error) }
            return sendAsMemfd(datagram)
        }
    }

    /// The datagram's bytes in a sealed memfd, passed alone with
    /// SCM_RIGHTS; journald reads the entry from it.
    private func sendAsMemfd(_ datagram: [UInt8]) -> Outcome {
        let fd: Int32
        do {
            fd = try SystemCall.valueOrErrno("memfd_create") { pw_memfd_create_sealable("journal-entry") }
        } catch {
            return .notNow(error)
        }
        defer { close(fd) }
        do throws(SystemError) {
            var offset = 0
            while offset < datagram.count {
                let n = try SystemCall.valueOrErrno("write memfd") {
                    datagram.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                }
                guard n > 0 else { throw SystemError("write memfd", errno: EIO) }
                offset += n
            }
            try SystemCall.valueOrErrno("seal memfd") { pw_memfd_seal(fd) }
        } catch {
            return .notNow(error)
        }
        do {
            _ = try SystemCall.valueOrErrno("send \(path) with memfd") {
                pw_send_fd(descriptor, fd, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            }
            return .sent
        } catch {
            return error.errno == EMSGSIZE || error.errno == EINVAL ? .rejected(error) : .notNow(error)
        }
    }

    /// connect(2) to `path`; nil on success.
    private func connect() -> SystemError? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            return SystemError("connect \(path)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in bytes.enumerated() { buffer[i] = byte }
        }
        do {
            // An interrupted connect(2) carries on in the background; repeating it would fail with EALREADY.
            try SystemCall.valueOrErrno("connect \(path)", retryOnInterrupt: false) {
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// The peer journald socket is closed (journald stopped or restarted):
    /// the kernel disconnects a datagram socket whose peer died.
    private static func meansPeerGone(_ errno: Int32) -> Bool {
        errno == ECONNREFUSED || errno == ENOTCONN || errno == ECONNRESET || errno == EPIPE
    }
}
