import ProcWardenKit
import ProcWardenSystemd

/// Delivers the monitor's alert queue to journald (SPEC §4), for the
/// daemon's event loop and for `--once`.
///
/// One round: the queue releases what the rate limit allows, oldest first;
/// each alert is sent until journald does not take one, which stays at the
/// front with everything behind it (copied to stderr once, when first not
/// taken). "Suppressed" and "delivered late" entries that journald did not
/// take are kept, in memory and bounded, and sent first in the next round,
/// so their counts are not lost with them.
final class AlertDelivery {
    /// What one round did.
    struct Round {
        /// Alerts journald (or, with `--journal no`, stderr) took.
        var delivered: [Alert] = []
        /// Why journald took no more; nil when everything released went out.
        var blocked: SystemError?
    }

    /// Operational entries kept for the next round, at most this many.
    static let pendingBound = 64
    /// An alert delivered later than this after it was raised names its pid
    /// (`OBJECT_PID`) only if the pid still has the same start time.
    static let objectPIDGrace = AlertQueue.lateAfterMicroseconds

    let journal: JournalWriter
    /// Kept entries, and whether each was copied to stderr already.
    private var pending: [(entry: JournalEntry, copied: Bool)] = []

    init(journal: JournalWriter) { self.journal = journal }

    /// Whether operational entries wait for journald.
    var hasPendingEntries: Bool { !pending.isEmpty }

    /// Runs one round over `monitor`'s queue. The caller holds the monitor;
    /// nothing here blocks.
    func run(_ monitor: Monitor, now: UInt64 = WallClock.microseconds()) -> Round {
        var round = Round()
        let release = monitor.release(now: now)
        pending += release.suppressed.map { (JournalEntry.suppressed($0), false) }
        if let blocked = flushPending() {
            round.blocked = blocked
            _ = monitor.settle(release, delivered: 0, now: now)
            copyUnheld(release, from: 0)
            return round
        }
        for (index, alert) in release.batch.enumerated() {
            let entry = JournalEntry(alert: alert, objectPID: Self.mayNameProcess(alert, now: now))
            switch journal.send(entry, echo: alert, copyIfUndelivered: index >= release.alreadyHeld) {
            case .journal, .stderr, .rejected:
                // A rejected entry went to stderr; retrying it would hold up the queue for good.
                round.delivered.append(alert)
            case .deferred(let error):
                round.blocked = error
                copyUnheld(release, from: index + 1)
            }
            if round.blocked != nil { break }
        }
        if let late = monitor.settle(release, delivered: round.delivered.count, now: now) {
            pending.append((JournalEntry.deliveredLate(late), false))
            if let blocked = flushPending() { round.blocked = blocked }
        }
        return round
    }

    /// Sends the kept entries, oldest first; returns why journald stopped
    /// taking them, or nil when all went out.
    private func flushPending() -> SystemError? {
        while let (entry, copied) = pending.first {
            if case .deferred(let error) = journal.send(entry, copyIfUndelivered: !copied) {
                pending[0].copied = true
                for i in pending.indices where !pending[i].copied {
                    journal.copyToStderr(pending[i].entry)
                    pending[i].copied = true
                }
                if pending.count > Self.pendingBound { pending.removeFirst(pending.count - Self.pendingBound) }
                return error
            }
            pending.removeFirst()
        }
        return nil
    }

    /// Copies to stderr the released alerts from `index` on that were not
    /// copied before: journald is not taking entries, so they wait too.
    private func copyUnheld(_ release: AlertQueue.Release, from index: Int) {
        for alert in release.batch.dropFirst(max(index, release.alreadyHeld)) {
            journal.copyToStderr(JournalEntry(alert: alert))
        }
    }

    /// `OBJECT_PID` makes journald attach the fields of whatever process
    /// has that pid when the entry arrives: right for a prompt delivery,
    /// and for a late one only if the pid still has the start time it had
    /// (/proc/<pid>/stat), since pids are reused.
    static func mayNameProcess(_ alert: Alert, now: UInt64) -> Bool {
        if now <= alert.raisedAtMicroseconds &+ objectPIDGrace { return true }
        guard let startTime = alert.processStartTime, let stat = ProcStat.current(pid: alert.pid) else {
            return false
        }
        return stat.startTime == startTime
    }
}
