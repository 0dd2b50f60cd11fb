import ProcWardenKit
import ProcWardenSystemd

extension JournalReader {
    /// Adds the sd_journal matches of `query`: `SYSLOG_IDENTIFIER=procwardend`,
    /// and `PROCWARDEN_RULE` one of the query's rules, and, with a minimum
    /// severity, `PROCWARDEN_SEVERITY` one of those at or above it, and
    /// `_HOSTNAME` one of the query's hosts if it names any. The
    /// journal's field indexes do the filtering; entries without a rule
    /// (the daemon's operational entries) never match.
    public func addMatches(for query: JournalAlertQuery) throws(SystemError) {
        try addMatch(JournalField.syslogIdentifier, ByteString(JournalField.identifier))
        for rule in query.rules { try addMatch(AlertField.rule.rawValue, ByteString(rule.rawValue)) }
        if query.minimumSeverity != nil {
            for severity in query.severities {
                try addMatch(AlertField.severity.rawValue, ByteString(severity.rawValue))
            }
        }
        for host in query.hosts { try addMatch(JournalField.hostname, ByteString(host)) }
    }

    /// The alerts of `query` (after `addMatches(for:)`), oldest first; with
    /// a limit, the newest `limit` of them, as `journalctl -n` picks them.
    /// Afterwards the reader stands on the newest alert returned (or where
    /// the range starts), so `follow` continues with what comes after.
    public func alerts(_ query: JournalAlertQuery) throws(SystemError) -> [JournalAlert] {
        var found: [JournalAlert] = []
        if let limit = query.limit {
            if let until = query.until { try seek(realtime: until &+ 1) } else { try seekTail() }
            var newest: String?
            while found.count < limit, try previous() {
                let timestamp = try realtime()
                if let until = query.until, timestamp > until { continue }
                if let since = query.since, timestamp < since { break }
                if newest == nil { newest = try cursor() }
                if let alert = JournalAlert(fields: try fields(), timestamp: timestamp) { found.append(alert) }
            }
            found.reverse()
            if let newest {
                try seek(cursor: newest)
                _ = try next()
            } else if limit == 0 {
                try seekTail()
                _ = try previous()
            } else {
                // Nothing matches in the range yet: whatever comes is new.
                try seek(realtime: query.since ?? 0)
            }
            return found
        }
        if let since = query.since { try seek(realtime: since) } else { try seekHead() }
        while try next() {
            let timestamp = try realtime()
            if let since = query.since, timestamp < since { continue }
            if let until = query.until, timestamp > until { break }
            if let alert = JournalAlert(fields: try fields(), timestamp: timestamp) { found.append(alert) }
        }
        return found
    }

    /// Delivers the alerts of `query` that are appended after the current
    /// position as they arrive, waiting with sd_journal_wait(3) up to
    /// `pollMicroseconds` at a time, until `shouldStop` says so.
    public func follow(
        _ query: JournalAlertQuery, pollMicroseconds: UInt64 = 200_000, shouldStop: () -> Bool,
        deliver: (JournalAlert) -> Void
    ) throws(SystemError) {
        while !shouldStop() {
            while try next() {
                let timestamp = try realtime()
                guard query.contains(timestamp),
                    let alert = JournalAlert(fields: try fields(), timestamp: timestamp)
                else { continue }
                deliver(alert)
            }
            try wait(timeoutMicroseconds: pollMicroseconds)
        }
    }
}
