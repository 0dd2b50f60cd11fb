import Foundation
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// `procwardenctl alerts` against the real journald: alerts written with
/// the JournalWriter, read back through the binary with each filter and
/// compared by value. Other test processes may write alerts to the same
/// journal at the same time, so each test picks out its own by dedup key
/// (or pid), and checks that everything else it got matches the filter too.
@Suite(.serialized) struct CtlAlertsTests {
    let logger = Logger(label: "test.ctl.alerts")

    init() throws { try Journald.ensureRunning() }

    // MARK: - Helpers

    /// Sends `alerts` and waits until journald has stored every one.
    func write(_ alerts: [Alert]) throws {
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        for alert in alerts { #expect(writer.send(alert) == .journal) }
        for alert in alerts {
            let stored = try Journald.entries(matching: "PROCWARDEN_DEDUP_KEY=\(alert.dedupKey)")
            try #require(stored.count == 1, "journald did not store \(alert.dedupKey)")
        }
    }

    static func uniqueAlerts(_ rules: [AlertRule], pid: Int32 = 4242, comm: ByteString = "ctl-test") -> [Alert] {
        rules.map { TestAlerts.make($0, pid: pid, comm: comm, exe: ByteString("/usr/bin/ctl-test-\($0.rawValue)")) }
    }

    /// `@seconds.micros`, a --since/--until value for an exact instant.
    static func epoch(_ microseconds: UInt64) -> String {
        let fraction = String(microseconds % 1_000_000 + 1_000_000).dropFirst()
        return "@\(microseconds / 1_000_000).\(fraction)"
    }

    static func alerts(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try ToolRun.product("procwardenctl", ["alerts", "--json"] + arguments)
        try #require(run.succeeded, "\(run.summary)")
        #expect(run.stderr.isEmpty, "\(run.stderrText)")
        return try records(run.stdout)
    }

    static func records(_ jsonLines: [UInt8]) throws -> [[String: Any]] {
        try jsonLines.split(separator: UInt8(ascii: "\n")).map { line in
            try #require(
                try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                "not a JSON object: \(String(decoding: line, as: UTF8.self))")
        }
    }

    /// The dedup keys of `records` that belong to `alerts`, in output order.
    static func mine(_ records: [[String: Any]], of alerts: [Alert]) -> [String] {
        let keys = Set(alerts.map(\.dedupKey))
        return records.compactMap { $0["dedup_key"] as? String }.filter { keys.contains($0) }
    }

    /// Waits until the wall clock has passed the next whole second (plus a
    /// margin) and returns that second, in µs.
    static func nextWholeSecond() -> UInt64 {
        let boundary = (WallClock.microseconds() / 1_000_000 + 1) * 1_000_000
        while WallClock.microseconds() < boundary + 50_000 { usleep(10_000) }
        return boundary
    }

    static func hostname() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        _ = buffer.withUnsafeMutableBytes {
            gethostname($0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count - 1)
        }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// What journald stamps as `_MACHINE_ID`: /etc/machine-id.
    static func machineID() throws -> String {
        let bytes = try #require(try DurableFile.read("/etc/machine-id"), "no /etc/machine-id")
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Copies of the journal files journald writes, for `--directory` and
    /// `--file`: a snapshot both procwardenctl and journalctl can read.
    static func copyJournal(to directory: String) throws -> [String] {
        let find = try ToolRun.run(["find", "/run/log/journal", "/var/log/journal", "-name", "*.journal", "-type", "f"])
        let sources = find.stdoutText.split(separator: "\n").map(String.init)
        try #require(!sources.isEmpty, "no journal files found: \(find.summary)")
        _ = try ToolRun.run(["journalctl", "--sync"])
        var copies: [String] = []
        for (i, source) in sources.enumerated() {
            let copy = "\(directory)/copy-\(i).journal"
            let cp = try ToolRun.run(["cp", source, copy])
            try #require(cp.succeeded, "\(cp.summary)")
            copies.append(copy)
        }
        return copies
    }

    // MARK: - Tests

    @Test func ruleFilterAndEveryValue() throws {
        let t0 = WallClock.microseconds()
        let alerts = Self.uniqueAlerts(AlertRule.allCases)
        try write(alerts)
        let t1 = WallClock.microseconds()

        for (rule, alert) in zip(AlertRule.allCases, alerts) {
            let records = try Self.alerts(["--since", Self.epoch(t0), "--rule", rule.rawValue])
            #expect(records.allSatisfy { $0["rule"] as? String == rule.rawValue }, "\(rule)")
            #expect(Self.mine(records, of: alerts) == [alert.dedupKey], "\(rule)")
        }

        // Every value, by type: numbers for pid, uid, similarity, threshold.
        let alert = alerts[1]
        let records = try Self.alerts(["--since", Self.epoch(t0), "--rule", alert.rule.rawValue])
        let record = try #require(records.first { $0["dedup_key"] as? String == alert.dedupKey })
        #expect(
            Set(record.keys)
                == Set(alert.allFields.map(\.name.jsonKey) + ["message", "timestamp", "host", "machine_id"]))
        #expect(record["rule"] as? String == "integrity.memfd_exec")
        #expect(record["severity"] as? String == "high")
        #expect(record["pid"] as? Int == 4242)
        #expect(record["uid"] as? Int == 0)
        #expect(record["similarity"] as? Int == 42)
        #expect(record["threshold"] as? Int == 80)
        #expect(record["comm"] as? String == "ctl-test")
        #expect(record["exe"] as? String == "/usr/bin/ctl-test-integrity.memfd_exec")
        #expect(record["exe_state"] as? String == "memfd")
        #expect(record["sha256"] as? String == String(repeating: "ab", count: 32))
        #expect(record["memfd_name"] as? String == "pwtest-memfd")
        #expect(record["message"] as? String == "ctl-test[4242]: test alert for /usr/bin/ctl-test-integrity.memfd_exec")
        #expect(record["host"] as? String == Self.hostname())
        let machineID = try Self.machineID()
        #expect(record["machine_id"] as? String == machineID)
        let timestamp = try #require(record["timestamp"] as? UInt64)
        #expect(timestamp >= t0 && timestamp <= t1, "\(timestamp) not in \(t0)...\(t1)")
    }

    /// --severity S means S or more severe, like journalctl -p.
    @Test func severityMeansAtLeast() throws {
        let t0 = WallClock.microseconds()
        let alerts = Self.uniqueAlerts(AlertRule.allCases)
        try write(alerts)
        let order: [String: Int] = ["low": 0, "medium": 1, "high": 2]
        for severity in Severity.allCases {
            let records = try Self.alerts(["--since", Self.epoch(t0), "--severity", severity.rawValue])
            #expect(records.allSatisfy { (order[$0["severity"] as? String ?? ""] ?? -1) >= order[severity.rawValue]! })
            let expected = alerts.filter { $0.severity >= severity }.map(\.dedupKey)
            #expect(Self.mine(records, of: alerts) == expected, "\(severity)")
        }
        let both = try Self.alerts([
            "--since", Self.epoch(t0), "--severity", "medium", "--rule", "integrity.binary_update",
        ])
        #expect(Self.mine(both, of: alerts).isEmpty)
    }

    @Test func sinceAndUntil() throws {
        let t0 = WallClock.microseconds()
        let alerts = Self.uniqueAlerts([.binaryUpdate, .binaryUpdate, .binaryUpdate])
        try write([alerts[0]])
        let t1 = Self.nextWholeSecond()
        try write([alerts[1]])
        let t2 = Self.nextWholeSecond()
        try write([alerts[2]])
        let keys = alerts.map(\.dedupKey)
        let rule = ["--rule", "integrity.binary_update"]

        #expect(
            Self.mine(try Self.alerts(rule + ["--since", Self.epoch(t1), "--until", Self.epoch(t2)]), of: alerts)
                == [keys[1]])
        #expect(Self.mine(try Self.alerts(rule + ["--since", Self.epoch(t1)]), of: alerts) == [keys[1], keys[2]])
        #expect(
            Self.mine(try Self.alerts(rule + ["--since", Self.epoch(t0), "--until", Self.epoch(t2)]), of: alerts)
                == [keys[0], keys[1]])

        // The same instants as local wall-clock time, formatted by Foundation.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        func local(_ us: UInt64) -> String {
            formatter.string(from: Date(timeIntervalSince1970: Double(us / 1_000_000)))
        }
        #expect(
            Self.mine(try Self.alerts(rule + ["--since", local(t1), "--until", local(t2)]), of: alerts) == [keys[1]])
        #expect(Self.mine(try Self.alerts(rule + ["--since", local(t2)]), of: alerts) == [keys[2]])

        // Relative to now: all three are less than ten minutes old.
        #expect(Self.mine(try Self.alerts(rule + ["--since", "-10min"]), of: alerts) == keys)
        #expect(Self.mine(try Self.alerts(rule + ["--until", "-10min"]), of: alerts).isEmpty)
        #expect(Self.mine(try Self.alerts(rule + ["--since", "+1h"]), of: alerts).isEmpty)
    }

    /// -n N against journalctl -n N on the same copy of the journal, read
    /// with --directory and with --file.
    @Test func newestNMatchesJournalctlOnACopiedJournal() throws {
        let t0 = WallClock.microseconds()
        let alerts = Self.uniqueAlerts([.binaryChange, .binaryChange, .binaryChange])
        try write(alerts)
        let scratch = try ScratchDirectory("journal-copy", mode: 0o700)
        let directory = scratch.path
        let files = try Self.copyJournal(to: directory)

        func identities(_ records: [[String: Any]]) -> [String] {
            records.map { "\($0["dedup_key"] as? String ?? "?")@\($0["timestamp"] as? UInt64 ?? 0)" }
        }
        func journalctl(_ source: [String], _ arguments: [String]) throws -> [String] {
            let run = try ToolRun.run(
                ["journalctl", "--no-pager", "-o", "json"] + source + arguments
                    + ["SYSLOG_IDENTIFIER=procwardend", "PROCWARDEN_RULE=integrity.binary_change"])
            try #require(run.succeeded, "\(run.summary)")
            return try Self.records(run.stdout).map {
                "\($0["PROCWARDEN_DEDUP_KEY"] as? String ?? "?")@\($0["__REALTIME_TIMESTAMP"] as? String ?? "")"
            }
        }

        let sources: [([String], [String])] = [
            (["--directory", directory], ["--directory", directory]),
            (files.flatMap { ["--file", $0] }, files.map { "--file=\($0)" }),
        ]
        for (ours, theirs) in sources {
            for arguments in [["-n", "1"], ["-n", "3"], ["--since", Self.epoch(t0)]] {
                let records = try Self.alerts(["--rule", "integrity.binary_change"] + ours + arguments)
                let expected = try journalctl(theirs, arguments)
                #expect(identities(records) == expected, "\(ours) \(arguments)")
            }
            // With --since, journalctl -n shows the first N from then on;
            // procwardenctl shows the newest N, as -n means without --since.
            let sinceNewestTwo = try Self.alerts(
                ["--rule", "integrity.binary_change", "--since", Self.epoch(t0), "-n", "2"] + ours)
            #expect(identities(sinceNewestTwo) == Array(try journalctl(theirs, ["--since", Self.epoch(t0)]).suffix(2)))
            let newestTwo = try Self.alerts(
                ["--rule", "integrity.binary_change", "--since", Self.epoch(t0), "-n", "2"] + ours)
            #expect(newestTwo.count == 2)
            let everything = try Self.alerts(["--rule", "integrity.binary_change", "--since", Self.epoch(t0)] + ours)
            #expect(Self.mine(everything, of: alerts) == alerts.map(\.dedupKey))
            #expect(Array(identities(everything).suffix(2)) == identities(newestTwo))
        }
    }

    /// --follow prints alerts as they arrive, then stops with status 0 on
    /// SIGINT.
    @Test func followPrintsNewAlertsUntilInterrupted() throws {
        let t0 = WallClock.microseconds()
        let follower = try ChildProcess([
            BuildProducts.path("procwardenctl"), "alerts", "--follow", "--json", "--rule",
            "integrity.coverage.degraded", "--since", Self.epoch(t0),
        ])
        let alerts = Self.uniqueAlerts([.coverageDegraded, .coverageDegraded])
        func printed() throws -> [String] {
            Self.mine(try Self.records(Array(follower.stdout.utf8)), of: alerts)
        }
        usleep(300_000)
        try write([alerts[0]])
        #expect(
            try Poll.eventually(timeout: .seconds(10)) { try printed() == [alerts[0].dedupKey] },
            "first alert not printed: \(follower.stdout) \(follower.stderr)")
        try write([alerts[1]])
        #expect(
            try Poll.eventually(timeout: .seconds(10)) { try printed().count == 2 },
            "second alert not printed: \(follower.stdout) \(follower.stderr)")
        #expect(follower.waitForExit(timeout: .milliseconds(200)) == nil, "the follower must keep running")
        follower.signal(SIGINT)
        #expect(follower.waitForExit(timeout: .seconds(5)) == 0)
        #expect(try printed() == alerts.map(\.dedupKey))
        #expect(follower.stderr.isEmpty, "\(follower.stderr)")
    }

    /// Without --json: one line per alert, every hostile byte escaped.
    @Test func readableLineIsOneEscapedLine() throws {
        let t0 = WallClock.microseconds()
        let pid = Int32.random(in: 3_000_000...3_999_999)
        let comm = ByteString(Array("ctl\nfake\u{1b}[2J".utf8) + [0xff])
        let exe = ByteString(Array("/tmp/a\tb\\c".utf8) + [0xfe])
        let message = ByteString(Array("ctl[\(pid)]: first\nPROCWARDEN_RULE=forged".utf8))
        let alert = TestAlerts.make(.diskMismatch, pid: pid, comm: comm, exe: exe, message: message)
        try write([alert])
        let run = try ToolRun.product(
            "procwardenctl", ["alerts", "--since", Self.epoch(t0), "--rule", "integrity.disk_mismatch"])
        try #require(run.succeeded, "\(run.summary)")
        let lines = run.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let mine = lines.filter { $0.contains(" pid=\(pid) ") }
        try #require(mine.count == 1, "\(run.stdoutText)")
        let line = String(mine[0])
        let stamp = String(line.prefix(19))
        let expectedTail =
            " \(Self.hostname()) [high] integrity.disk_mismatch pid=\(pid) "
            + "comm=ctl\\nfake\\x1b[2J\\xff exe=/tmp/a\\tb\\\\c\\xfe: ctl[\(pid)]: first\\nPROCWARDEN_RULE=forged"
        #expect(String(line.dropFirst(19)) == expectedTail)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let date = try #require(formatter.date(from: stamp), "\(stamp)")
        let seconds = UInt64(date.timeIntervalSince1970)
        #expect(seconds >= t0 / 1_000_000 && seconds <= WallClock.microseconds() / 1_000_000, "\(stamp)")
        #expect(!run.stdout.contains(0x1b))
    }

    /// A path that is not UTF-8 comes out as an array of byte values, as
    /// journalctl -o json writes it.
    @Test func binaryValuesAreByteArraysInJSON() throws {
        let t0 = WallClock.microseconds()
        let exe = ByteString(Array("/tmp/ctl-\u{e9}".utf8) + [0xff, 0x0a])
        let alert = TestAlerts.make(.memfdExec, comm: "ctl-binary", exe: exe)
        try write([alert])
        let records = try Self.alerts(["--since", Self.epoch(t0), "--rule", "integrity.memfd_exec"])
        let record = try #require(records.first { $0["dedup_key"] as? String == alert.dedupKey })
        #expect(record["exe"] as? [Int] == exe.bytes.map(Int.init))
        #expect(record["comm"] as? String == "ctl-binary")
    }
}
