import Glibc
import ProcWardenKit

/// A running procwardend (or any product of this package) started by a test,
/// with stdout and stderr captured to files. SIGKILLed and reaped on deinit
/// if the test did not stop it.
final class DaemonProcess: @unchecked Sendable {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    private var exitStatus: Int32?

    /// Directory of the built products (.build/<triple>/debug), from /proc/self/exe.
    static var productsDirectory: String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        let path = String(decoding: buffer[..<max(0, n)], as: UTF8.self)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }

    static func product(_ name: String) -> String { productsDirectory + "/" + name }

    /// Starts `argv` (argv[0] a product name such as "procwardend" or a path)
    /// with `environment` added to the test's own. `prefix` (e.g. setpriv
    /// arguments) is put in front of the resolved program.
    init(_ argv: [String], environment: [String: String] = [:], prefix: [String] = [], outputDirectory: String) throws {
        let program = argv[0].contains("/") ? argv[0] : Self.product(argv[0])
        let full = prefix + [program] + argv.dropFirst()
        stdoutPath = outputDirectory + "/stdout-\(UInt32.random(in: 0...UInt32.max))"
        stderrPath = outputDirectory + "/stderr-\(UInt32.random(in: 0...UInt32.max))"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var env: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { env[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        env.merge(environment) { $1 }
        var cArgs = full.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var child: pid_t = 0
        let attributes = CleanSpawnAttributes()
        let rc = posix_spawnp(&child, full[0], &actions, &attributes.raw, &cArgs, &cEnv)
        guard rc == 0 else { throw SystemError("posix_spawnp \(full[0])", errno: rc) }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    var stdout: String { (try? DurableFile.read(stdoutPath)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? "" }
    var stderr: String { (try? DurableFile.read(stderrPath)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? "" }

    func signal(_ signo: Int32) { kill(pid, signo) }

    /// Waits up to `timeout` for the process to exit; its exit code (128+n
    /// for a signal), or nil if it is still running.
    @discardableResult
    func waitForExit(timeout: Duration) -> Int32? {
        if let exitStatus { return exitStatus }
        let deadline = ContinuousClock.now + timeout
        repeat {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return exitStatus
            }
            usleep(10_000)
        } while ContinuousClock.now < deadline
        return nil
    }

    /// `Name:\tvalue` lines of /proc/<pid>/status (CapEff, NoNewPrivs, Uid, …).
    func status() -> [String: String] {
        guard let bytes = (try? DurableFile.read("/proc/\(pid)/status")).flatMap({ $0 }) else { return [:] }
        var out: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            out[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` passes.
    static func eventually(timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if try condition() { return true }
            usleep(20_000)
        } while ContinuousClock.now < deadline
        return false
    }
}
