import Foundation
import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// The capability sets the running procwardend ends up with in each start
/// mode of SPEC §7, read from /proc/<pid>/status, and what it says about
/// them in the journal.
@Suite(.serialized) struct PrivilegesTests {
    static let target = "0000000000080004"
    static let none = "0000000000000000"
    static let nobody: uid_t = 65534
    static let startedID = "45783e68828d45ab9e9a4b6c5a7067f2"
    static let capabilityWarning = "warning: running without CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE"

    /// setpriv(1) as systemd starts the unit: unprivileged, the two
    /// capabilities ambient and nothing else in the bounding set.
    static let ambientPrefix = [
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "--inh-caps=+dac_read_search,+sys_ptrace", "--ambient-caps=+dac_read_search,+sys_ptrace",
        "--bounding-set=-all,+dac_read_search,+sys_ptrace",
    ]
    /// setpriv(1) to nobody with no capabilities at all.
    static let unprivilegedPrefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    init() throws {
        try #require(geteuid() == 0, "these tests start the daemon as root and as nobody")
        try Journald.ensureRunning()
    }

    @Test(arguments: [nil, "nobody"])
    func startedAsRootKeepsExactlyTheTwoCapabilities(user: String?) throws {
        let scratch = try ScratchDirectory("privileges-root", mode: 0o700)
        let launch = try Procwardend(
            in: scratch, config: "[Scan]\nIntervalSec=3600\n",
            stateOwner: user == nil ? nil : Self.nobody)
        let (daemon, since) = try launch.start(user.map { ["--user", $0] } ?? [])
        let status = try Self.steadyStatus(daemon)

        #expect(status["CapEff"] == Self.target)
        #expect(status["CapPrm"] == Self.target)
        #expect(status["CapBnd"] == Self.target)
        #expect(status["CapInh"] == Self.none)
        #expect(status["CapAmb"] == Self.none)
        #expect(status["NoNewPrivs"] == "1")
        let id = user == nil ? "0" : "65534"
        #expect(status["Uid"] == [id, id, id, id].joined(separator: "\t"))
        #expect(status["Gid"] == [id, id, id, id].joined(separator: "\t"))
        if user != nil { #expect(status["Groups"] == "") }

        try Self.expectStartedEntry(daemon, since: since, mode: "root", coverage: "full", status: status)
        let entries = try Journald.entries(fromPID: daemon.pid, since: since)
        #expect(!entries.contains { $0.single("PROCWARDEN_WARNING") == "capabilities" })
        #expect(!daemon.stderr.contains(Self.capabilityWarning))
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }

    /// A cold scan holds every uncached file open until it is hashed: the
    /// daemon raises its soft RLIMIT_NOFILE from systemd's default 1024 to
    /// the hard limit (/proc/<pid>/limits).
    @Test func raisesTheOpenFileLimitToTheHardLimit() throws {
        let scratch = try ScratchDirectory("privileges-nofile", mode: 0o700)
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n")
        var limit = rlimit()
        try #require(getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        try #require(limit.rlim_max > 1024, "precondition: a hard limit above 1024, not \(limit.rlim_max)")
        let hard = limit.rlim_max == rlim_t.max ? "unlimited" : String(limit.rlim_max)
        // Soft 1024, as systemd starts services; the hard limit as it is.
        let (daemon, _) = try launch.start(prefix: ["prlimit", "--nofile=1024:"])
        defer { daemon.stop() }
        _ = try Self.steadyStatus(daemon)
        let limits = String(decoding: try TestFile.read(ByteString("/proc/\(daemon.pid)/limits")), as: UTF8.self)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }, "\(limits)")
        #expect(
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).prefix(2).map(String.init) == [
                hard, hard,
            ], "\(line)")
    }

    @Test func startedWithAmbientCapabilitiesClearsInheritableAndAmbient() throws {
        let scratch = try ScratchDirectory("privileges-ambient", mode: 0o700)
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n", stateOwner: Self.nobody)
        let (daemon, since) = try launch.start(prefix: Self.ambientPrefix)
        let status = try Self.steadyStatus(daemon)

        #expect(status["CapEff"] == Self.target)
        #expect(status["CapPrm"] == Self.target)
        #expect(status["CapBnd"] == Self.target)
        #expect(status["CapInh"] == Self.none)
        #expect(status["CapAmb"] == Self.none)
        #expect(status["NoNewPrivs"] == "1")
        #expect(status["Uid"] == "65534\t65534\t65534\t65534")

        try Self.expectStartedEntry(daemon, since: since, mode: "ambient", coverage: "full", status: status)
        let entries = try Journald.entries(fromPID: daemon.pid, since: since)
        #expect(!entries.contains { $0.single("PROCWARDEN_WARNING") == "capabilities" })
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }

    /// With the two ambient capabilities, an image readable by root alone
    /// (mode 0700 in a 0700 directory) of a root process is still hashed.
    @Test func ambientCapabilitiesHashAnImageOnlyRootCanRead() throws {
        let scratch = try ScratchDirectory("privileges-secret", mode: 0o700)
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n", stateOwner: Self.nobody)
        let secret = try Self.secretProcess(scratch)
        let expected = try Self.sha256(secret.path)

        let run = try launch.once(prefix: Self.ambientPrefix)
        #expect(run.exitCode == 0 || run.exitCode == 1, "\(run.stderr)")
        let row = try #require(
            run.process(secret.child.pid), "no row for \(secret.child.pid): \(run.stdout.prefix(500))")
        #expect(row["exe_state"] as? String == "on_disk")
        #expect(row["exe"] as? String == secret.path)
        #expect(row["sha256"] as? String == expected)
        // Anything else it could not inspect, the test (root with every
        // capability it has) cannot either: a sandbox's own pid 1, or a
        // process that exited since.
        let inaccessible = run.processes.filter { $0["exe_state"] as? String == "inaccessible" }
        for row in inaccessible {
            let pid = row["pid"] as? Int ?? 0
            #expect(
                !Self.readableByTest(pid: pid_t(pid)),
                "pid \(pid) (\(row["comm"] ?? "")) is inaccessible to the daemon only")
        }
        #expect(!run.stderr.contains(Self.capabilityWarning))
    }

    /// No capabilities: it runs, warns once in the journal and on stderr,
    /// says coverage is partial, reports what it cannot read as
    /// inaccessible, and stops cleanly.
    @Test func withoutCapabilitiesItRunsWithPartialCoverageAndWarnsOnce() throws {
        // Without CAP_DAC_READ_SEARCH, nobody needs search and read rights
        // to reach its configuration: mode 0755.
        let scratch = try ScratchDirectory("privileges-none")
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n", stateOwner: Self.nobody)
        let secret = try Self.secretProcess(scratch)

        let (daemon, since) = try launch.start(prefix: Self.unprivilegedPrefix)
        let status = try Self.steadyStatus(daemon)
        #expect(status["CapEff"] == Self.none)
        #expect(status["CapPrm"] == Self.none)
        #expect(status["CapInh"] == Self.none)
        #expect(status["CapAmb"] == Self.none)
        #expect(status["NoNewPrivs"] == "1")
        #expect(status["Uid"] == "65534\t65534\t65534\t65534")

        try Self.expectStartedEntry(daemon, since: since, mode: "unprivileged", coverage: "partial", status: status)
        let scanned = try Journald.entries(fromPID: daemon.pid, since: since) {
            $0.single("MESSAGE_ID") == "5f1e5cf51ee64e26b44f1b6444ed69ba"
        }
        let summary = try #require(
            scanned.first { $0.single("MESSAGE_ID") == "5f1e5cf51ee64e26b44f1b6444ed69ba" },
            "no scan-completed entry: \(daemon.stderr)")
        #expect(summary.single("PROCWARDEN_COVERAGE") == "partial")

        // A reload does not repeat the warning.
        daemon.signal(SIGHUP)
        #expect(
            Poll.eventually(timeout: .seconds(10)) { daemon.stderr.contains("configuration reloaded") },
            "\(daemon.stderr)")
        #expect(daemon.waitForExit(timeout: .zero) == nil, "the daemon exited: \(daemon.stderr)")
        let warnings = try Journald.entries(fromPID: daemon.pid, since: since).filter {
            $0.single("PROCWARDEN_WARNING") == "capabilities"
        }
        #expect(warnings.count == 1)
        #expect(warnings.first?.single("PRIORITY") == "4")
        #expect(warnings.first?.single("MESSAGE")?.description.contains("coverage is partial") == true)
        let stderrWarnings = daemon.stderr.split(separator: "\n").filter { $0.contains(Self.capabilityWarning) }
        #expect(stderrWarnings.count == 1, "\(daemon.stderr)")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")

        // What it cannot read is reported as such, never as hashed.
        let run = try launch.once(prefix: Self.unprivilegedPrefix)
        #expect(run.exitCode == 0 || run.exitCode == 1, "\(run.stderr)")
        let row = try #require(run.process(secret.child.pid), "\(run.stdout.prefix(500))")
        #expect(row["exe_state"] as? String == "inaccessible")
        #expect(row["sha256"] is NSNull)
        #expect(run.summary["coverage"] as? String == "partial")
        #expect(run.stderr.split(separator: "\n").filter { $0.contains(Self.capabilityWarning) }.count == 1)
    }

    // MARK: - Helpers

    /// /proc/<pid>/status once the daemon has set no_new_privs, the last
    /// step of every start mode.
    static func steadyStatus(_ daemon: ChildProcess) throws -> [String: String] {
        let settled = Poll.eventually(timeout: .seconds(10)) { daemon.status()["NoNewPrivs"] == "1" }
        try #require(
            settled,
            "NoNewPrivs never became 1; exit \(String(describing: daemon.waitForExit(timeout: .zero))): \(daemon.stderr)"
        )
        return daemon.status()
    }

    /// cap_to_text(3) of what the status shows held: the names of CapEff
    /// (from `capsh --decode`) with `=ep` when effective equals permitted,
    /// or `=` for none.
    static func capabilityText(_ status: [String: String]) throws -> String {
        let effective = try #require(status["CapEff"])
        try #require(effective == status["CapPrm"] && status["CapInh"] == none)
        if effective == none { return "=" }
        let decoded = try ToolRun.run(["capsh", "--decode=\(effective)"])
        try #require(decoded.succeeded, "\(decoded.summary)")
        let names = try #require(decoded.stdoutText.split(separator: "=", maxSplits: 1).last)
        return names.trimmingCharacters(in: .whitespacesAndNewlines) + "=ep"
    }

    /// The "started" entry names the mode and the capability set the
    /// process actually holds.
    static func expectStartedEntry(
        _ daemon: ChildProcess, since: UInt64, mode: String, coverage: String,
        status: [String: String]
    ) throws {
        let text = try capabilityText(status)
        let entries = try Journald.entries(fromPID: daemon.pid, since: since) {
            $0.single("MESSAGE_ID") == ByteString(startedID)
        }
        let started = entries.filter { $0.single("MESSAGE_ID") == ByteString(startedID) }
        try #require(started.count == 1, "\(started.count) started entries; stderr: \(daemon.stderr)")
        #expect(started[0].single("PROCWARDEN_MODE") == ByteString(mode))
        #expect(started[0].single("PROCWARDEN_CAPABILITIES") == ByteString(text))
        #expect(started[0].single("PROCWARDEN_COVERAGE") == ByteString(coverage))
        #expect(started[0].single("PRIORITY") == "5")
        let message = started[0].single("MESSAGE")?.description ?? ""
        #expect(message.contains("started as \(mode) with capabilities \(text);"), "\(message)")
    }

    /// A root process running a copy of sleep that only root may read:
    /// mode 0700 in a directory of mode 0700.
    static func secretProcess(_ scratch: ScratchDirectory) throws -> (child: ChildProcess, path: String) {
        let directory = try scratch.makeDirectory("secret", mode: 0o700)
        let path = directory + "/pw-secret-sleep"
        let copy = try ToolRun.run(["install", "-m", "0700", "-o", "root", "-g", "root", "/usr/bin/sleep", path])
        try #require(copy.succeeded, "\(copy.summary)")
        return (try ChildProcess([path, "600"]), path)
    }

    /// Whether the test process can read /proc/<pid>/exe.
    static func readableByTest(pid: pid_t) -> Bool {
        var buffer = [CChar](repeating: 0, count: 4096)
        return readlink("/proc/\(pid)/exe", &buffer, buffer.count) >= 0
    }

    static func sha256(_ path: String) throws -> String {
        let run = try ToolRun.run(["sha256sum", "--", path])
        try #require(run.succeeded, "\(run.summary)")
        return String(run.stdoutText.prefix(64))
    }
}
