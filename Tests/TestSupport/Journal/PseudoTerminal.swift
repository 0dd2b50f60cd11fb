import Glibc
import ProcWardenKit

/// A real pseudo-terminal pair (posix_openpt(3)); the follower end is a tty
/// for isatty(3), and what is written to it is read from the leader.
public final class PseudoTerminal: Sendable {
    public let leader: Int32
    public let follower: Int32

    public struct Timeout: Error {}

    public init() throws {
        let name: String
        (leader, name) = try LinuxCalls.openPseudoTerminal()
        follower = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard follower >= 0 else {
            let error = SystemError("open \(name)")
            close(leader)
            throw error
        }
    }

    /// Reads from the leader until the bytes end with `terminator`; waits at most 5 s.
    public func read(until terminator: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !out.ends(with: terminator) {
            var fds = [pollfd(fd: leader, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 1, 5000) > 0 else { throw Timeout() }
            let n = Glibc.read(leader, &chunk, chunk.count)
            guard n > 0 else { throw SystemError("read pty") }
            out += chunk[0..<n]
        }
        return out
    }

    deinit {
        close(follower)
        close(leader)
    }
}

extension Array where Element == UInt8 {
    public func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix)
    }
}
