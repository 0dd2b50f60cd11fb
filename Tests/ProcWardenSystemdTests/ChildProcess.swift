import Glibc
import ProcWardenKit

/// A real child process that lives until this value is dropped (SIGKILL and
/// waitpid in deinit). `init` returns once the child's comm is its program's
/// name: the kernel lets a vfork parent (posix_spawn) run on before execve
/// sets the new comm, and journald may read it in that window.
final class ChildProcess: Sendable {
    let pid: Int32

    init(_ argv: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        pid = try ToolRun.spawn(argv, actions: &actions, attributes: nil)
        let expected = String(argv[0].split(separator: "/").last ?? "").prefix(15) + "\n"
        for _ in 0..<500 where comm() != expected { usleep(10_000) }
    }

    /// /proc/<pid>/comm, with its newline.
    func comm() -> String {
        let fd = open("/proc/\(pid)/comm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = read(fd, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
