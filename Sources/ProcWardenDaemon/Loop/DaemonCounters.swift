import ProcWardenKit
import ProcWardenSystemd

/// The daemon's running totals and last-scan facts: what `STATUS=`, the
/// bus properties and `procwardenctl status` show. Owned by the event loop.
public struct DaemonCounters: Sendable, Equatable {
    public var lastScan: ScanSummary?
    public var bytesHashed: UInt64 = 0
    public var cacheHits: UInt64 = 0
    public var ssdeepFailures: UInt64 = 0
    public var alertsRaised: UInt64 = 0
    public var alertsSuppressed: UInt64 = 0
    /// Alerts journald has not taken yet (held in the queue).
    public var alertsWaiting = 0

    public init() {}

    public mutating func add(_ summary: ScanSummary) {
        lastScan = summary
        bytesHashed += summary.bytesHashed
        cacheHits += UInt64(summary.cacheHits)
        ssdeepFailures += UInt64(summary.ssdeepFailures)
        alertsSuppressed += UInt64(summary.suppressed)
    }

    /// SPEC §8's status line, e.g. `Watching 312 processes, 87 executables,
    /// 40 directories; 0 alerts; next scan in 30s`; the directories are the
    /// inotify watches (SPEC §15), left out with `Watch=no`.
    public func statusLine(nextScanInSeconds: UInt64, watchedDirectories: Int? = nil) -> String {
        let processes = lastScan?.processes ?? 0
        let executables = lastScan?.executables ?? 0
        let directories = watchedDirectories.map { ", \($0) directories" } ?? ""
        var line =
            "Watching \(processes) processes, \(executables) executables\(directories); \(alertsRaised) alerts; next scan in \(nextScanInSeconds)s"
        if lastScan?.coverage == .partial { line += "; coverage partial" }
        if alertsWaiting > 0 { line += "; \(alertsWaiting) alerts waiting for journald" }
        return line
    }
}
