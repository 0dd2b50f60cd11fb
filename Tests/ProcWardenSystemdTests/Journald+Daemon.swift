import Glibc
import ProcWardenKit
import ProcWardenTestSupport

extension Journald {
    /// Entries matching every one of `matches` (journalctl ANDs matches on
    /// different fields), after `journalctl --sync`, polled every 100 ms until
    /// `condition` holds over them or `timeout` passes; returns what there is.
    static func entries(
        matching matches: [String], timeout: Duration = .seconds(10),
        until condition: ([JournalRecord]) -> Bool
    ) throws -> [JournalRecord] {
        let deadline = ContinuousClock.now + timeout
        while true {
            _ = try ToolRun.run(["journalctl", "--sync"])
            let run = try ToolRun.run(["journalctl", "--no-pager", "--all", "-o", "json"] + matches)
            guard run.succeeded else { throw TestFailure(run.summary) }
            let records = try JournalRecord.parse(jsonLines: run.stdout)
            if condition(records) || ContinuousClock.now >= deadline { return records }
            usleep(100_000)
        }
    }

    /// The entries one process sent (`_PID=pid`) no earlier than `since`
    /// (realtime µs; an earlier process may have had the same pid), waiting
    /// until one satisfies `predicate`; returns every such entry seen by then.
    static func entries(
        fromPID pid: pid_t, since: UInt64, timeout: Duration = .seconds(10),
        waitingFor predicate: (JournalRecord) -> Bool = { _ in true }
    ) throws -> [JournalRecord] {
        let recent = { (records: [JournalRecord]) in
            records.filter { record in record.single("__REALTIME_TIMESTAMP").flatMap { UInt64($0.description) }.map { $0 >= since } ?? false }
        }
        return recent(try entries(matching: ["_PID=\(pid)"], timeout: timeout) { recent($0).contains(where: predicate) })
    }
}
