import ProcWardenKit
import ProcWardenSystemd

extension JournalReader {
    /// The alerts of `query` (after `addMatches(for:)`) counted per host and
    /// rule. Reads only the four fields a row needs with
    /// sd_journal_get_data(3), not whole entries: a collector's directory
    /// holds many hosts' alerts.
    public func summary(_ query: JournalAlertQuery) throws(SystemError) -> AlertSummary {
        var summary = AlertSummary()
        if let since = query.since { try seek(realtime: since) } else { try seekHead() }
        while try next() {
            let timestamp = try realtime()
            if let since = query.since, timestamp < since { continue }
            if let until = query.until, timestamp > until { break }
            guard let ruleName = try field(AlertField.rule.rawValue)?.utf8String,
                let rule = AlertRule(rawValue: ruleName)
            else { continue }
            let severity =
                try field(AlertField.severity.rawValue)?.utf8String.flatMap { Severity(rawValue: $0) }
                ?? rule.severity
            summary.add(
                host: try field(JournalField.hostname), machineID: try field(JournalField.machineID), rule: rule,
                severity: severity, realtime: timestamp)
        }
        return summary
    }
}
