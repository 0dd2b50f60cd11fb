import Glibc
import ProcWardenKit
import Synchronization

/// The service manager's end of sd_notify(3): an AF_UNIX datagram socket
/// bound in a test directory, passed to the daemon as `NOTIFY_SOCKET`. A
/// reader thread records every datagram with its arrival time; it stops and
/// the socket is closed when the value is dropped.
public final class NotifySocket: Sendable {
    /// One datagram: `NAME=value` lines, e.g. `READY=1\nSTATUS=…`.
    public struct Message: Sendable, CustomStringConvertible {
        public var text: String
        public var arrival: ContinuousClock.Instant

        /// Each `NAME=value` line of the datagram, in order.
        public var assignments: [(name: String, value: String)] {
            text.split(separator: "\n").compactMap { line -> (name: String, value: String)? in
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            }
        }

        public func value(_ name: String) -> String? { assignments.first { $0.name == name }?.value }
        public func has(_ assignment: String) -> Bool { text.split(separator: "\n").contains { $0 == assignment } }

        public var description: String { text.replacing("\n", with: "\\n") }
    }

    public let path: String
    private let fd: Int32
    private let shared = Shared()

    /// What the reader thread shares with the socket's owner; the thread
    /// retains this, not the socket, so dropping the socket stops it.
    private final class Shared: Sendable {
        public let received = Mutex<[Message]>([])
        public let stopped = Atomic<Bool>(false)
        public let done = Atomic<Bool>(false)
    }

    public init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket(AF_UNIX, SOCK_DGRAM)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw SystemError("socket path too long: \(path)", errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            let error = SystemError("bind \(path)")
            close(fd)
            throw error
        }
        do {
            try DetachedThread.start { [fd, shared] in NotifySocket.receive(fd: fd, into: shared) }
        } catch {
            close(fd)
            throw error
        }
    }

    deinit {
        shared.stopped.store(true, ordering: .releasing)
        while !shared.done.load(ordering: .acquiring) { usleep(10_000) }
        close(fd)
        unlink(path)
    }

    /// Everything received so far, in arrival order.
    public var messages: [Message] { shared.received.withLock { $0 } }

    /// Polls until `condition` holds over the messages received so far, or
    /// `timeout` passes; returns the messages either way.
    @discardableResult
    public func wait(timeout: Duration, until condition: ([Message]) -> Bool) -> [Message] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let now = messages
            if condition(now) || ContinuousClock.now >= deadline { return now }
            usleep(10_000)
        }
    }

    private static func receive(fd: Int32, into shared: Shared) {
        defer { shared.done.store(true, ordering: .releasing) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !shared.stopped.load(ordering: .acquiring) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard n > 0 else { continue }
            let message = Message(text: String(decoding: buffer[0..<n], as: UTF8.self), arrival: .now)
            shared.received.withLock { $0.append(message) }
        }
    }
}
