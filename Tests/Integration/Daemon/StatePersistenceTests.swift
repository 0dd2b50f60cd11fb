import Foundation
import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// The state directory across restarts (SPEC §6): baselines survive a stop,
/// and a corrupt or unknown-version state file is moved aside with a
/// warning in the journal while scanning goes on.
@Suite(.serialized) struct StatePersistenceTests {
    static let scanCompletedID = "5f1e5cf51ee64e26b44f1b6444ed69ba"

    init() throws { try Journald.ensureRunning() }

    /// The daemon learns a baseline and stops (cleanly, or killed: state is
    /// written after every scan); the binary at the path is replaced while
    /// it is down; the next daemon reports binary_change against the
    /// baseline the first one saw.
    @Test(arguments: [SIGTERM, SIGKILL])
    func changeWhileTheDaemonWasDownAlertsAfterRestart(stop: Int32) throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/", scan: ["IntervalSec=3600"])
        let exe = scratch("service")
        try TestFile.copy("/usr/bin/sleep", to: ByteString(exe), appending: Array("v1".utf8))
        let (oldSha, oldSsdeep) = (try ReferenceDigest.sha256(exe), try ReferenceDigest.ssdeep(exe))

        let v1 = try ChildProcess(ByteString(exe), ["service", "600"])
        let started = WallClock.microseconds()
        let first = try Procwardend(in: scratch).start().process
        let scanned = try AlertJournal.records(
            ["_PID=\(first.pid)", "MESSAGE_ID=\(Self.scanCompletedID)"], since: started)
        first.signal(stop)
        #expect(
            first.waitForExit(timeout: .seconds(5)) == (stop == SIGTERM ? 0 : 128 + SIGKILL), "stderr: \(first.stderr)")
        try #require(scanned.count == 1, "the first daemon never finished a scan; stderr: \(first.stderr)")
        #expect(scanned[0].single("PROCWARDEN_ALERTS") == "0", "the first sighting only seeds")

        v1.stop()
        try TestFile.install(TestFile.read("/usr/bin/tail"), at: ByteString(exe))
        let v2 = try ChildProcess(ByteString(exe), ["service", "-f", "/dev/null"])
        let second = try Procwardend(in: scratch).start().process
        defer {
            second.signal(SIGTERM)
            second.waitForExit(timeout: .seconds(5))
        }
        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)", "_PID=\(second.pid)"], since: started)
        try #require(records.count == 1, "stderr: \(second.stderr)")
        let alert = records[0]
        #expect(alert.single("PROCWARDEN_RULE") == "integrity.binary_change")
        #expect(alert.single("PROCWARDEN_PID") == ByteString(String(v2.pid)))
        #expect(alert.single("PROCWARDEN_SHA256") == ByteString(try ReferenceDigest.sha256(exe)))
        #expect(alert.single("PROCWARDEN_BASELINE_SHA256") == ByteString(oldSha))
        #expect(alert.single("PROCWARDEN_BASELINE_SSDEEP") == ByteString(oldSsdeep))
    }

    /// SIGKILL while the daemon rescans every second and writes its state
    /// after each scan: every restart finds the old or the new state, never a
    /// torn file (no warning, nothing moved aside). The state is large
    /// (20000 baselines seeded before the first start), so a write takes a
    /// while; every other round kills the moment a write is seen in progress
    /// (its temporary file exists), the others at a random instant, and at
    /// least one kill must land mid-write, or nothing was proven.
    @Test func sigkillDuringRescansNeverTearsTheStateFile() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/", scan: ["IntervalSec=1"])
        let exe = scratch("steady")
        try TestFile.copy("/usr/bin/sleep", to: ByteString(exe), appending: Array("steady".utf8))
        let target = try ChildProcess(ByteString(exe), ["steady", "600"])
        let stateDirectory = try scratch.makeDirectory("state", mode: 0o700)
        let seeded = 20_000
        var seed = MonitorState(baselines: BaselineStore(capacity: seeded + 16))
        for i in 0..<seeded {
            seed.baselines.record(
                BaselineKey(path: ByteString("/usr/bin/pw-seeded-\(i)")),
                sha256: String(repeating: "5", count: 64), ssdeep: "3:abc:def", at: 1)
        }
        try StateStore(directory: stateDirectory).save(seed)
        let statePath = stateDirectory + "/state.json"
        func leftovers() -> Int { TestFile.list(stateDirectory).filter { $0.hasPrefix(".state.json.tmp-") }.count }
        let started = WallClock.microseconds()
        var pids: [pid_t] = []
        var killedMidWrite = 0
        let rounds = 6
        var newcomers: [ChildProcess] = []
        for round in 0..<rounds {
            let daemon = try Procwardend(in: scratch).start().process
            pids.append(daemon.pid)
            // State is written only when something that matters changed: a
            // new executable each round seeds a baseline, so the next scan writes.
            let newcomer = scratch("newcomer-\(round)")
            try TestFile.copy("/usr/bin/sleep", to: ByteString(newcomer), appending: Array("round \(round)".utf8))
            newcomers.append(try ChildProcess(ByteString(newcomer), ["newcomer", "600"]))
            if round == 0 {
                // Once the first scan is persisted the state has this executable's baseline.
                _ = try AlertJournal.records(
                    ["_PID=\(daemon.pid)", "MESSAGE_ID=\(Self.scanCompletedID)"], since: started)
                let persisted = Poll.eventually(timeout: .seconds(30), every: .milliseconds(50)) {
                    leftovers() == 0
                        && (try? TestFile.read(ByteString(statePath)))
                            .map { String(decoding: $0, as: UTF8.self).contains("steady") } == true
                }
                try #require(persisted, "the first scan's state never reached \(statePath); stderr: \(daemon.stderr)")
            }
            if round.isMultiple(of: 2) {
                usleep(UInt32.random(in: 300_000...1_500_000))
            } else {
                // Kill the moment a write is seen in progress.
                let deadline = ContinuousClock.now + .seconds(30)
                while leftovers() == 0 && ContinuousClock.now < deadline { usleep(500) }
            }
            daemon.signal(SIGKILL)
            #expect(daemon.waitForExit(timeout: .seconds(5)) == 128 + SIGKILL)
            if leftovers() > 0 { killedMidWrite += 1 }
            let bytes = try TestFile.read(ByteString(statePath))
            let state = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            #expect(state?["version"] as? Int == MonitorState.formatVersion, "round \(round)")
            let count = (state?["baselines"] as? [Any])?.count ?? 0
            #expect(
                (seeded + 1...seeded + 2 + round).contains(count),
                "round \(round): the seeded baselines, the one of \(exe) and those of the rounds' new executables: \(count)"
            )
            let loaded = try StateStore(directory: stateDirectory).load()
            #expect(loaded.warning == nil, "round \(round): \(loaded.warning ?? "")")
            #expect(
                loaded.state.baselines[BaselineKey(path: ByteString(exe))] != nil,
                "round \(round): the baseline of \(exe)")
        }
        #expect(killedMidWrite > 0, "no kill landed during a write, so nothing was proven")
        print("StatePersistenceTests: procwardend killed mid-write in \(killedMidWrite) of \(rounds) rounds")
        #expect(!TestFile.list(stateDirectory).contains { $0.hasPrefix("state.json.corrupt-") })
        let warnings = try AlertJournal.records(
            pids.map { "_PID=\($0)" } + ["PROCWARDEN_WARNING=state"],
            since: started, timeout: .zero)
        #expect(warnings.isEmpty, "\(warnings.compactMap { $0.single("MESSAGE")?.escaped })")
        withExtendedLifetime((target, newcomers)) {}
    }

    static func fileID(_ path: String) -> (inode: ino_t, mtime: timespec)? {
        var info = stat()
        return stat(path, &info) == 0 ? (info.st_ino, info.st_mtim) : nil
    }

    /// SPEC §6: state is written only when something that matters changed.
    /// With a scan every second, several scans that find nothing new leave
    /// state.json alone (same inode, same mtime: every write renames a new
    /// file into place); new content in a watched binary changes its
    /// baseline, and the file is rewritten.
    @Test func scansWithNothingChangedDoNotRewriteTheStateFile() throws {
        let scratch = try ScratchDirectory("alert")
        try AlertConfig.write(
            to: scratch("procwarden.conf"), watching: scratch.path + "/",
            scan: ["IntervalSec=1"], alerts: ["ScanSummaryEverySec=1"])
        let exe = scratch("quiet")
        try TestFile.copy("/usr/bin/sleep", to: ByteString(exe), appending: Array("quiet".utf8))
        let target = try ChildProcess(ByteString(exe), ["quiet", "600"])
        let launch = Procwardend(in: scratch)
        let statePath = launch.stateDirectory + "/" + StateStore.fileName
        let started = WallClock.microseconds()
        let daemon = try launch.start().process
        defer {
            daemon.signal(SIGTERM)
            daemon.waitForExit(timeout: .seconds(5))
        }
        func scans(since: UInt64, atLeast count: Int) throws -> Bool {
            try AlertJournal.records(
                ["_PID=\(daemon.pid)", "MESSAGE_ID=\(Self.scanCompletedID)"], since: since, atLeast: count,
                timeout: .seconds(30)
            ).count >= count
        }
        // The first scan seeds the baseline and writes it.
        try #require(try scans(since: started, atLeast: 1), "no first scan; stderr: \(daemon.stderr)")
        let seeded = Poll.eventually(timeout: .seconds(10), every: .milliseconds(50)) {
            (try? TestFile.read(ByteString(statePath))).map { String(decoding: $0, as: UTF8.self).contains("quiet") }
                == true
        }
        try #require(seeded, "the baseline never reached \(statePath)")
        let before = try #require(Self.fileID(statePath))

        // Several scans with nothing new.
        let quietFrom = WallClock.microseconds()
        try #require(try scans(since: quietFrom, atLeast: 3), "fewer than 3 scans; stderr: \(daemon.stderr)")
        let after = try #require(Self.fileID(statePath))
        #expect(after.inode == before.inode, "state.json was replaced by scans that changed nothing")
        #expect(
            after.mtime.tv_sec == before.mtime.tv_sec && after.mtime.tv_nsec == before.mtime.tv_nsec,
            "state.json was modified by scans that changed nothing")

        // New content at the watched path: its baseline changes, state.json is rewritten.
        try TestFile.install(TestFile.read("/usr/bin/tail"), at: ByteString(exe))
        let newSha = try ReferenceDigest.sha256(exe)
        // The content proves the rewrite. Not the inode: ext4 hands a freed
        // inode to the next file, so a second write (the alert queue
        // settling) can bring the first inode number back.
        let rewritten = Poll.eventually(timeout: .seconds(30), every: .milliseconds(50)) {
            (try? TestFile.read(ByteString(statePath))).map {
                String(decoding: $0, as: UTF8.self).contains(newSha)
            } == true
        }
        #expect(rewritten, "the changed baseline was not written; stderr: \(daemon.stderr)")
        withExtendedLifetime(target) {}
    }

    enum Damage: String, CaseIterable, Sendable {
        case garbage, truncated, future
    }

    /// A state file that cannot be used is renamed to
    /// `state.json.corrupt-<time>` with its bytes intact, a warning entry
    /// (`PROCWARDEN_WARNING=state`) names it, and the scan runs and alerts
    /// as usual before a fresh state file is written.
    @Test(arguments: Damage.allCases)
    func corruptStateIsMovedAsideAndScanningGoesOn(damage: Damage) throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let stateDirectory = scratch("state")
        let statePath = stateDirectory + "/state.json"
        let exe = scratch("victim")
        try TestFile.copy("/usr/bin/sleep", to: ByteString(exe), appending: Array("\(damage)".utf8))
        let target = try ChildProcess(ByteString(exe), ["victim", "600"])

        // A real state file first, with this executable's baseline in it.
        let seed = try Procwardend(in: scratch).once()
        #expect(seed.exitCode == 0, "stderr: \(seed.stderr)")
        let valid = try TestFile.read(ByteString(statePath))
        let bad: [UInt8]
        switch damage {
        case .garbage:
            bad = Array("\u{1}\u{2}not json at all {{{".utf8) + [0xff, 0xfe, 0x00]
        case .truncated:
            bad = Array(valid.prefix(valid.count / 2))
        case .future:
            var object = try #require(try JSONSerialization.jsonObject(with: Data(valid)) as? [String: Any])
            #expect(object["version"] as? Int == MonitorState.formatVersion)
            object["version"] = MonitorState.formatVersion + 1
            bad = Array(try JSONSerialization.data(withJSONObject: object))
        }
        try TestFile.unlink(ByteString(statePath))
        try TestFile.write(bad, to: ByteString(statePath), mode: 0o600)

        try TestFile.unlink(ByteString(exe))
        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 1, "the scan ran and raised its high-severity alert; stderr: \(run.stderr)")
        #expect(run.alerts(.diskMismatch, pid: target.pid).count == 1)

        let aside = TestFile.list(stateDirectory).filter { $0.hasPrefix("state.json.corrupt-") }
        try #require(aside.count == 1, "moved aside once: \(TestFile.list(stateDirectory))")
        #expect(aside[0].dropFirst("state.json.corrupt-".count).allSatisfy { $0.isNumber })
        #expect(try TestFile.read(ByteString(stateDirectory + "/" + aside[0])) == bad, "kept byte for byte")

        let warnings = try AlertJournal.records(["_PID=\(run.pid)", "PROCWARDEN_WARNING=state"], since: run.startedAt)
        try #require(warnings.count == 1)
        #expect(warnings[0].single("PRIORITY") == "4")
        #expect(warnings[0].single("SYSLOG_IDENTIFIER") == "procwardend")
        #expect(
            warnings[0].single("MESSAGE")?.description.contains(stateDirectory + "/" + aside[0]) == true,
            "the warning names where the file went: \(warnings[0].single("MESSAGE")?.escaped ?? "none")")
        #expect(
            try AlertJournal.records(["PROCWARDEN_EXE=\(exe)", "_PID=\(run.pid)"], since: run.startedAt).count == 1)

        // A fresh, readable state file replaced the bad one.
        let fresh = try JSONSerialization.jsonObject(with: Data(TestFile.read(ByteString(statePath)))) as? [String: Any]
        #expect(fresh?["version"] as? Int == MonitorState.formatVersion)
    }
}
