import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// procwardenctl's failures: exactly one line on stderr that says what to
/// do, nothing on stdout, a non-zero status; never a stack trace.
@Suite(.serialized) struct CtlErrorTests {
    /// Every verb that talks to the daemon, with valid arguments.
    static let busVerbs: [[String]] = [
        [], ["status"], ["status", "--json"], ["rescan"], ["list"], ["list", "--state", "deleted"], ["threshold"],
        ["set-threshold", "50"], ["set-threshold", "50", "--runtime"], ["reload"], ["reset-baseline", "/usr/bin/true"],
    ]

    static let noBus = ["DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/procwarden-test-bus"]

    /// Checks the one-line shape and returns the line.
    @discardableResult
    static func expectOneLine(
        _ run: ToolRun, status: Int32, _ comment: Comment? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String {
        let lines = run.stderrText.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == 1, "\(run.summary)", sourceLocation: sourceLocation)
        #expect(run.stderr.last == UInt8(ascii: "\n"), "\(run.summary)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "stdout: \(run.stdoutText)", sourceLocation: sourceLocation)
        #expect(run.status == status, "\(run.summary)", sourceLocation: sourceLocation)
        let line = lines.first ?? ""
        #expect(line.hasPrefix("procwardenctl: "), "\(run.summary)", sourceLocation: sourceLocation)
        #expect(!line.contains("Fatal error") && !line.contains("Backtrac"), sourceLocation: sourceLocation)
        return line
    }

    @Test func daemonNotRunningOnThePrivateBus() throws {
        let bus = try PrivateBus(policy: .permissive)
        for verb in Self.busVerbs {
            let run = try ToolRun.product("procwardenctl", verb, environment: bus.environment)
            let line = Self.expectOneLine(run, status: 69)
            #expect(
                line == "procwardenctl: procwardend is not running; start it with systemctl start procwarden",
                "\(verb)")
        }
    }

    @Test func busUnavailable() throws {
        for verb in Self.busVerbs {
            let run = try ToolRun.product("procwardenctl", verb, environment: Self.noBus)
            let line = Self.expectOneLine(run, status: 69)
            #expect(
                line == "procwardenctl: cannot connect to the system bus (No such file or directory); "
                    + "check that dbus is running", "\(verb)")
        }
    }

    @Test func userBusUnavailable() throws {
        let environment = ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/procwarden-test-session-bus"]
        for arguments in [["--user"], ["--user", "list"], ["threshold", "--user"]] {
            let run = try ToolRun.product("procwardenctl", arguments, environment: environment)
            let line = Self.expectOneLine(run, status: 69)
            #expect(line.hasPrefix("procwardenctl: cannot connect to the user bus ("), "\(arguments)")
        }
    }

    /// Bad values are caught before any bus is touched: with no bus at all,
    /// the line is still about the value.
    @Test(arguments: [
        (["set-threshold", "0"], "procwardenctl: invalid threshold '0'; use a whole number from 1 to 99"),
        (["set-threshold", "100"], "procwardenctl: invalid threshold '100'; use a whole number from 1 to 99"),
        (["set-threshold", "high"], "procwardenctl: invalid threshold 'high'; use a whole number from 1 to 99"),
        (
            ["list", "--state", "bogus"],
            "procwardenctl: invalid state 'bogus'; valid: "
                + "on_disk, deleted, replaced, memfd, kernel, zombie, vanished, inaccessible, hidden"
        ),
        (
            ["reset-baseline", "usr/bin/true"],
            "procwardenctl: invalid path 'usr/bin/true'; give the absolute path of a running executable"
        ),
        (
            ["alerts", "--since", "the day before"],
            "procwardenctl: invalid time 'the day before' for --since; use e.g. '2026-11-26 10:00:00', '10:00', yesterday or -1h"
        ),
        (
            ["alerts", "--until", "2026-02-30"],
            "procwardenctl: invalid time '2026-02-30' for --until; use e.g. '2026-11-26 10:00:00', '10:00', yesterday or -1h"
        ),
        (["alerts", "--follow", "--until", "now"], "procwardenctl: --follow and --until cannot be combined"),
        (["alerts", "--summary", "--follow"], "procwardenctl: --summary cannot be combined with --follow or -n"),
        (["alerts", "--summary", "-n", "3"], "procwardenctl: --summary cannot be combined with --follow or -n"),
        (
            ["alerts", "--merge", "--directory", "/tmp"],
            "procwardenctl: --merge reads this machine's journals; it cannot be combined with --directory or --file"
        ),
        (
            ["alerts", "--directory", "/tmp", "--file", "/tmp/x.journal"],
            "procwardenctl: --directory and --file cannot be combined"
        ),
    ])
    func invalidValue(arguments: [String], expected: String) throws {
        let run = try ToolRun.product("procwardenctl", arguments, environment: Self.noBus)
        let line = Self.expectOneLine(run, status: 64)
        #expect(line == expected)
    }

    /// Values checked by the parser against the spec's names: one line that
    /// lists the valid ones.
    @Test func invalidRuleAndSeverityNameTheValidValues() throws {
        let rule = Self.expectOneLine(
            try ToolRun.product("procwardenctl", ["alerts", "--rule", "integrity.bogus"]), status: 64)
        for valid in AlertRule.allCases { #expect(rule.contains(valid.rawValue), "\(valid)") }
        let severity = Self.expectOneLine(
            try ToolRun.product("procwardenctl", ["alerts", "--severity", "critical"]), status: 64)
        for valid in Severity.allCases { #expect(severity.contains("'\(valid.rawValue)'"), "\(valid)") }
    }

    @Test func usageErrorsAreOneLineToo() throws {
        let unknownOption = Self.expectOneLine(try ToolRun.product("procwardenctl", ["status", "--bogus"]), status: 64)
        #expect(unknownOption == "procwardenctl: Unknown option '--bogus'")
        let missing = Self.expectOneLine(try ToolRun.product("procwardenctl", ["set-threshold"]), status: 64)
        #expect(missing.contains("<N>"))
        let unknownVerb = Self.expectOneLine(try ToolRun.product("procwardenctl", ["frobnicate"]), status: 64)
        #expect(unknownVerb.contains("frobnicate"))
        Self.expectOneLine(try ToolRun.product("procwardenctl", ["completions", "tcsh"]), status: 64)
    }

    @Test func unreadableJournalSource() throws {
        let directory = Self.expectOneLine(
            try ToolRun.product("procwardenctl", ["alerts", "--directory", "/nonexistent/journal"]), status: 1)
        #expect(
            directory == "procwardenctl: cannot open the journal in /nonexistent/journal "
                + "(stat /nonexistent/journal: No such file or directory); check the path and that you may read it")
        let scratch = try ScratchDirectory("notjournal", mode: 0o700)
        let text = scratch("plain.journal")
        try DurableFile.write(Array("not a journal file\n".utf8), to: text)
        let notJournal = Self.expectOneLine(
            try ToolRun.product("procwardenctl", ["alerts", "--file", text]), status: 1)
        #expect(notJournal.hasPrefix("procwardenctl: cannot open the journal files \(text) ("))
    }
}
