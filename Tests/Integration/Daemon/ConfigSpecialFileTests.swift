import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// SPEC §5 and issue 10: a FIFO, socket or directory where a configuration
/// file should be (main file or drop-in) stops the daemon with exit 78 and
/// one line naming the file, and is rejected on reload with the running
/// settings kept. A FIFO never blocks the daemon: every run here is bounded
/// and fails if it does not finish. A drop-in symlinked to /dev/null is
/// masked.
@Suite(.serialized) struct ConfigSpecialFileTests {
    enum Place: String, CaseIterable, CustomStringConvertible {
        case main
        case dropIn
        var description: String { rawValue }
    }

    /// `procwarden.conf` (IntervalSec=3600) in `scratch`, and the special
    /// file at the main path or as the drop-in `50-special.conf`; the path
    /// of the special file.
    static func arrange(_ special: SpecialFile, at place: Place, in scratch: ScratchDirectory) throws -> String {
        try scratch.makeDirectory("procwarden.conf.d")
        switch place {
        case .main:
            try special.make(at: scratch("procwarden.conf"))
            return scratch("procwarden.conf")
        case .dropIn:
            try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=3600\n")
            try special.make(at: scratch("procwarden.conf.d/50-special.conf"))
            return scratch("procwarden.conf.d/50-special.conf")
        }
    }

    /// Waits up to 10 s for `process` to exit; if it has not (a FIFO blocked
    /// it), opens `fifo` for writing to release it and records a failure.
    static func exitCode(
        of process: ChildProcess, releasing fifo: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> Int32? {
        if let code = process.waitForExit(timeout: .seconds(10)) { return code }
        SpecialFile.releaseReaders(of: fifo)
        Issue.record(
            "still running after 10 s: blocked on \(fifo)? stderr: \(process.stderr)", sourceLocation: sourceLocation)
        return process.waitForExit(timeout: .seconds(5))
    }

    @Test(arguments: SpecialFile.allCases, Place.allCases)
    func exits78WithOneLineNamingTheFile(special: SpecialFile, place: Place) throws {
        let scratch = try ScratchDirectory("config-special", mode: 0o700)
        let path = try Self.arrange(special, at: place, in: scratch)
        let expected = "procwardend: \(path): not a regular file (\(special.kind))"

        let check = try ChildProcess([
            BuildProducts.procwardend, "--check-config", "--config", scratch("procwarden.conf"),
        ])
        #expect(Self.exitCode(of: check, releasing: path) == 78, "\(check.stderr)")
        #expect(check.stdout.isEmpty, "\(check.stdout)")
        ConfigCheckTests.expectOneLine(check.stderr, line: expected)

        // The daemon refuses to start over it the same way.
        let daemon = try ChildProcess([
            BuildProducts.procwardend, "--config", scratch("procwarden.conf"), "--state-dir", scratch("state"),
            "--bus", "none",
        ])
        #expect(Self.exitCode(of: daemon, releasing: path) == 78, "\(daemon.stderr)")
        ConfigCheckTests.expectOneLine(daemon.stderr, line: expected)
        #expect(access(scratch("state"), F_OK) != 0, "it got as far as making its state directory")
    }

    @Test func aDropInSymlinkedToDevNullIsMaskedNotAnError() throws {
        let scratch = try ScratchDirectory("config-masked", mode: 0o700)
        let main = try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=10\n")
        try scratch.makeDirectory("procwarden.conf.d")
        let dropIn = try scratch.write("procwarden.conf.d/10-local.conf", "[Alerts]\nSimilarityThreshold=60\n")
        let masked = scratch("procwarden.conf.d/20-vendor.conf")
        try SpecialFile.mask(at: masked)
        let run = try ToolRun.product("procwardend", ["--check-config", "--config", main])
        #expect(run.status == 0, "\(run.summary)")
        #expect(run.stdoutText == "configuration valid: \(main) \(dropIn) (masked: \(masked))\n")
        #expect(run.stderr.isEmpty, "\(run.stderrText)")
    }
}

/// The same files put in place under a running daemon: SIGHUP rejects each
/// with a warning naming it and the running settings stay; then a drop-in
/// is masked and its setting goes.
@Suite(.serialized) struct ConfigSpecialFileReloadTests {
    init() throws {
        try #require(geteuid() == 0, "the daemon runs as root to reach the test's socket")
        try Journald.ensureRunning()
    }

    @Test func reloadRejectsEachAndKeepsTheSettingsThenMaskingADropInTakesEffect() throws {
        let scratch = try ScratchDirectory("reload-special", mode: 0o700)
        let socket = try NotifySocket(path: scratch("notify.sock"))
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n")
        try scratch.makeDirectory("procwarden.conf.d")
        let (daemon, since) = try launch.start(environment: ["NOTIFY_SOCKET": socket.path])
        let first = socket.wait(timeout: .seconds(120)) { DaemonReloadTests.scanStatuses($0).count >= 1 }
        try #require(DaemonReloadTests.scanStatuses(first).count == 1, "\(first); \(daemon.stderr)")
        #expect(DaemonReloadTests.nextScan(DaemonReloadTests.scanStatuses(first)[0]) == 3600, "\(first)")

        var rejected = 0
        for special in SpecialFile.allCases {
            for place in ConfigSpecialFileTests.Place.allCases {
                let path =
                    place == .main ? launch.configPath : scratch("procwarden.conf.d/50-special.conf")
                if place == .main { #expect(unlink(path) == 0) }
                try special.make(at: path)

                let mark = socket.messages.count
                daemon.signal(SIGHUP)
                let status = Self.reloadStatus(socket, after: mark, releasing: path, daemon: daemon)
                #expect(status.flatMap(DaemonReloadTests.nextScan) == 3600, "\(special) as \(place): \(status ?? "")")
                rejected += 1
                let warnings = try Journald.entries(
                    matching: ["_PID=\(daemon.pid)", "PROCWARDEN_WARNING=config"], since: since
                ) { $0.count >= rejected }
                try #require(warnings.count == rejected, "\(special) as \(place): \(warnings.count) config warnings")
                let message = warnings.last?.single("MESSAGE")?.description ?? ""
                #expect(message.contains("\(path): not a regular file (\(special.kind))"), "\(message)")
                #expect(daemon.waitForExit(timeout: .zero) == nil, "\(daemon.stderr)")

                try special.remove(at: path)
                if place == .main { try scratch.write("procwarden.conf", "[Scan]\nIntervalSec=3600\n") }
            }
        }

        // A drop-in that takes effect, then the same name masked: its setting goes, without a warning.
        let dropIn = try scratch.write("procwarden.conf.d/50-local.conf", "[Scan]\nIntervalSec=1800\n")
        var mark = socket.messages.count
        daemon.signal(SIGHUP)
        #expect(DaemonReloadTests.nextScan(try DaemonReloadTests.reloadStatus(socket, after: mark)) == 1800)
        #expect(unlink(dropIn) == 0)
        try SpecialFile.mask(at: dropIn)
        mark = socket.messages.count
        daemon.signal(SIGHUP)
        #expect(DaemonReloadTests.nextScan(try DaemonReloadTests.reloadStatus(socket, after: mark)) == 3600)
        let warnings = try Journald.entries(
            matching: ["_PID=\(daemon.pid)", "PROCWARDEN_WARNING=config"], since: since, timeout: .seconds(2)
        ) { _ in false }
        #expect(warnings.count == rejected, "the masked drop-in drew a warning")

        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }

    /// The STATUS of the READY=1 that ends the reload; nil (and a recorded
    /// failure) if none comes within 10 s, in which case `path` is opened
    /// for writing so a daemon blocked on it as a FIFO can go on.
    static func reloadStatus(
        _ socket: NotifySocket, after mark: Int, releasing path: String, daemon: ChildProcess,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> String? {
        do {
            return try DaemonReloadTests.reloadStatus(socket, after: mark)
        } catch {
            SpecialFile.releaseReaders(of: path)
            Issue.record("no reload finished: blocked on \(path)? \(daemon.stderr)", sourceLocation: sourceLocation)
            return nil
        }
    }
}
