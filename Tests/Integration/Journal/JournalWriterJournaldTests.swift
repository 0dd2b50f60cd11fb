import CSystemd
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The writer against a real systemd-journald, read back with journalctl.
@Suite(.serialized) struct JournalWriterJournaldTests {
    let logger = Logger(label: "test.journal")

    init() throws { try Journald.ensureRunning() }

    /// Names journald adds itself: trusted `_` fields, `__` addresses, and the
    /// `OBJECT_*` facts it looks up for OBJECT_PID when the sender is root.
    static func sentByUs(_ name: String) -> Bool {
        !name.hasPrefix("_") && (!name.hasPrefix("OBJECT_") || name == "OBJECT_PID")
    }

    @Test func alertEntryCarriesEveryFieldAndJournaldAddsTheObjectFacts() throws {
        let child = try ChildProcess(["sleep", "60"])
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        for (rule, id, priority, severity) in TestAlerts.specTable {
            let alert = TestAlerts.make(rule, pid: child.pid)
            #expect(writer.send(alert) == .journal)
            let records = try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
            try #require(records.count == 1, "\(rule): \(records.count) entries")
            let record = records[0]
            #expect(record.single("MESSAGE") == alert.message)
            #expect(record.single("MESSAGE_ID") == ByteString(id))
            #expect(record.single("PRIORITY") == ByteString(String(priority)))
            #expect(record.single("SYSLOG_IDENTIFIER") == "procwardend")
            #expect(record.single("PROCWARDEN_RULE") == ByteString(rule.rawValue))
            #expect(record.single("PROCWARDEN_SEVERITY") == ByteString(severity))
            for field in alert.fields {
                #expect(record.single(field.name.rawValue) == field.value, "\(field.name)")
            }
            #expect(record["OBJECT_PID"].allSatisfy { $0 == ByteString(String(child.pid)) })
            #expect(!record["OBJECT_PID"].isEmpty)
            #expect(record.single("OBJECT_COMM") == "sleep")
            #expect(record.single("OBJECT_EXE") == "/usr/bin/sleep")
            #expect(record.single("_PID") == ByteString(String(getpid())))
            let ours = Set(record.fields.keys.filter(Self.sentByUs))
            #expect(ours == Set(JournalEntry(alert: alert).fields.map(\.name.rawValue)))
        }
        #expect(writer.statistics.sent == TestAlerts.specTable.count)
        #expect(writer.statistics.failures == 0)
    }

    @Test func hostileValuesCannotForgeFieldsAndArriveByteExact() throws {
        let forged = Array("\nPROCWARDEN_RULE=fake\nMESSAGE_ID=00000000000000000000000000000000\nPRIORITY=0\n".utf8)
        let comm = ByteString(Array("evil".utf8) + forged + [0xff, 0xfe])
        let exe = ByteString(Array("/tmp/x\n(deleted)".utf8) + forged + [0xc3, 0x28, 0x1b] + Array("[2J=\t\\".utf8))
        let message = ByteString(Array("evil[1]: ".utf8) + forged + [0x80])
        let alert = TestAlerts.make(.binaryChange, comm: comm, exe: exe, message: message)
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        #expect(writer.send(alert) == .journal)

        let records = try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
        try #require(records.count == 1)
        let record = records[0]
        #expect(record["PROCWARDEN_RULE"] == ["integrity.binary_change"])
        #expect(record["MESSAGE_ID"] == ["e22e57dc98644c238f6d977e558ee1b3"])
        #expect(record["PRIORITY"] == ["4"])
        #expect(record["PROCWARDEN_COMM"] == [comm])
        #expect(record["PROCWARDEN_EXE"] == [exe])
        #expect(record["MESSAGE"] == [message])
        let ours = Set(record.fields.keys.filter(Self.sentByUs))
        #expect(ours == Set(JournalEntry(alert: alert).fields.map(\.name.rawValue)))
    }

    /// A 4096-byte path and a 300 KB message survive whole (sd_journal_sendv
    /// passes a memfd instead when an entry is too big for one datagram).
    @Test func longValuesArriveWhole() throws {
        let path = ByteString(Array("/".utf8) + Array(repeating: UInt8(ascii: "p"), count: 4094) + [0xff])
        let message = ByteString((0..<300_000).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        let alert = TestAlerts.make(.diskMismatch, exe: path, message: message)
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        #expect(writer.send(alert) == .journal)
        let records = try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
        try #require(records.count == 1)
        #expect(records[0]["PROCWARDEN_EXE"] == [path])
        #expect(records[0]["MESSAGE"] == [message])
    }

    @Test func operationalEntriesReachTheJournal() throws {
        let writer = JournalWriter(mode: .yes, logger: logger)
        let token = UInt64.random(in: 1...UInt64(Int64.max))

        var summary = ScanSummary()
        summary.scanID = token
        summary.processes = 312
        summary.coverage = .partial
        #expect(writer.send(.scanCompleted(summary)) == .journal)
        #expect(
            writer.send(.suppressed(deferred: [.binaryUpdate: 7], dropped: [:], queued: Int(token % 1_000_000)))
                == .journal)
        #expect(
            writer.send(
                .started(
                    capabilities: "cap_sys_ptrace=ep", mode: "test-\(token)", journalMode: .yes, coverage: .partial))
                == .journal)
        let detail = try JournalFieldName("PROCWARDEN_STATE_FILE")
        let tokenField = try JournalFieldName("PROCWARDEN_TEST_TOKEN")
        #expect(
            writer.send(
                .warning(
                    "state corrupt", kind: .state,
                    fields: [.init(detail, "/x\ny"), .init(tokenField, ByteString("\(token)"))])) == .journal)

        let scan = try Journald.entries(matching: "PROCWARDEN_SCAN_ID=\(token)")
        try #require(scan.count == 1)
        #expect(scan[0].single("MESSAGE_ID") == "5f1e5cf51ee64e26b44f1b6444ed69ba")
        #expect(scan[0].single("PRIORITY") == "6")
        #expect(scan[0].single("PROCWARDEN_PROCESSES") == "312")
        #expect(scan[0].single("PROCWARDEN_COVERAGE") == "partial")

        let suppressed = try Journald.entries(matching: "PROCWARDEN_QUEUED=\(token % 1_000_000)")
            .filter { $0.single("MESSAGE_ID") == "b60f2af80cbf468eacdfbaeff74617ae" }
        try #require(suppressed.count >= 1)
        #expect(suppressed.last!.single("PRIORITY") == "4")
        #expect(suppressed.last!.single("PROCWARDEN_SUPPRESSED_INTEGRITY_BINARY_UPDATE") == "7")
        #expect(suppressed.last!.single("PROCWARDEN_SUPPRESSED") == "7")

        let started = try Journald.entries(matching: "PROCWARDEN_MODE=test-\(token)")
        try #require(started.count == 1)
        #expect(started[0].single("MESSAGE_ID") == "45783e68828d45ab9e9a4b6c5a7067f2")
        #expect(started[0].single("PRIORITY") == "5")
        #expect(started[0].single("PROCWARDEN_CAPABILITIES") == "cap_sys_ptrace=ep")

        let warning = try Journald.entries(matching: "PROCWARDEN_TEST_TOKEN=\(token)")
        try #require(warning.count == 1)
        #expect(warning[0].single("PROCWARDEN_WARNING") == "state")
        #expect(warning[0].single("PRIORITY") == "4")
        #expect(warning[0]["MESSAGE_ID"].isEmpty)
        #expect(warning[0].single("PROCWARDEN_STATE_FILE") == "/x\ny")
        #expect(writer.statistics.sent == 4)
    }

    /// The names the writer refuses are the ones journald drops: sent raw with
    /// sd_journal_sendv, they vanish; the edge cases it accepts arrive.
    @Test func rejectedNamesAreExactlyTheOnesJournaldDrops() throws {
        let key = TestAlerts.uniqueKey()
        let rejected = ["lower_case", "1DIGIT", "_TRUSTED", "DASH-NAME", String(repeating: "L", count: 65)]
        let accepted = ["A", "X9_", String(repeating: "M", count: 64)]
        for name in rejected { #expect(JournalFieldName.violation(in: name) != nil, "\(name)") }

        var lines = ["MESSAGE=field name probe", "PROCWARDEN_DEDUP_KEY=\(key)"]
        lines += (rejected + accepted).map { "\($0)=value-of-\($0)" }
        try sendRaw(lines)

        let records = try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(key)")
        try #require(records.count == 1)
        for name in rejected { #expect(records[0][name].isEmpty, "journald kept \(name)") }
        for name in accepted {
            #expect(try JournalFieldName(name).rawValue == name)
            #expect(records[0].single(name) == ByteString("value-of-\(name)"), "journald dropped \(name)")
        }
    }

    @Test func modeNoWritesStderrOnlyAndNeverTheJournal() throws {
        let out = try Pipe()
        let stderrOnly = JournalWriter(mode: .no, output: NonBlockingOutput(descriptor: out.write), logger: logger)
        let alert = TestAlerts.make(.memfdExec)
        #expect(stderrOnly.send(alert) == .stderr)
        #expect(stderrOnly.statistics == .init(sent: 0, failures: 0, written: 1, lost: 0, lastFailure: nil))
        out.closeWrite()
        let parsed = try StderrForm.parse(out.readAll())
        try #require(parsed.count == 1)
        #expect(parsed[0].map(\.name) == JournalEntry(alert: alert).fields.map(\.name.rawValue))
        #expect(parsed[0].map(\.value) == JournalEntry(alert: alert).fields.map(\.value))

        // A later entry from this process that journald has stored proves the
        // earlier one would be there too had it been sent.
        let marker = TestAlerts.make(.memfdExec)
        #expect(JournalWriter(mode: .yes, logger: logger).send(marker) == .journal)
        #expect(try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(marker.dedupKey)").count == 1)
        #expect(
            try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)", count: 1, timeout: .zero).isEmpty)
    }

    @Test func autoEchoesAReadableLineWhenStderrIsATerminal() throws {
        let pty = try PseudoTerminal()
        let writer = JournalWriter(mode: .auto, output: NonBlockingOutput(descriptor: pty.follower), logger: logger)
        #expect(writer.echoesAlerts)
        let alert = TestAlerts.make(.diskMismatch, comm: "evil\nX", message: "evil[1]: deleted\n\u{1b}[2J")
        #expect(writer.send(alert) == .journal)
        let echoed = try pty.read(until: Array("\r\n".utf8))
        #expect(echoed == Array((alert.terminalLine + "\r\n").utf8))
        #expect(try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)").count == 1)

        let pipe = try Pipe()
        #expect(
            !JournalWriter(mode: .auto, output: NonBlockingOutput(descriptor: pipe.write), logger: logger).echoesAlerts)
        #expect(
            !JournalWriter(mode: .yes, output: NonBlockingOutput(descriptor: pty.follower), logger: logger).echoesAlerts
        )
    }

    @Test func sendsFromManyThreadsAreCountedAndNeverInterleave() async throws {
        let writer = JournalWriter(mode: .yes, logger: logger)
        let out = try Pipe()
        try out.reserve(1 << 20)
        let stderrOnly = JournalWriter(mode: .no, output: NonBlockingOutput(descriptor: out.write), logger: logger)
        let comm = ByteString(TestAlerts.uniqueKey())
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<25 {
                        // journald's queue (net.unix.max_dgram_qlen) may be
                        // full for a moment: the send says so at once.
                        let alert = TestAlerts.make(.binaryUpdate, comm: comm)
                        while case .deferred = writer.send(alert, copyIfUndelivered: false) { usleep(1_000) }
                        stderrOnly.send(TestAlerts.make(.binaryUpdate, comm: comm))
                    }
                }
            }
        }
        #expect(writer.statistics.sent == 100)
        #expect(stderrOnly.statistics.written == 100)
        out.closeWrite()
        let parsed = try StderrForm.parse(out.readAll())
        #expect(parsed.count == 100)
        let fieldCount = JournalEntry(alert: TestAlerts.make(.binaryUpdate, comm: comm)).fields.count
        #expect(
            parsed.allSatisfy { $0.count == fieldCount && $0.first { $0.name == "PROCWARDEN_COMM" }?.value == comm })
        #expect(try Journald.entries(matching: "PROCWARDEN_COMM=\(comm)", count: 100).count == 100)
    }

    private func sendRaw(_ lines: [String]) throws {
        var buffer = lines.flatMap { Array($0.utf8) }
        let lengths = lines.map(\.utf8.count)
        let rc = buffer.withUnsafeMutableBytes { raw -> Int32 in
            var offset = 0
            let vectors = lengths.map { length -> iovec in
                defer { offset += length }
                return iovec(iov_base: raw.baseAddress! + offset, iov_len: length)
            }
            return sd_journal_sendv(vectors, Int32(vectors.count))
        }
        guard rc >= 0 else { throw SystemError("sd_journal_sendv", errno: -rc) }
    }
}
