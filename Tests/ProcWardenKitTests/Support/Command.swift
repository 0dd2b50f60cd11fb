import Glibc
import ProcWardenKit

/// Runs a program to completion and captures its output. stdout and stderr
/// go to unlinked temporary files rather than pipes, so a large output can
/// never deadlock.
enum Command {
    struct Result {
        var exitCode: Int32
        var stdout: [UInt8]
        var stderr: [UInt8]

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// `argv[0]` is the program (searched in PATH when it has no slash).
    static func run(_ argv: [ByteString]) throws -> Result {
        let out = try scratchFile()
        defer { close(out) }
        let err = try scratchFile()
        defer { close(err) }
        let pid = try Spawn.start(argv[0], argv, stdout: out, stderr: err)
        guard let status = Spawn.wait(pid) else { throw TestFailure("waitpid \(pid) failed") }
        return Result(exitCode: Spawn.exitCode(status), stdout: contents(out), stderr: contents(err))
    }

    /// Runs and throws unless the exit code is 0.
    static func output(_ argv: [ByteString]) throws -> Result {
        let result = try run(argv)
        guard result.exitCode == 0 else {
            throw TestFailure("\(argv.map(\.escaped).joined(separator: " ")) exited \(result.exitCode): \(result.stderrText)")
        }
        return result
    }

    /// An unlinked file in /tmp, close-on-exec (the child gets it by dup2).
    private static func scratchFile() throws -> Int32 {
        var template = Array("/tmp/procwarden-test-output.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw TestFailure("mkstemp: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    private static func contents(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, offset) }
            if n <= 0 { return out }
            out += chunk[..<n]
            offset += off_t(n)
        }
    }
}
