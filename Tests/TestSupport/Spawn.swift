import Glibc
import ProcWardenKit

/// posix_spawn(3) for every child a test starts: byte-string program and
/// arguments, an explicit environment, stdin on /dev/null, stdout and stderr
/// appended to files or thrown away, and a clean signal mask
/// (`CleanSpawnAttributes`). glibc's posix_spawn returns only after the
/// child's execve succeeded, so /proc/<pid>/exe names the new image as soon
/// as this returns (its comm may lag: see `ChildProcess`).
public enum Spawn {
    /// PATH and LC_ALL=C only: nothing of the test runner's own environment
    /// (a STATE_DIRECTORY, a NOTIFY_SOCKET) reaches the child.
    public static let minimalEnvironment: [ByteString] = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"]

    /// The test process's own environment (`environ`) with `overrides` set,
    /// as a shell would pass it to a tool run from it.
    public static func environment(_ overrides: [String: String] = [:]) -> [ByteString] {
        var entries: [ByteString] = []
        var p = environ
        while let entry = p.pointee {
            let bytes = ByteString(UnsafeRawBufferPointer(start: entry, count: strlen(entry)))
            let name = String(decoding: bytes.bytes.prefix { $0 != UInt8(ascii: "=") }, as: UTF8.self)
            if overrides[name] == nil { entries.append(bytes) }
            p += 1
        }
        return entries + overrides.sorted { $0.key < $1.key }.map { ByteString("\($0.key)=\($0.value)") }
    }

    /// Starts `program` (searched in PATH when it has no slash) with
    /// `arguments` (argv[0] first). stdout and stderr are appended to the
    /// files at those paths (created if need be), or go to /dev/null.
    public static func start(
        _ program: ByteString, _ arguments: [ByteString],
        environment: [ByteString] = environment(),
        stdout: String? = nil, stderr: String? = nil, newSession: Bool = false
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (fd, path) in [(Int32(1), stdout), (Int32(2), stderr)] {
            posix_spawn_file_actions_addopen(&actions, fd, path ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        let attributes = CleanSpawnAttributes(newSession: newSession)

        let argv = arguments.map(cString)
        let envp = environment.map(cString)
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = program.withCString { p in
            (argv + [nil]).withUnsafeBufferPointer { a in
                (envp + [nil]).withUnsafeBufferPointer { e in
                    program.bytes.contains(UInt8(ascii: "/"))
                        ? posix_spawn(&pid, p, &actions, &attributes.raw, a.baseAddress!, e.baseAddress!)
                        : posix_spawnp(&pid, p, &actions, &attributes.raw, a.baseAddress!, e.baseAddress!)
                }
            }
        }
        guard rc == 0 else { throw TestFailure("posix_spawn \(program.escaped): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// waitpid(2) for one child, retrying on EINTR; the raw status, or nil
    /// (with WNOHANG, while the child runs).
    public static func wait(_ pid: pid_t, options: Int32 = 0) -> Int32? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, options)
            if rc == pid { return status }
            if rc < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// The exit code, or 128 + signal number as a shell reports it.
    public static func exitCode(_ status: Int32) -> Int32 {
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
