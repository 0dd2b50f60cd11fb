import Glibc
import ProcWardenKit

/// A child process a test runs alongside a scan. It is killed (SIGKILL) and
/// reaped when the test stops it or drops it, so a failed expectation never
/// leaves a process behind.
final class ChildProcess {
    let pid: pid_t
    private var reaped = false

    init(_ path: ByteString, _ arguments: [ByteString]) throws {
        pid = try Spawn.start(path, arguments)
    }

    deinit { stop() }

    /// SIGKILL and waitpid(2).
    func stop() {
        guard !reaped else { return }
        kill(pid, SIGKILL)
        _ = Spawn.wait(pid)
        reaped = true
    }

    /// The target of /proc/<pid>/exe, or nil when it cannot be read.
    var exeLink: ByteString? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { raw in
            readlink("/proc/\(pid)/exe", raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        return n < 0 ? nil : ByteString(buffer[..<n])
    }

    /// /proc/<pid>/stat as read now, independently of the scanner.
    var liveStat: LiveStat? { LiveStat(pid: pid) }

    /// Polls every 5 ms until `condition` holds; throws after `timeout`.
    func wait(for what: String, timeout: Duration = .seconds(10), until condition: () -> Bool) throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("pid \(pid): timed out waiting for \(what)") }
            usleep(5000)
        }
    }

    /// Waits until the process has exec'd `path` (after a wrapper such as
    /// setpriv or pw-memfd-exec).
    func waitForExe(_ path: ByteString) throws {
        try wait(for: "exec of \(path.escaped)") { exeLink == path }
    }
}
