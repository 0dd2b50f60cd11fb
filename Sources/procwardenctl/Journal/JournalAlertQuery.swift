import ProcWardenKit
import ProcWardenSystemd

/// Which alerts `procwardenctl alerts` reads back: entries with
/// `SYSLOG_IDENTIFIER=procwardend` and a known `PROCWARDEN_RULE`, narrowed
/// by rule, severity, time and host.
public struct JournalAlertQuery: Sendable, Equatable {
    /// Only this rule; nil for every rule.
    public var rule: AlertRule?
    /// This severity and the more severe ones, as `journalctl -p` treats
    /// priorities; nil for all.
    public var minimumSeverity: Severity?
    /// Realtime bounds in µs, both inclusive.
    public var since: UInt64?
    public var until: UInt64?
    /// Only the newest `limit` matches (`-n`).
    public var limit: Int?
    /// Only entries whose `_HOSTNAME` is one of these; empty for every host.
    public var hosts: [String]

    public init(
        rule: AlertRule? = nil, minimumSeverity: Severity? = nil, since: UInt64? = nil, until: UInt64? = nil,
        limit: Int? = nil, hosts: [String] = []
    ) {
        self.hosts = hosts
        self.rule = rule
        self.minimumSeverity = minimumSeverity
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// The `PROCWARDEN_RULE` values that match.
    public var rules: [AlertRule] { rule.map { [$0] } ?? AlertRule.allCases }

    /// The `PROCWARDEN_SEVERITY` values that match.
    public var severities: [Severity] {
        Severity.allCases.filter { minimumSeverity == nil || $0 >= minimumSeverity! }
    }

    func contains(_ timestamp: UInt64) -> Bool {
        (since.map { timestamp >= $0 } ?? true) && (until.map { timestamp <= $0 } ?? true)
    }
}
