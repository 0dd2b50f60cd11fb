/// Field names of the daemon's operational entries (suppressed, scan
/// completed, started, warning), explained in `systemd/procwarden.catalog`.
/// Alert entries use `AlertField`.
public enum OperationalField: String, Sendable, CaseIterable {
    /// Suppressed entry: alerts deferred plus dropped in the window. Scan
    /// completed entry: the scan's `suppressed` count.
    case suppressed = "PROCWARDEN_SUPPRESSED"
    case deferred = "PROCWARDEN_DEFERRED"
    case dropped = "PROCWARDEN_DROPPED"
    /// Alerts still waiting in the deferred queue after the window.
    case queued = "PROCWARDEN_QUEUED"

    case scanID = "PROCWARDEN_SCAN_ID"
    case processes = "PROCWARDEN_PROCESSES"
    case executables = "PROCWARDEN_EXECUTABLES"
    case hashed = "PROCWARDEN_HASHED"
    case cacheHits = "PROCWARDEN_CACHE_HITS"
    case bytesHashed = "PROCWARDEN_BYTES_HASHED"
    case ssdeepFailures = "PROCWARDEN_SSDEEP_FAILURES"
    case alerts = "PROCWARDEN_ALERTS"
    case durationUSec = "PROCWARDEN_DURATION_USEC"
    case coverage = "PROCWARDEN_COVERAGE"
    case skippedByDeadline = "PROCWARDEN_SKIPPED_BY_DEADLINE"

    case version = "PROCWARDEN_VERSION"
    /// The capability set in cap_to_text(3) form.
    case capabilities = "PROCWARDEN_CAPABILITIES"
    /// How the daemon runs, e.g. `root`, `ambient`, `unprivileged`.
    case mode = "PROCWARDEN_MODE"
    case journalMode = "PROCWARDEN_JOURNAL_MODE"

    /// Delivered-late entry: alerts journald took only after a delay.
    case deliveredLate = "PROCWARDEN_DELIVERED_LATE"

    /// What a warning entry is about: a `WarningKind`.
    case warning = "PROCWARDEN_WARNING"

    /// This field for one rule: the name, an `_`, then the rule upper-cased
    /// with `.` as `_` (`PROCWARDEN_SUPPRESSED_INTEGRITY_COVERAGE_DEGRADED`).
    /// Used with `suppressed` and `dropped`.
    public func perRule(_ rule: AlertRule) -> String {
        rawValue + "_" + rule.rawValue.uppercased().replacing(".", with: "_")
    }
}
