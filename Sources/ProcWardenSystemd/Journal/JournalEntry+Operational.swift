import ProcWardenKit

extension JournalEntry {
    /// The "suppressed" entry that ends a rate-limit window which deferred or
    /// dropped alerts (SPEC §3): totals, then `PROCWARDEN_SUPPRESSED_<RULE>`
    /// for every rule that had any and `PROCWARDEN_DROPPED_<RULE>` for every
    /// rule that lost any.
    public static func suppressed(deferred: [AlertRule: Int], dropped: [AlertRule: Int], queued: Int) -> JournalEntry {
        let deferredTotal = deferred.values.reduce(0, +)
        let droppedTotal = dropped.values.reduce(0, +)
        let perRule = AlertRule.allCases.compactMap { rule -> (AlertRule, Int, Int)? in
            let d = deferred[rule, default: 0]
            let x = dropped[rule, default: 0]
            return d + x > 0 ? (rule, d, x) : nil
        }
        let breakdown = perRule.map { "\($0.0.rawValue) \($0.1 + $0.2)" }.joined(separator: ", ")
        var message =
            "\(deferredTotal + droppedTotal) alerts held back by the rate limit: "
            + "\(deferredTotal) deferred to a later window, \(droppedTotal) dropped because the queue was full"
        if !breakdown.isEmpty { message += " (\(breakdown))" }

        var entry = operational(.suppressed, message: message)
        entry.append(OperationalField.suppressed.name, number(deferredTotal + droppedTotal))
        entry.append(OperationalField.deferred.name, number(deferredTotal))
        entry.append(OperationalField.dropped.name, number(droppedTotal))
        entry.append(OperationalField.queued.name, number(queued))
        for (rule, d, x) in perRule {
            entry.append(OperationalField.suppressed(rule), number(d + x))
            if x > 0 { entry.append(OperationalField.dropped(rule), number(x)) }
        }
        return entry
    }

    /// The "scan completed" entry: the numbers of `ScanSummary`, named like
    /// the JSON summary keys.
    public static func scanCompleted(_ s: ScanSummary) -> JournalEntry {
        let message =
            "Scan \(s.scanID) completed: \(s.processes) processes, \(s.executables) executables "
            + "(\(s.hashed) hashed, \(s.cacheHits) from cache), \(s.alerts) alerts, \(s.suppressed) suppressed, "
            + "coverage \(s.coverage.rawValue), took \(Formatting.fixedPoint(s.durationMicroseconds, unit: 1_000_000, fractionDigits: 3))s"
        var entry = operational(.scanCompleted, message: message)
        entry.append(OperationalField.scanID.name, number(s.scanID))
        entry.append(OperationalField.processes.name, number(s.processes))
        entry.append(OperationalField.executables.name, number(s.executables))
        entry.append(OperationalField.hashed.name, number(s.hashed))
        entry.append(OperationalField.cacheHits.name, number(s.cacheHits))
        entry.append(OperationalField.bytesHashed.name, number(s.bytesHashed))
        entry.append(OperationalField.ssdeepFailures.name, number(s.ssdeepFailures))
        entry.append(OperationalField.alerts.name, number(s.alerts))
        entry.append(OperationalField.suppressed.name, number(s.suppressed))
        entry.append(OperationalField.durationUSec.name, number(s.durationMicroseconds))
        entry.append(OperationalField.coverage.name, ByteString(s.coverage.rawValue))
        entry.append(OperationalField.skippedByDeadline.name, number(s.skippedByDeadline))
        return entry
    }

    /// The "started" entry: version, capability set, how the daemon runs and
    /// where its entries go.
    public static func started(
        capabilities: String, mode: String, journalMode: JournalMode, coverage: Coverage,
        version: String = ProcWarden.version
    ) -> JournalEntry {
        let message =
            "procwardend \(version) started as \(mode) with capabilities \(capabilities); "
            + "coverage \(coverage.rawValue)"
        var entry = operational(.started, message: message)
        entry.append(OperationalField.version.name, ByteString(version))
        entry.append(OperationalField.capabilities.name, ByteString(capabilities))
        entry.append(OperationalField.mode.name, ByteString(mode))
        entry.append(OperationalField.journalMode.name, ByteString(journalMode.rawValue))
        entry.append(OperationalField.coverage.name, ByteString(coverage.rawValue))
        return entry
    }

    /// The entry that ends a backlog held because journald did not take
    /// entries (SPEC §4): how many alerts were delivered late.
    public static func deliveredLate(_ count: Int) -> JournalEntry {
        let message =
            "\(count) alerts were delivered late: journald did not take entries when they were raised; "
            + "each carries PROCWARDEN_RAISED_REALTIME"
        var entry = operational(.deliveredLate, message: message)
        entry.append(OperationalField.deliveredLate.name, number(count))
        return entry
    }

    /// A log message of the daemon (no MESSAGE_ID), as `JournalLogHandler`
    /// sends it.
    public static func logMessage(_ message: ByteString, priority: Int) -> JournalEntry {
        var entry = JournalEntry()
        entry.append(.message, message)
        entry.append(.priority, number(priority))
        entry.append(.syslogIdentifier, ByteString(JournalField.identifier))
        return entry
    }

    /// The "suppressed" entry for a closed rate-limit window.
    public static func suppressed(_ report: SuppressedReport) -> JournalEntry {
        suppressed(deferred: report.deferred, dropped: report.dropped, queued: report.totalDeferred)
    }

    /// A warning (PRIORITY 4, no MESSAGE_ID) such as corrupt state moved aside
    /// or missing capabilities. `kind` goes to `PROCWARDEN_WARNING` so the
    /// warnings can be filtered; `fields` add detail such as a path.
    public static func warning(_ message: ByteString, kind: WarningKind, fields: [Field] = []) -> JournalEntry {
        var entry = JournalEntry()
        entry.append(.message, message)
        entry.append(.priority, number(WarningKind.priority))
        entry.append(.syslogIdentifier, ByteString(JournalField.identifier))
        entry.append(OperationalField.warning.name, ByteString(kind.rawValue))
        for field in fields { entry.append(field.name, field.value) }
        return entry
    }

    private static func operational(_ kind: OperationalMessage, message: String) -> JournalEntry {
        var entry = JournalEntry()
        entry.append(.message, ByteString(message))
        entry.append(.messageID, ByteString(kind.messageID))
        entry.append(.priority, number(kind.priority))
        entry.append(.syslogIdentifier, ByteString(JournalField.identifier))
        return entry
    }

    private static func number(_ n: some BinaryInteger) -> ByteString { ByteString(String(n)) }
}
