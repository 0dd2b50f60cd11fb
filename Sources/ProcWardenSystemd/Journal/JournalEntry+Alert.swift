import ProcWardenKit

extension JournalEntry {
    /// The journal entry of an alert (SPEC §4): `MESSAGE`, `MESSAGE_ID` of its rule,
    /// `PRIORITY` of its severity, `SYSLOG_IDENTIFIER=procwardend`, every
    /// `PROCWARDEN_*` field once, and
    /// `OBJECT_PID` so journald, when the sender is root, adds the process's
    /// `OBJECT_EXE`, `OBJECT_COMM`, …. `objectPID: false` leaves it out: a
    /// late delivery whose pid may now name another process (SPEC §4).
    public init(alert: Alert, objectPID: Bool = true) {
        self.init()
        append(.message, alert.message)
        append(.messageID, ByteString(alert.rule.messageID))
        append(.priority, ByteString(String(alert.priority)))
        append(.syslogIdentifier, ByteString(JournalField.identifier))
        // allFields puts rule and severity first; a stray second copy in
        // `fields` must not make the entry carry two PROCWARDEN_RULE values.
        var seen: Set<AlertField> = []
        for field in alert.allFields where seen.insert(field.name).inserted {
            append(JournalFieldName(field.name), field.value)
        }
        // pid 0: the alert is about a file no process runs (SPEC §3).
        if objectPID && alert.pid > 0 { append(.objectPID, ByteString(String(alert.pid))) }
    }
}
