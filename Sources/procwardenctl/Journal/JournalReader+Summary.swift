import ProcWardenKit
import ProcWardenSystemd

extension JournalReader {
    /// The alerts of `query` in `source` counted per host and rule. A
    /// directory or a list of files is read one file at a time: counting
    /// needs no order across files, and sd_journal keeps every open file's
    /// pages mapped, which over a collector's many hosts would cost memory in
    /// proportion to the fleet. So an entry stored in two files (a copy next
    /// to its original) counts twice here, unlike in the merged listing.
    public static func summary(_ source: Source, _ query: JournalAlertQuery) throws(SystemError) -> AlertSummary {
        let files: [String]
        switch source {
        case .local, .merged:
            let reader = try JournalReader(source)
            try reader.addMatches(for: query)
            return try reader.summary(query)
        case .directory(let path):
            files = try JournalFiles.list(path)
        case .files(let paths):
            files = paths
        }
        var summary = AlertSummary()
        for file in files {
            let reader = try JournalReader(.files([file]))
            try reader.addMatches(for: query)
            try reader.count(query, into: &summary)
        }
        return summary
    }

    /// The alerts of `query` (after `addMatches(for:)`) counted per host and
    /// rule.
    public func summary(_ query: JournalAlertQuery) throws(SystemError) -> AlertSummary {
        var summary = AlertSummary()
        try count(query, into: &summary)
        return summary
    }

    /// Adds the alerts of `query` to `summary`, reading only the four fields
    /// a row needs with sd_journal_get_data(3), not whole entries.
    func count(_ query: JournalAlertQuery, into summary: inout AlertSummary) throws(SystemError) {
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
    }
}
