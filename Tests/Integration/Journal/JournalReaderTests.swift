import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// `JournalReader` and `JournalAlert` in-process, against the real journald.
@Suite(.serialized) struct JournalReaderTests {
    let logger = Logger(label: "test.journal.reader")

    init() throws { try Journald.ensureRunning() }

    /// Sends `entry`, waits until journald stored it (found by `match`).
    func send(_ send: (JournalWriter) -> JournalWriter.Delivery, match: String) throws {
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        #expect(send(writer) == .journal)
        try #require(try Journald.entries(matching: match).count == 1, "journald did not store \(match)")
    }

    /// The alerts whose dedup key is `key`, read with the reader's matches.
    func read(dedupKey key: String, query: JournalAlertQuery = .init()) throws -> [JournalAlert] {
        let reader = try JournalReader(.local)
        try reader.addMatches(for: query)
        try reader.addMatch(AlertField.dedupKey.rawValue, ByteString(key))
        return try reader.alerts(query)
    }

    /// Every field comes back as sent: rule, message, each PROCWARDEN_*
    /// value, in the order the JSON report uses.
    @Test func alertRoundTripsThroughTheJournal() throws {
        let alert = TestAlerts.make(.binaryChange, pid: 31337, comm: "reader-test")
        try send({ $0.send(alert) }, match: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
        let read = try read(dedupKey: alert.dedupKey)
        try #require(read.count == 1)
        #expect(read[0].alert.rule == alert.rule)
        #expect(read[0].alert.message == alert.message)
        #expect(read[0].alert.pid == 31337)
        #expect(read[0].alert.fields == alert.fields)
        #expect(read[0].alert.raisedAtMicroseconds == read[0].timestamp)
        guard case .object(let members) = read[0].json else {
            Issue.record("not an object")
            return
        }
        #expect(
            members.map(\.0) == alert.allFields.map(\.name.jsonKey) + ["message", "timestamp", "host", "machine_id"])
    }

    /// A 300 KB message and a 4 KiB path with NUL, newline and a non-UTF-8
    /// byte come back byte for byte: values are read as bytes, and the
    /// reader lifts sd_journal's data threshold (64 KiB by default, which
    /// sd-journal(3) applies to compressed fields).
    @Test func longAndBinaryValuesComeBackWhole() throws {
        let exe = ByteString(Array("/".utf8) + Array(repeating: UInt8(ascii: "q"), count: 4094) + [0xff, 0x00, 0x0a])
        let message = ByteString((0..<300_000).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        let alert = TestAlerts.make(.diskMismatch, exe: exe, message: message)
        try send({ $0.send(alert) }, match: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
        let read = try read(dedupKey: alert.dedupKey)
        try #require(read.count == 1)
        #expect(read[0].alert.message == message)
        #expect(read[0].alert[.exe] == exe)
    }

    /// The daemon's own entries (here a scan summary) carry
    /// SYSLOG_IDENTIFIER=procwardend but no rule, and never match.
    @Test func operationalEntriesAreNotAlerts() throws {
        let t0 = WallClock.microseconds()
        var summary = ScanSummary()
        summary.scanID = UInt64.random(in: 1_000_000_000...UInt64(Int64.max))
        try send({ $0.send(JournalEntry.scanCompleted(summary)) }, match: "PROCWARDEN_SCAN_ID=\(summary.scanID)")
        let alert = TestAlerts.make(.binaryUpdate)
        try send({ $0.send(alert) }, match: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")

        let query = JournalAlertQuery(since: t0)
        let reader = try JournalReader(.local)
        try reader.addMatches(for: query)
        let found = try reader.alerts(query)
        #expect(found.contains { $0.alert.dedupKey == alert.dedupKey })
        #expect(found.allSatisfy { AlertRule.allCases.contains($0.alert.rule) })

        // Without the matches the summary is there: the filter is what hides it.
        let unfiltered = try JournalReader(.local)
        try unfiltered.addMatch("PROCWARDEN_SCAN_ID", ByteString(String(summary.scanID)))
        try unfiltered.seekHead()
        #expect(try unfiltered.next())
        let fields = try unfiltered.fields()
        #expect(fields.contains { $0.name == "SYSLOG_IDENTIFIER" && $0.value == "procwardend" })
        #expect(JournalAlert(fields: fields, timestamp: try unfiltered.realtime()) == nil)
    }

    /// -n reads backwards from the tail; the reader is then positioned so
    /// that a follower sees only what comes after.
    @Test func newestNThenFollowSeesOnlyLaterAlerts() throws {
        let t0 = WallClock.microseconds()
        let comm = ByteString(TestAlerts.uniqueKey())
        let first = (0..<3).map { _ in TestAlerts.make(.coverageDegraded, comm: comm) }
        for alert in first { try send({ $0.send(alert) }, match: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)") }

        let query = JournalAlertQuery(rule: .coverageDegraded, since: t0, limit: 2)
        let reader = try JournalReader(.local)
        try reader.addMatches(for: query)
        try reader.addMatch(AlertField.comm.rawValue, comm)
        #expect(try reader.alerts(query).map(\.alert.dedupKey) == first.suffix(2).map(\.dedupKey))

        let later = TestAlerts.make(.coverageDegraded, comm: comm)
        try send({ $0.send(later) }, match: "PROCWARDEN_DEDUP_KEY=\(later.dedupKey)")
        var followed: [String] = []
        var rounds = 0
        try reader.follow(
            query, pollMicroseconds: 50_000,
            shouldStop: {
                rounds += 1
                return !followed.isEmpty || rounds > 100
            },
            deliver: { followed.append($0.alert.dedupKey) })
        #expect(followed == [later.dedupKey])
    }

    @Test func fieldsWithoutAKnownRuleAreNoAlert() {
        let base: [(name: String, value: ByteString)] = [("MESSAGE", "m"), ("PROCWARDEN_PID", "12")]
        #expect(JournalAlert(fields: base, timestamp: 1) == nil)
        #expect(JournalAlert(fields: base + [("PROCWARDEN_RULE", "integrity.future_rule")], timestamp: 1) == nil)
        let alert = JournalAlert(
            fields: base + [
                ("PROCWARDEN_RULE", "integrity.memfd_exec"),
                ("PROCWARDEN_RULE", "integrity.binary_update"),
            ], timestamp: 7)
        #expect(alert?.alert.rule == .memfdExec, "the first value of a repeated field counts")
        #expect(alert?.alert.pid == 12)
        #expect(alert?.hostname == nil)
        #expect(
            alert?.json.text
                == #"{"rule":"integrity.memfd_exec","severity":"high","pid":12,"message":"m","timestamp":7,"host":null,"machine_id":null}"#
        )
    }

    @Test func queryMatchesSeverityAndRule() {
        #expect(JournalAlertQuery(minimumSeverity: .medium).severities == [.medium, .high])
        #expect(JournalAlertQuery(minimumSeverity: .low).severities == [.low, .medium, .high])
        #expect(JournalAlertQuery(minimumSeverity: .high).severities == [.high])
        #expect(JournalAlertQuery().rules == AlertRule.allCases)
        #expect(JournalAlertQuery(rule: .binaryUpdate).rules == [.binaryUpdate])
    }
}
