import Glibc
import ProcWardenKit

extension Journald {
    /// The entries one process sent (`_PID=pid`) no earlier than `since`
    /// (realtime µs; an earlier process may have had the same pid), waiting
    /// until one satisfies `predicate`; returns every such entry seen by then.
    public static func entries(
        fromPID pid: pid_t, since: UInt64, timeout: Duration = .seconds(10),
        waitingFor predicate: (JournalRecord) -> Bool = { _ in true }
    ) throws -> [JournalRecord] {
        try entries(matching: ["_PID=\(pid)"], since: since, timeout: timeout) { $0.contains(where: predicate) }
    }
}
