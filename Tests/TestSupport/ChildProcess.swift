import Glibc
import ProcWardenKit
import Synchronization

/// A child process that runs alongside a test: a process for a scan to
/// find, a daemon, a bus. Its stdout and stderr go to files the test can
/// read at any time. It is killed (SIGKILL) and reaped when the test stops
/// it or drops it, so a failed expectation never leaves a process behind.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    private let out: OutputFile
    private let err: OutputFile
    /// The exit code once reaped.
    private let exitCode = Mutex<Int32?>(nil)

    /// Starts `program` (searched in PATH when it has no slash) with
    /// `arguments` (argv[0] first), and returns once `ready` holds (within
    /// 10 s, or it throws). By default that is once the exec has given the
    /// child a comm of its own: posix_spawn returns after the exec, but the
    /// kernel lets a vfork parent run on before execve sets the new comm, and
    /// journald or a scan may read it in that window.
    public init(
        _ program: ByteString, _ arguments: [ByteString], environment: [ByteString] = Spawn.environment(),
        until ready: ((ChildProcess) -> Bool)? = nil
    ) throws {
        let spawnersComm = Self.comm(at: "/proc/thread-self/comm")
        out = try OutputFile()
        err = try OutputFile()
        pid = try Spawn.start(program, arguments, environment: environment, stdout: out.path, stderr: err.path)
        let isReady = ready ?? { $0.comm() != spawnersComm }
        guard Poll.eventually(timeout: .seconds(10), every: .milliseconds(5), { isReady(self) }) else {
            let failure = TestFailure(
                "pid \(pid) from \(program.escaped) never became ready (comm \(comm().escaped)); stderr: \(stderr)")
            stop()
            throw failure
        }
    }

    /// Starts `arguments[0]` (searched in PATH when it has no slash).
    public convenience init(
        _ arguments: [String], environment: [ByteString] = Spawn.environment(),
        until ready: ((ChildProcess) -> Bool)? = nil
    ) throws {
        try self.init(
            ByteString(arguments[0]), arguments.map { ByteString($0) }, environment: environment, until: ready)
    }

    deinit { stop() }

    /// What it wrote to stdout so far.
    public var stdout: String { out.text }
    /// What it wrote to stderr so far.
    public var stderr: String { err.text }

    public func signal(_ signo: Int32) { kill(pid, signo) }

    /// Waits up to `timeout` for the child to exit and reaps it: its exit
    /// code (128 + n after signal n), or nil while it still runs.
    @discardableResult
    public func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let code = exitCode.withLock { code in
                if code == nil, let status = Spawn.wait(pid, options: WNOHANG) { code = Spawn.exitCode(status) }
                return code
            }
            if code != nil || ContinuousClock.now >= deadline { return code }
            usleep(10_000)
        }
    }

    /// SIGKILL and waitpid(2), unless it has been reaped already.
    public func stop() {
        exitCode.withLock { code in
            guard code == nil else { return }
            kill(pid, SIGKILL)
            code = Spawn.wait(pid).map(Spawn.exitCode) ?? -1
        }
    }

    /// /proc/<pid>/comm without its newline; empty once it cannot be read.
    public func comm() -> ByteString { Self.comm(at: "/proc/\(pid)/comm") }

    /// The target of /proc/<pid>/exe, or nil when it cannot be read.
    public var exeLink: ByteString? {
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { raw in
            readlink("/proc/\(pid)/exe", raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
        }
        return n < 0 ? nil : ByteString(buffer[..<n])
    }

    /// The `Name:\tvalue` lines of /proc/<pid>/status (CapEff, NoNewPrivs,
    /// Uid, State, …), values without surrounding blanks.
    public func status() -> [String: String] {
        guard let bytes = try? TestFile.read(ByteString("/proc/\(pid)/status")) else { return [:] }
        var out: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
            let value = line[line.index(after: colon)...].drop(while: blank)
            out[String(line[..<colon])] = String(value.reversed().drop(while: blank).reversed())
        }
        return out
    }

    /// Polls every 5 ms until `condition` holds; throws after `timeout`.
    public func wait(for what: String, timeout: Duration = .seconds(10), until condition: () -> Bool) throws {
        guard Poll.eventually(timeout: timeout, every: .milliseconds(5), condition) else {
            throw TestFailure("pid \(pid): timed out waiting for \(what)")
        }
    }

    /// Waits until the process has exec'd `path` (after a wrapper such as
    /// setpriv or pw-memfd-exec).
    public func waitForExe(_ path: ByteString) throws {
        try wait(for: "exec of \(path.escaped)") { exeLink == path }
    }

    private static func comm(at path: String) -> ByteString {
        guard var bytes = try? TestFile.read(ByteString(path)) else { return "" }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return ByteString(bytes)
    }
}
