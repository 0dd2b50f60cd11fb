import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@Suite struct JournalEntryTests {
    /// integrity.preload of an untrusted object is high: the entry's
    /// PRIORITY and PROCWARDEN_SEVERITY follow the alert, not the rule.
    @Test func severityOverrideSetsPriorityAndSeverity() {
        var alert = TestAlerts.make(.preload)
        #expect(JournalEntry(alert: alert).priority == 4)
        alert.severityOverride = .high
        let entry = JournalEntry(alert: alert)
        #expect(entry.priority == 3)
        #expect(entry[.init(AlertField.severity)] == "high")
        #expect(entry[.messageID] == ByteString(AlertRule.preload.messageID))
    }

    static let specTable = TestAlerts.specTable

    @Test func alertEntryHasTheStandardFieldsThenEveryAlertFieldThenObjectPID() {
        for (rule, id, priority, severity) in Self.specTable {
            let alert = TestAlerts.make(rule, pid: 4242)
            let entry = JournalEntry(alert: alert)
            let names = entry.fields.map(\.name.rawValue)
            let expected =
                ["MESSAGE", "MESSAGE_ID", "PRIORITY", "SYSLOG_IDENTIFIER"]
                + alert.allFields.map(\.name.rawValue) + ["OBJECT_PID"]
            #expect(names == expected)
            #expect(entry[.messageID] == ByteString(id))
            #expect(entry.priority == priority)
            #expect(entry[.syslogIdentifier] == "procwardend")
            #expect(entry[JournalFieldName(.rule)] == ByteString(rule.rawValue))
            #expect(entry[JournalFieldName(.severity)] == ByteString(severity))
            #expect(entry[.objectPID] == "4242")
            #expect(entry[.message] == alert.message)
            for field in alert.fields { #expect(entry[JournalFieldName(field.name)] == field.value) }
        }
    }

    @Test func aStrayRuleFieldCannotAddASecondRule() {
        var alert = TestAlerts.make(.diskMismatch)
        alert.fields.append(.init(.rule, "fake"))
        alert.fields.append(.init(.severity, "low"))
        let entry = JournalEntry(alert: alert)
        #expect(entry.values(of: JournalFieldName(.rule)) == ["integrity.disk_mismatch"])
        #expect(entry.values(of: JournalFieldName(.severity)) == ["high"])
    }

    @Test func suppressedEntryCountsPerRule() {
        let entry = JournalEntry.suppressed(
            deferred: [.diskMismatch: 3, .binaryUpdate: 2, .memfdExec: 0], dropped: [.binaryUpdate: 1], queued: 4)
        var fields: [String: String] = [:]
        for field in entry.fields { fields[field.name.rawValue] = field.value.utf8String }
        #expect(
            fields == [
                "MESSAGE": "6 alerts held back by the rate limit: 5 deferred to a later window, "
                    + "1 dropped because the queue was full (integrity.disk_mismatch 3, integrity.binary_update 3)",
                "MESSAGE_ID": "b60f2af80cbf468eacdfbaeff74617ae",
                "PRIORITY": "4",
                "SYSLOG_IDENTIFIER": "procwardend",
                "PROCWARDEN_SUPPRESSED": "6",
                "PROCWARDEN_DEFERRED": "5",
                "PROCWARDEN_DROPPED": "1",
                "PROCWARDEN_QUEUED": "4",
                "PROCWARDEN_SUPPRESSED_INTEGRITY_DISK_MISMATCH": "3",
                "PROCWARDEN_SUPPRESSED_INTEGRITY_BINARY_UPDATE": "3",
                "PROCWARDEN_DROPPED_INTEGRITY_BINARY_UPDATE": "1",
            ])
        #expect(entry.fields.count == fields.count)
    }

    @Test func scanCompletedEntryCarriesTheSummary() {
        var summary = ScanSummary()
        summary.scanID = 17
        summary.processes = 312
        summary.executables = 87
        summary.hashed = 5
        summary.cacheHits = 82
        summary.bytesHashed = 123_456
        summary.ssdeepFailures = 1
        summary.alerts = 2
        summary.suppressed = 3
        summary.durationMicroseconds = 1_234_567
        summary.coverage = .partial
        summary.skippedByDeadline = 4
        let entry = JournalEntry.scanCompleted(summary)
        #expect(
            entry[.message]
                == ByteString(
                    "Scan 17 completed: 312 processes, 87 executables (5 hashed, 82 from cache), "
                        + "2 alerts, 3 suppressed, coverage partial, took 1.235s"))
        #expect(entry[.messageID] == "5f1e5cf51ee64e26b44f1b6444ed69ba")
        #expect(entry.priority == 6)
        let expected: [(OperationalField, ByteString)] = [
            (.scanID, "17"), (.processes, "312"), (.executables, "87"), (.hashed, "5"), (.cacheHits, "82"),
            (.bytesHashed, "123456"), (.ssdeepFailures, "1"), (.alerts, "2"), (.suppressed, "3"),
            (.durationUSec, "1234567"), (.coverage, "partial"), (.skippedByDeadline, "4"),
        ]
        for (field, value) in expected { #expect(entry.values(of: field.name) == [value], "\(field)") }
    }

    @Test func startedEntryCarriesCapabilitiesAndMode() {
        let entry = JournalEntry.started(
            capabilities: "cap_dac_read_search,cap_sys_ptrace=ep", mode: "root", journalMode: .auto, coverage: .full)
        #expect(entry[.messageID] == "45783e68828d45ab9e9a4b6c5a7067f2")
        #expect(entry.priority == 5)
        #expect(entry[OperationalField.capabilities.name] == "cap_dac_read_search,cap_sys_ptrace=ep")
        #expect(entry[OperationalField.mode.name] == "root")
        #expect(entry[OperationalField.journalMode.name] == "auto")
        #expect(entry[OperationalField.coverage.name] == "full")
        #expect(entry[OperationalField.version.name] == ByteString(ProcWarden.version))
        #expect(
            entry[.message]
                == ByteString(
                    "procwardend \(ProcWarden.version) started as root with capabilities "
                        + "cap_dac_read_search,cap_sys_ptrace=ep; coverage full"))
    }

    @Test func warningEntryHasPriorityFourAndNoMessageID() throws {
        let path = try JournalFieldName("PROCWARDEN_STATE_FILE")
        let entry = JournalEntry.warning(
            "state file is corrupt; moved aside", kind: .state,
            fields: [.init(path, "/var/lib/procwarden/state.json")])
        #expect(
            entry.fields.map(\.name.rawValue)
                == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "PROCWARDEN_WARNING", "PROCWARDEN_STATE_FILE"])
        #expect(entry.priority == 4)
        #expect(entry[.messageID] == nil)
        #expect(entry[OperationalField.warning.name] == "state")
    }

    @Test func stderrFormIsOneLinePerFieldAndRoundTripsHostileBytes() throws {
        let hostile = ByteString(
            Array("a\\b\nPROCWARDEN_RULE=fake\n\tx\u{1b}[2J=".utf8) + [0xff, 0xc3, 0x28, 0xc2, 0x85, 0x7f, 0])
        let alert = TestAlerts.make(
            .memfdExec, comm: hostile, exe: ByteString(Array("/tmp/ü\n(deleted)".utf8) + [0x80]))
        let entry = JournalEntry(alert: alert)
        let form = entry.stderrForm
        let lines = form.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // n field lines, the empty line that ends the entry, and the empty tail after the last newline.
        #expect(lines.count == entry.fields.count + 2)
        #expect(lines.suffix(2).allSatisfy { $0.isEmpty })
        #expect(!form.contains(0x1b))
        #expect(lines.filter { $0.starts(with: Array("PROCWARDEN_RULE=".utf8)) }.count == 1)
        let parsed = try StderrForm.parse(form)
        #expect(parsed.count == 1)
        #expect(parsed[0].map(\.name) == entry.fields.map(\.name.rawValue))
        #expect(parsed[0].map(\.value) == entry.fields.map(\.value))
        #expect(parsed[0].first { $0.name == "PROCWARDEN_COMM" }?.value == hostile)
    }

    @Test func terminalLineIsOneEscapedLine() {
        let alert = TestAlerts.make(
            .diskMismatch, pid: 812,
            message: ByteString(Array("sshd[812]: evil\n\u{1b}[31mred".utf8) + [0xff]))
        #expect(alert.terminalLine == #"procwardend: [high] integrity.disk_mismatch: sshd[812]: evil\n\x1b[31mred\xff"#)
    }

    /// journald's native protocol: `NAME=value\n`, or for a value with a
    /// newline `NAME\n`, a little-endian 64-bit length, the bytes, `\n`.
    @Test func nativeFormFramesNewlinesByLength() throws {
        var entry = JournalEntry()
        entry.append(.message, "plain=value")
        let hostile = ByteString(Array("a\nPROCWARDEN_RULE=fake\n".utf8) + [0xff])
        try entry.append("PROCWARDEN_EXE", hostile)
        var expected = Array("MESSAGE=plain=value\n".utf8)
        expected += Array("PROCWARDEN_EXE\n".utf8)
        expected += [UInt8(hostile.bytes.count), 0, 0, 0, 0, 0, 0, 0]
        expected += hostile.bytes + [UInt8(ascii: "\n")]
        #expect(entry.nativeForm == expected)
    }
}
