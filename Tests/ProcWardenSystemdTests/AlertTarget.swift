import Glibc
import ProcWardenKit

/// A real process for the daemon to find: posix_spawn(3) of a byte-string
/// path with stdio on /dev/null and default signal handling. SIGKILLed and
/// reaped when released, or by `stop()`.
final class AlertTarget {
    let pid: pid_t
    private var reaped = false

    /// Starts `path` with `arguments` (argv[0] first) and waits until
    /// `ready` holds, by default until /proc/<pid>/comm is the basename cut
    /// to 15 bytes: a vfork parent (posix_spawn) may run on before the
    /// kernel sets the new comm.
    init(_ path: ByteString, _ arguments: [ByteString], ready: ((AlertTarget) -> Bool)? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let attributes = CleanSpawnAttributes()

        func cString(_ s: ByteString) -> UnsafeMutablePointer<CChar>? {
            let p = malloc(s.count + 1)!.assumingMemoryBound(to: CChar.self)
            s.bytes.withUnsafeBytes { if let base = $0.baseAddress { memcpy(p, base, s.count) } }
            p[s.count] = 0
            return p
        }
        let argv = arguments.map(cString) + [nil]
        let envp = [cString("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = AlertFiles.withCPath(path) { posix_spawn(&child, $0, &actions, &attributes.raw, argv, envp) }
        guard rc == 0 else { throw AlertTestFailure("posix_spawn \(path.escaped): \(String(cString: strerror(rc)))") }
        pid = child

        let name = ByteString(path.bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last ?? [])
        let expected = ByteString(name.bytes.prefix(15))
        let condition = ready ?? { $0.comm() == expected }
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(self) {
            guard ContinuousClock.now < deadline else {
                let failure = AlertTestFailure("process \(pid) from \(path.escaped) never became ready (comm \(comm().escaped))")
                stop()
                throw failure
            }
            usleep(5_000)
        }
    }

    /// /proc/<pid>/comm without its trailing newline.
    func comm() -> ByteString {
        guard var bytes = try? AlertFiles.read(ByteString("/proc/\(pid)/comm")) else { return "" }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return ByteString(bytes)
    }

    /// readlink(2) of /proc/<pid>/exe.
    func exeLink() -> ByteString {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes {
            readlink("/proc/\(pid)/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
        }
        return ByteString(buffer.prefix(max(0, n)))
    }

    /// SIGKILL and waitpid(2), once.
    func stop() {
        guard !reaped else { return }
        reaped = true
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    deinit { stop() }
}
