import Glibc
import ProcWardenKit
import Testing

/// Reads entries back from the real journal with `journalctl -o json`,
/// matched on values unique to one test, and checks them field by field.
public enum AlertJournal {
    /// Entries matching every one of `matches` (`NAME=value`; the same name
    /// twice means either value, as journalctl(1) combines them) received
    /// at or after `since` (realtime µs; pids wrap, so a `_PID=` match needs
    /// it). Asks journald to sync and polls until `count` entries are there
    /// or `timeout` passes, then returns what there is, oldest first.
    public static func records(
        _ matches: [String], since: UInt64 = 0, atLeast count: Int = 1,
        timeout: Duration = .seconds(10)
    ) throws -> [JournalRecord] {
        try Journald.entries(matching: matches, since: since, timeout: timeout) { $0.count >= count }
    }

    /// The `OBJECT_*` facts journald itself looks up for an entry's
    /// OBJECT_PID (systemd's journald-context.c; OBJECT_PID itself is the
    /// sender's). Any other OBJECT_ field was sent, and counts.
    public static let journaldObjectFields: Set<String> = [
        "OBJECT_UID", "OBJECT_GID", "OBJECT_COMM", "OBJECT_EXE", "OBJECT_CMDLINE", "OBJECT_AUDIT_SESSION",
        "OBJECT_AUDIT_LOGINUID", "OBJECT_CAP_EFFECTIVE", "OBJECT_SELINUX_CONTEXT", "OBJECT_SYSTEMD_CGROUP",
        "OBJECT_SYSTEMD_SESSION", "OBJECT_SYSTEMD_OWNER_UID", "OBJECT_SYSTEMD_UNIT", "OBJECT_SYSTEMD_USER_UNIT",
        "OBJECT_SYSTEMD_SLICE", "OBJECT_SYSTEMD_USER_SLICE", "OBJECT_SYSTEMD_INVOCATION_ID",
    ]

    /// The names an entry carries that the sender chose: not journald's
    /// trusted `_` fields or `__` addresses, and not the `OBJECT_*` facts it
    /// looks up for OBJECT_PID.
    public static func sentNames(_ record: JournalRecord) -> Set<String> {
        Set(record.fields.keys.filter { !$0.hasPrefix("_") && !journaldObjectFields.contains($0) })
    }

    /// Checks that `record` carries exactly the fields of `expected`, each
    /// exactly once and with exactly that value.
    public static func expectExactly(
        _ record: JournalRecord, _ expected: [String: ByteString],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let raised = AlertField.raisedRealtime.rawValue
        #expect(sentNames(record) == Set(expected.keys).union([raised]), sourceLocation: sourceLocation)
        // When the alert was raised: a number, no later than journald received it.
        let raisedAt = record.single(raised)?.utf8String.flatMap { UInt64($0) }
        #expect(raisedAt != nil && raisedAt! <= timestamp(record), "\(raised)", sourceLocation: sourceLocation)
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(record[name] == [value], "\(name)", sourceLocation: sourceLocation)
        }
    }

    /// `__REALTIME_TIMESTAMP`, µs since the epoch.
    public static func timestamp(_ record: JournalRecord) -> UInt64 {
        record.realtime ?? 0
    }
}
