import Glibc
import ProcWardenDaemon
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// `procwardend --check-config` and a daemon start over bad configuration
/// (SPEC §5): exit 0 or 78, and one line on stderr naming file:line, key,
/// value and valid range. Parsing each key is covered in UnitTests;
/// these cover the binary.
@Suite(.serialized) struct ConfigCheckTests {
    static let unprivileged = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    static func procwardend(_ arguments: [String], prefix: [String] = []) throws -> ToolRun {
        try ToolRun.product("procwardend", arguments, prefix: prefix)
    }

    @Test func validFilesExitZeroAndAreListed() throws {
        let scratch = try ScratchDirectory("check-good", mode: 0o700)
        let main = try scratch.write(
            "procwarden.conf", "[Scan]\nIntervalSec=10\n\n[Hashing]\nHashWorkers=2\nMaxFileSize=1G\n")
        try scratch.makeDirectory("procwarden.conf.d")
        let dropIn = try scratch.write("procwarden.conf.d/50-local.conf", "[Alerts]\nSimilarityThreshold=60\n")
        let run = try Self.procwardend(["--check-config", "--config", main])
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdoutText == "configuration valid: \(main) \(dropIn)\n")
        #expect(run.stderr.isEmpty, "\(run.stderrText)")
    }

    @Test(arguments: [
        ("[Alerts]\nSimilarityThreshold=100\n", 2, "SimilarityThreshold=100 is out of range (valid: 1–99)"),
        ("# comment\n[Scan]\n\nIntervalSec=90000\n", 4, "IntervalSec=90000 is out of range (valid: 1–86400 seconds)"),
        ("[Hashing]\nMaxFileSize=65G\n", 2, "MaxFileSize=65G is out of range (valid: 1K–64G)"),
        ("[Hashing]\nHashWorkers=65\n", 2, "HashWorkers=65 is out of range (valid: auto or 1–64)"),
        ("[Hashing]\nSsdeepEngine=fast\n", 2, "SsdeepEngine=fast is not an ssdeep engine (valid: native or libfuzzy)"),
        (
            "[Scan]\nIntervalSecs=5\n", 2,
            "unknown key IntervalSecs=5 in [Scan] (valid: IntervalSec, EnumerationTimeoutSec, IgnorePaths, SharedObjects, NewProcessIntervalSec, Watch)"
        ),
        ("[Scanning]\n", 1, "unknown section [Scanning] (valid: [Scan], [Hashing], [Alerts], [Packages])"),
    ])
    func badValueExits78WithOneLineNamingFileLineKeyValueAndRange(text: String, line: Int, problem: String) throws {
        let scratch = try ScratchDirectory("check-bad", mode: 0o700)
        let path = try scratch.write("procwarden.conf", text)
        let check = try Self.procwardend(["--check-config", "--config", path])
        #expect(check.status == 78, "\(check.summary)")
        #expect(check.stdout.isEmpty, "\(check.stdoutText)")
        Self.expectOneLine(check.stderrText, line: "procwardend: \(path):\(line): \(problem)")

        // The daemon refuses to start over it the same way.
        let daemon = try ChildProcess([
            BuildProducts.procwardend, "--config", path, "--state-dir", scratch("state"), "--bus", "none",
        ])
        #expect(daemon.waitForExit(timeout: .seconds(10)) == 78, "\(daemon.stderr)")
        Self.expectOneLine(daemon.stderr, line: "procwardend: \(path):\(line): \(problem)")
        #expect(access(scratch("state"), F_OK) != 0, "it got as far as making its state directory")
    }

    @Test func badDropInIsNamed() throws {
        let scratch = try ScratchDirectory("check-dropin", mode: 0o700)
        let main = try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=10\n")
        try scratch.makeDirectory("procwarden.conf.d")
        let dropIn = try scratch.write("procwarden.conf.d/20-bad.conf", "[Alerts]\nRateLimitBurst=0\n")
        let run = try Self.procwardend(["--check-config", "--config", main])
        #expect(run.status == 78, "\(run.summary)")
        Self.expectOneLine(
            run.stderrText, line: "procwardend: \(dropIn):2: RateLimitBurst=0 is out of range (valid: 1–100000)")
    }

    @Test func missingFileExits78() throws {
        let scratch = try ScratchDirectory("check-missing", mode: 0o700)
        let path = scratch("absent.conf")
        let check = try Self.procwardend(["--check-config", "--config", path])
        #expect(check.status == 78, "\(check.summary)")
        Self.expectOneLine(check.stderrText, line: "procwardend: \(path): cannot read: No such file or directory")
        let daemon = try ChildProcess([
            BuildProducts.procwardend, "--config", path, "--bus", "none", "--state-dir", scratch("state"),
        ])
        #expect(daemon.waitForExit(timeout: .seconds(10)) == 78, "\(daemon.stderr)")
        Self.expectOneLine(daemon.stderr, line: "procwardend: \(path): cannot read: No such file or directory")
    }

    /// A file the daemon's user may not read (0600 root, read by nobody).
    @Test func unreadableFileExits78() throws {
        try #require(geteuid() == 0, "needs root to make a file nobody cannot read")
        // Mode 0755: nobody reaches the file, and only its own mode refuses it.
        let scratch = try ScratchDirectory("check-unreadable")
        let path = try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=10\n", mode: 0o600)
        let check = try Self.procwardend(["--check-config", "--config", path], prefix: Self.unprivileged)
        #expect(check.status == 78, "\(check.summary)")
        Self.expectOneLine(check.stderrText, line: "procwardend: \(path): cannot read: Permission denied")

        let state = try scratch.makeDirectory("state", mode: 0o700, owner: 65534)
        let daemon = try ChildProcess(
            Self.unprivileged + [
                BuildProducts.procwardend, "--config", path, "--bus", "none",
                "--state-dir", state,
            ])
        #expect(daemon.waitForExit(timeout: .seconds(10)) == 78, "\(daemon.stderr)")
        Self.expectOneLine(daemon.stderr, line: "procwardend: \(path): cannot read: Permission denied")

        // The same file is fine for root: the failure was the permission.
        let asRoot = try Self.procwardend(["--check-config", "--config", path])
        #expect(asRoot.status == 0, "\(asRoot.summary)")
    }

    static func expectOneLine(
        _ stderr: String, line expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "not one line: \(stderr)", sourceLocation: sourceLocation)
        #expect(stderr == expected + "\n", "\(stderr)", sourceLocation: sourceLocation)
    }
}
