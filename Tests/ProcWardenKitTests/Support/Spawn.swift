import Glibc
import ProcWardenKit

/// posix_spawn(3) with byte-string paths and arguments. glibc's posix_spawn
/// returns only after the child's execve succeeded, so /proc/<pid>/exe names
/// the new image as soon as this returns.
enum Spawn {
    /// Starts `path` (searched in PATH when it has no slash) with stdin from
    /// /dev/null and stdout/stderr onto the given descriptors or /dev/null.
    static func start(_ path: ByteString, _ arguments: [ByteString],
                      stdout: Int32? = nil, stderr: Int32? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, source) in [(Int32(1), stdout), (Int32(2), stderr)] {
            if let source {
                posix_spawn_file_actions_adddup2(&actions, source, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environment: [ByteString] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]
        let argv = arguments.map(cString)
        let envp = environment.map(cString)
        defer { (argv + envp).forEach { free($0) } }

        var pid: pid_t = 0
        let rc = path.withCString { p in
            (argv + [nil]).withUnsafeBufferPointer { a in
                (envp + [nil]).withUnsafeBufferPointer { e in
                    path.bytes.contains(UInt8(ascii: "/"))
                        ? posix_spawn(&pid, p, &actions, &attributes, a.baseAddress!, e.baseAddress!)
                        : posix_spawnp(&pid, p, &actions, &attributes, a.baseAddress!, e.baseAddress!)
                }
            }
        }
        guard rc == 0 else { throw TestFailure("posix_spawn \(path.escaped): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// waitpid(2) for one child, retrying on EINTR; returns the raw status.
    static func wait(_ pid: pid_t, options: Int32 = 0) -> Int32? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, options)
            if rc == pid { return status }
            if rc < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// The exit code, or 128 + signal number as a shell reports it.
    static func exitCode(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private static func cString(_ s: ByteString) -> UnsafeMutablePointer<CChar>? {
        let p = malloc(s.count + 1)!.assumingMemoryBound(to: CChar.self)
        s.bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(p, base, s.count) }
        }
        p[s.count] = 0
        return p
    }
}
