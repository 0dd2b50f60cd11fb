import Foundation
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// `procwardenctl alerts` over a collector's journal (SPEC §16): alerts the
/// real journald stored, exported with `journalctl -o export` and written
/// by `systemd-journal-remote` into one file per host, the way a collector
/// receives them: once as this host, once renamed as a second host with a
/// machine ID of its own. Then --host, --summary and --directory/--file
/// through the binary, against what the entries say.
@Suite(.serialized) struct CtlFleetTests {
    let logger = Logger(label: "test.ctl.fleet")
    static let journalRemote = "/lib/systemd/systemd-journal-remote"
    static let otherHost = "fleet-b"
    static let otherMachineID = "2222aaaa2222aaaa2222aaaa2222aaaa"

    init() throws { try Journald.ensureRunning() }

    /// One export-format entry per element, separated as journalctl writes them.
    static func entries(_ export: String) -> [String] {
        export.split(separator: "\n\n").map { String($0) + "\n\n" }
    }

    /// `export` with its `_HOSTNAME=` and `_MACHINE_ID=` lines replaced.
    static func renamed(_ export: String) -> String {
        export.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.hasPrefix("_HOSTNAME=") { return "_HOSTNAME=\(otherHost)" }
            if line.hasPrefix("_MACHINE_ID=") { return "_MACHINE_ID=\(otherMachineID)" }
            return String(line)
        }.joined(separator: "\n")
    }

    /// systemd-journal-remote reading an export stream on stdin into `file`.
    static func receive(_ export: String, into file: String, scratch: ScratchDirectory) throws {
        let input = try scratch.write(file.split(separator: "/").last! + ".export", export)
        let run = try ToolRun.run(["sh", "-c", "exec \"$0\" --output=\"$1\" - <\"$2\"", journalRemote, file, input])
        try #require(run.succeeded, "\(run.summary)")
    }

    struct Fleet {
        var directory: String
        var files: [String]
        var host: String
        var machineID: String
        /// __REALTIME_TIMESTAMP of the alerts per rule, oldest first.
        var times: [AlertRule: [UInt64]]
    }

    /// Three alerts through journald (two disk_mismatch, one memfd_exec),
    /// shipped as this host; the two disk_mismatch ones also as `otherHost`.
    func fleet(_ scratch: ScratchDirectory) throws -> Fleet {
        let comm = ByteString("fleet-\(getpid())-\(WallClock.microseconds())")
        let alerts = [AlertRule.diskMismatch, .diskMismatch, .memfdExec].enumerated().map { i, rule in
            TestAlerts.make(rule, pid: 5000 + Int32(i), comm: comm, exe: "/usr/bin/fleet-test")
        }
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: logger)
        for alert in alerts { #expect(writer.send(alert) == .journal) }
        let stored = try Journald.entries(matching: "PROCWARDEN_COMM=\(comm)", count: 3)
        try #require(stored.count == 3, "journald stored \(stored.count) of 3")
        let export = try ToolRun.run(["journalctl", "--no-pager", "-o", "export", "PROCWARDEN_COMM=\(comm)"])
        try #require(export.succeeded, "\(export.summary)")
        let entries = Self.entries(export.stdoutText)
        try #require(entries.count == 3, "\(export.stdoutText)")

        let directory = scratch("remote")
        try #require(mkdir(directory, 0o755) == 0)
        let mine = directory + "/remote-a.journal"
        let other = directory + "/remote-b.journal"
        try Self.receive(export.stdoutText, into: mine, scratch: scratch)
        let diskMismatch = entries.filter { $0.contains("\nPROCWARDEN_RULE=integrity.disk_mismatch\n") }
        try Self.receive(Self.renamed(diskMismatch.joined()), into: other, scratch: scratch)

        var times: [AlertRule: [UInt64]] = [:]
        for record in stored {
            let rule = try #require(record.single("PROCWARDEN_RULE")?.utf8String.flatMap(AlertRule.init(rawValue:)))
            times[rule, default: []].append(try #require(record.realtime))
        }
        let host = try #require(stored[0].single("_HOSTNAME")?.utf8String)
        let machineID = try #require(stored[0].single("_MACHINE_ID")?.utf8String)
        try #require(host != Self.otherHost && machineID != Self.otherMachineID)
        return Fleet(directory: directory, files: [mine, other], host: host, machineID: machineID, times: times)
    }

    static func jsonLines(_ arguments: [String]) throws -> [[String: Any]] {
        let run = try ToolRun.product("procwardenctl", ["alerts", "--json"] + arguments)
        try #require(run.succeeded, "\(run.summary)")
        #expect(run.stderr.isEmpty, "\(run.stderrText)")
        return try run.stdout.split(separator: UInt8(ascii: "\n")).map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
    }

    /// --summary: one row per host and rule, with the count, the severity
    /// and the newest time the entries carry; the same over --directory and
    /// over the two --file arguments, which sd_journal merges alike.
    @Test func summaryCountsPerHostAndRule() throws {
        let scratch = try ScratchDirectory("fleet", mode: 0o700)
        let fleet = try fleet(scratch)
        let disk = try #require(fleet.times[.diskMismatch])
        let memfd = try #require(fleet.times[.memfdExec])
        let expected: [[String: String]] = [
            [
                "host": fleet.host, "machine_id": fleet.machineID, "rule": "integrity.disk_mismatch", "count": "2",
                "severity": "high", "last_realtime": String(disk.max()!),
            ],
            [
                "host": fleet.host, "machine_id": fleet.machineID, "rule": "integrity.memfd_exec", "count": "1",
                "severity": "high", "last_realtime": String(memfd.max()!),
            ],
            [
                "host": Self.otherHost, "machine_id": Self.otherMachineID, "rule": "integrity.disk_mismatch",
                "count": "2", "severity": "high", "last_realtime": String(disk.max()!),
            ],
        ].sorted { $0["host"]! + $0["rule"]! < $1["host"]! + $1["rule"]! }
        for source in [["--directory", fleet.directory], fleet.files.flatMap { ["--file", $0] }] {
            let rows = try Self.jsonLines(source + ["--summary"]).map { row in
                row.mapValues { "\($0)" }
            }
            #expect(rows.map { Set($0.keys) } == Array(repeating: Set(expected[0].keys), count: rows.count))
            #expect(rows.sorted { $0["host"]! + $0["rule"]! < $1["host"]! + $1["rule"]! } == expected, "\(source)")
        }
        // The table: a header and a line per row naming host, rule and count.
        let table = try ToolRun.product("procwardenctl", ["alerts", "--directory", fleet.directory, "--summary"])
        try #require(table.succeeded, "\(table.summary)")
        let lines = table.stdoutText.split(separator: "\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("HOST "), "\(table.stdoutText)")
        #expect(
            lines.contains {
                $0.hasPrefix(Self.otherHost + " ") && $0.contains(" integrity.disk_mismatch ") && $0.contains(" 2 ")
            },
            "\(table.stdoutText)")
    }

    /// --summary reads a directory file by file, and finds the files that
    /// sd_journal_open_directory(3) finds: those in machine-ID
    /// subdirectories too (a journald layout), not those in other ones.
    @Test func summaryFindsTheFilesTheListingFinds() throws {
        let scratch = try ScratchDirectory("fleet", mode: 0o700)
        let fleet = try fleet(scratch)
        let machineDirectory = fleet.directory + "/" + Self.otherMachineID
        let otherDirectory = fleet.directory + "/not-a-machine"
        try #require(mkdir(machineDirectory, 0o755) == 0 && mkdir(otherDirectory, 0o755) == 0)
        try #require(rename(fleet.files[1], machineDirectory + "/system.journal") == 0)
        try #require(link(fleet.files[0], otherDirectory + "/system.journal") == 0)
        let listed = try Self.jsonLines(["--directory", fleet.directory])
        #expect(listed.count == 5, "the listing found \(listed.count) of 5")
        let rows = try Self.jsonLines(["--directory", fleet.directory, "--summary"])
        #expect(rows.map { $0["count"] as? Int ?? 0 }.reduce(0, +) == listed.count, "\(rows)")

        let missing = try ToolRun.product("procwardenctl", ["alerts", "--directory", scratch("none"), "--summary"])
        #expect(missing.status != 0 && missing.stdout.isEmpty, "\(missing.summary)")
        #expect(missing.stderrText.hasPrefix("procwardenctl: cannot read the journal in \(scratch("none"))"))
        #expect(missing.stderrText.split(separator: "\n").count == 1, "\(missing.stderrText)")
    }

    /// --summary and --host work the same on the local journal (one
    /// sd_journal over it), where other tests may be writing alerts too.
    @Test func summaryAndHostOnTheLocalJournal() throws {
        let since = WallClock.microseconds()
        let scratch = try ScratchDirectory("fleet", mode: 0o700)
        let fleet = try fleet(scratch)
        let epoch = "@\(since / 1_000_000)"
        let rows = try Self.jsonLines(["--since", epoch, "--summary", "--host", fleet.host])
        for (rule, least) in [("integrity.disk_mismatch", 2), ("integrity.memfd_exec", 1)] {
            let row = rows.first { $0["rule"] as? String == rule }
            #expect((row?["count"] as? Int ?? 0) >= least, "\(rule): \(rows)")
            #expect(row?["host"] as? String == fleet.host && row?["machine_id"] as? String == fleet.machineID)
        }
        #expect(rows.allSatisfy { $0["host"] as? String == fleet.host }, "\(rows)")
        #expect(try Self.jsonLines(["--since", epoch, "--summary", "--host", Self.otherHost]).isEmpty)
    }

    /// --host keeps the named hosts' alerts, by _HOSTNAME; repeated, either.
    @Test func hostFilterPicksHostsByName() throws {
        let scratch = try ScratchDirectory("fleet", mode: 0o700)
        let fleet = try fleet(scratch)
        let other = try Self.jsonLines(["--directory", fleet.directory, "--host", Self.otherHost])
        #expect(other.count == 2)
        for record in other {
            #expect(record["host"] as? String == Self.otherHost)
            #expect(record["machine_id"] as? String == Self.otherMachineID)
            #expect(record["rule"] as? String == "integrity.disk_mismatch")
        }
        let mine = try Self.jsonLines(["--directory", fleet.directory, "--host", fleet.host])
        #expect(mine.count == 3 && mine.allSatisfy { $0["machine_id"] as? String == fleet.machineID })
        let both = try Self.jsonLines([
            "--directory", fleet.directory, "--host", fleet.host, "--host", Self.otherHost,
        ])
        #expect(both.count == 5)
        #expect(try Self.jsonLines(["--directory", fleet.directory, "--host", "no-such-host"]).isEmpty)
        let summary = try Self.jsonLines(["--directory", fleet.directory, "--summary", "--host", Self.otherHost])
        #expect(summary.count == 1 && summary.first?["count"] as? Int == 2, "\(summary)")
    }
}
