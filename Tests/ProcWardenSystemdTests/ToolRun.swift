import Glibc
import ProcWardenKit

/// One finished run of a command-line tool, with its output captured.
struct ToolRun: Sendable {
    var argv: [String]
    var status: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]

    var succeeded: Bool { status == 0 }
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    /// `argv → status: stderr`, for failure messages.
    var summary: String { "\(argv.joined(separator: " ")) → exit \(status): \(stderrText)" }

    /// posix_spawnp(3) `argv`, collect stdout and stderr, waitpid(2).
    static func run(_ argv: [String]) throws -> ToolRun {
        let out = try Pipe(), err = try Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out.write, 1)
        posix_spawn_file_actions_adddup2(&actions, err.write, 2)
        let pid = try spawn(argv, actions: &actions, attributes: nil)
        out.closeWrite()
        err.closeWrite()
        let (o, e) = readBoth(out.read, err.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ToolRun(argv: argv, status: exit, stdout: o, stderr: e)
    }

    static func spawn(_ argv: [String], actions: inout posix_spawn_file_actions_t,
                      attributes: UnsafePointer<posix_spawnattr_t>?) throws -> pid_t {
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: pid_t = 0
        let clean = CleanSpawnAttributes()
        let rc = withUnsafePointer(to: &clean.raw) { posix_spawnp(&pid, argv[0], &actions, attributes ?? $0, &cArgs, environ) }
        guard rc == 0 else { throw SystemError("posix_spawnp \(argv[0])", errno: rc) }
        return pid
    }

    /// Reads two pipes to EOF with poll(2), so neither can fill and stall the child.
    private static func readBoth(_ a: Int32, _ b: Int32) -> ([UInt8], [UInt8]) {
        var buffers: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var chunk = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &chunk, chunk.count)
                if n > 0 { buffers[i] += chunk[0..<n] } else if n < 0 && errno == EINTR { continue } else {
                    fds[i].fd = -1  // closed by its Pipe
                }
            }
        }
        return (buffers[0], buffers[1])
    }
}
