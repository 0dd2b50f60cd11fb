import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// The real systemd-journald the tests write to and read back from.
///
/// `ensureRunning()` reuses a journald whose socket answers, or else starts
/// `/lib/systemd/systemd-journald` standalone (it needs root, and creates its
/// own sockets under /run/systemd/journal when not socket-activated). That
/// happens once per test process, under an flock so that two test processes
/// never start two journalds on the same socket. The journald it starts is
/// left running, in its own session, like the system service it stands in
/// for: later test processes reuse it, and stopping it could pull it from
/// under another test process that is using it.
public enum Journald {
    public static let binary = "/lib/systemd/systemd-journald"
    public static let lockPath = "/run/procwarden-tests-journald.lock"
    /// journald's own stdout and stderr, for when it will not start.
    public static let logPath = "/run/procwarden-tests-journald.log"

    /// nil once journald answers; else why it could not be made to.
    public static func ensureRunning() throws {
        if let reason = startOnce { throw TestFailure(reason) }
    }

    private static let startOnce: String? = start()

    private static func start() -> String? {
        if JournalSocket.probe() == nil { return nil }
        guard geteuid() == 0 else { return "no journald answers on \(JournalSocket.path) and starting one needs root" }
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { return "open \(lockPath): \(SystemError("open"))" }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { return "flock \(lockPath): \(SystemError("flock"))" }
        defer { flock(lock, LOCK_UN) }
        if JournalSocket.probe() == nil { return nil }
        // A journald that is still starting, or still shutting down after a
        // kill, is waited for; one is started only when none is alive.
        var started: pid_t?
        for _ in 0..<200 {
            if JournalSocket.probe() == nil { return nil }
            var status: Int32 = 0
            if let pid = started {
                if waitpid(pid, &status, WNOHANG) == pid {
                    return "\(binary) exited with status \(status) before answering; see \(logPath)"
                }
            } else if !liveJournaldExists() {
                guard access(binary, X_OK) == 0 else {
                    return "\(binary) is missing: install the systemd package (scripts/install-deps.sh)"
                }
                do {
                    // In its own session, output to logPath; waited for only if it dies while the tests wait for it.
                    started = try Spawn.start(
                        ByteString(binary), [ByteString(binary)], stdout: logPath, stderr: logPath, newSession: true)
                } catch { return "starting \(binary): \(error)" }
            }
            usleep(50_000)
        }
        return "\(binary) did not answer on \(JournalSocket.path) within 10s "
            + "(\(JournalSocket.probe().map(String.init(describing:)) ?? "")); see \(logPath)"
    }

    /// A process named systemd-journal (comm is cut at 15 bytes) that is not
    /// a zombie, read from /proc/<pid>/stat.
    private static func liveJournaldExists() -> Bool {
        TestFile.list("/proc").filter { Int32($0) != nil }.contains { pid in
            guard let bytes = try? TestFile.read(ByteString("/proc/\(pid)/stat")) else { return false }
            let stat = String(decoding: bytes, as: UTF8.self)
            return stat.contains("(systemd-journal) ") && !stat.contains("(systemd-journal) Z")
        }
    }

    /// Entries matching `match` (e.g. `PROCWARDEN_DEDUP_KEY=<uuid>`), polled
    /// until `count` are there or `timeout` passes; returns what there is.
    public static func entries(matching match: String, count: Int = 1, timeout: Duration = .seconds(10)) throws
        -> [JournalRecord]
    {
        try entries(matching: [match], timeout: timeout) { $0.count >= count }
    }

    /// Entries matching every one of `matches` (`NAME=value`; journalctl
    /// ANDs matches on different fields and ORs those on the same one),
    /// received at or after `since` (realtime µs; pids wrap, so a `_PID=`
    /// match needs it), read with `journalctl -o json --all`. journald writes
    /// asynchronously, so this asks it to sync (`journalctl --sync`) and
    /// polls every 100 ms until `condition` holds over them or `timeout`
    /// passes; returns what there is, oldest first.
    public static func entries(
        matching matches: [String], since: UInt64 = 0, timeout: Duration = .seconds(10),
        until condition: ([JournalRecord]) -> Bool
    ) throws -> [JournalRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            _ = try ToolRun.run(["journalctl", "--sync"])
            let run = try ToolRun.run(["journalctl", "--no-pager", "--all", "-o", "json"] + matches)
            guard run.succeeded else { throw TestFailure(run.summary) }
            let records = try JournalRecord.parse(jsonLines: run.stdout).filter { ($0.realtime ?? 0) >= since }
            if condition(records) || ContinuousClock.now >= deadline { return records }
            usleep(100_000)
        }
    }
}
