import Foundation
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// Each alert rule end to end: a real process started from a temporary copy
/// of a binary, a real `procwardend --once` (or, for the ssdeep failure, the
/// real Monitor with a failing fuzzy engine and the real JournalWriter), a
/// real journald, and the entry read back with journalctl and checked field
/// by field against values found independently (sha256sum, ssdeep, /proc).
@Suite(.serialized) struct RuleJournalTests {
    static let sleep = "/usr/bin/sleep"
    static let tail = "/usr/bin/tail"

    init() throws { try Journald.ensureRunning() }

    /// The fields every alert entry carries, for a process of ours (uid 0,
    /// the test runs as root) whose baseline key is its plain path.
    static func common(
        _ rule: AlertRule, message: String, pid: pid_t, comm: ByteString, exe: ByteString,
        state: ExeState, identity: ByteString? = nil, sha256: String
    ) -> [String: ByteString] {
        [
            "MESSAGE": ByteString(message),
            "MESSAGE_ID": ByteString(rule.messageID),
            "PRIORITY": ByteString(String(rule.priority)),
            "SYSLOG_IDENTIFIER": "procwardend",
            "PROCWARDEN_RULE": ByteString(rule.rawValue),
            "PROCWARDEN_SEVERITY": ByteString(rule.severity.rawValue),
            "PROCWARDEN_DEDUP_KEY": ByteString(
                RulesEngine.dedupKey(
                    rule: rule, identity: BaselineKey(path: identity ?? exe), sha256: sha256)),
            "PROCWARDEN_PID": ByteString(String(pid)),
            "PROCWARDEN_UID": ByteString(String(getuid())),
            "PROCWARDEN_COMM": comm,
            "PROCWARDEN_EXE": exe,
            "PROCWARDEN_EXE_STATE": ByteString(state.rawValue),
            "PROCWARDEN_SHA256": ByteString(sha256),
            "OBJECT_PID": ByteString(String(pid)),
        ]
    }

    /// The severities of table §3 and their priorities, spelled out rather
    /// than taken from AlertRule.
    @Test func ruleTableMatchesTheSpecification() {
        #expect(AlertRule.diskMismatch.priority == 3 && AlertRule.diskMismatch.severity == .high)
        #expect(AlertRule.memfdExec.priority == 3 && AlertRule.memfdExec.severity == .high)
        #expect(AlertRule.binaryChange.priority == 4 && AlertRule.binaryChange.severity == .medium)
        #expect(AlertRule.binaryUpdate.priority == 5 && AlertRule.binaryUpdate.severity == .low)
        #expect(AlertRule.coverageDegraded.priority == 4 && AlertRule.coverageDegraded.severity == .medium)
    }

    /// Two deleted images: one with a new file at its path (reported as
    /// on_disk_sha256), one with nothing there.
    @Test func deletedImageIsDiskMismatch() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let (exe, gone) = (scratch("victim"), scratch("gone"))
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(exe), appending: Array("victim".utf8))
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(gone), appending: Array("gone".utf8))
        let (sha, ssdeep) = (try ReferenceDigest.sha256(exe), try ReferenceDigest.ssdeep(exe))
        let (goneSha, goneSsdeep) = (try ReferenceDigest.sha256(gone), try ReferenceDigest.ssdeep(gone))
        let victim = try ChildProcess(ByteString(exe), ["victim", "600"])
        let orphan = try ChildProcess(ByteString(gone), ["gone", "600"])
        try TestFile.unlink(ByteString(exe))
        try TestFile.write(Array("#!/bin/sh\necho installed later\n".utf8), to: ByteString(exe))
        let onDiskSha = try ReferenceDigest.sha256(exe)
        try TestFile.unlink(ByteString(gone))

        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 1, "a high-severity alert was raised; stderr: \(run.stderr)")
        #expect(run.alerts.count == 2)

        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"])
        try #require(records.count == 1)
        var expected = Self.common(
            .diskMismatch, message: "victim[\(victim.pid)]: running executable \(exe) was deleted from disk",
            pid: victim.pid, comm: "victim", exe: ByteString(exe), state: .deleted, sha256: sha)
        expected["PROCWARDEN_SSDEEP"] = ByteString(ssdeep)
        expected["PROCWARDEN_REASON"] = "deleted"
        expected["PROCWARDEN_ON_DISK_SHA256"] = ByteString(onDiskSha)
        AlertJournal.expectExactly(records[0], expected)
        #expect(
            run.alerts(.diskMismatch, pid: victim.pid).first?["dedup_key"] as? String
                == expected["PROCWARDEN_DEDUP_KEY"]?.utf8String)

        let orphans = try AlertJournal.records(["PROCWARDEN_EXE=\(gone)"])
        try #require(orphans.count == 1)
        var expectedOrphan = Self.common(
            .diskMismatch, message: "gone[\(orphan.pid)]: running executable \(gone) was deleted from disk",
            pid: orphan.pid, comm: "gone", exe: ByteString(gone), state: .deleted, sha256: goneSha)
        expectedOrphan["PROCWARDEN_SSDEEP"] = ByteString(goneSsdeep)
        expectedOrphan["PROCWARDEN_REASON"] = "deleted"
        AlertJournal.expectExactly(orphans[0], expectedOrphan)
    }

    /// The running image keeps a second hard link while a new file is
    /// renamed over its path: `replaced`, not `deleted`.
    @Test func imageReplacedThroughHardLinkIsDiskMismatch() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let exe = scratch("daemon")
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(exe), appending: Array("replaced".utf8))
        try TestFile.link(ByteString(exe), ByteString(scratch("daemon.keep")))
        let (sha, ssdeep) = (try ReferenceDigest.sha256(exe), try ReferenceDigest.ssdeep(exe))
        let target = try ChildProcess(ByteString(exe), ["daemon", "600"])
        try TestFile.install(TestFile.read(ByteString(Self.tail)), at: ByteString(exe))
        let onDiskSha = try ReferenceDigest.sha256(exe)

        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 1, "stderr: \(run.stderr)")
        #expect(run.alerts.count == 1)
        #expect(run.process(target.pid)?["exe_state"] as? String == "replaced")

        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"])
        try #require(records.count == 1)
        var expected = Self.common(
            .diskMismatch, message: "daemon[\(target.pid)]: running executable \(exe) was replaced on disk",
            pid: target.pid, comm: "daemon", exe: ByteString(exe), state: .replaced, sha256: sha)
        expected["PROCWARDEN_SSDEEP"] = ByteString(ssdeep)
        expected["PROCWARDEN_REASON"] = "replaced"
        expected["PROCWARDEN_ON_DISK_SHA256"] = ByteString(onDiskSha)
        AlertJournal.expectExactly(records[0], expected)
    }

    /// Fileless execution through `pw-memfd-exec` (memfd_create + fexecve).
    @Test func memfdExecutionIsMemfdExec() throws {
        let scratch = try ScratchDirectory("alert")
        let name = "pwalert-" + UUID().uuidString.lowercased()
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: "/memfd:" + name)
        let target = try ChildProcess(
            ByteString(BuildProducts.memfdExec),
            ["pw-memfd-exec", ByteString(name), ByteString(Self.sleep), "sleep", "600"],
            until: { $0.exeLink?.hasPrefix(ByteString("/memfd:")) == true })
        let (sha, ssdeep) = (try ReferenceDigest.sha256(Self.sleep), try ReferenceDigest.ssdeep(Self.sleep))
        let link = target.exeLink
        #expect(link == ByteString("/memfd:\(name) (deleted)"))
        let comm = target.comm()

        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 1, "stderr: \(run.stderr)")
        #expect(run.alerts.count == 1)

        let records = try AlertJournal.records(["PROCWARDEN_MEMFD_NAME=\(name)"])
        try #require(records.count == 1)
        var expected = Self.common(
            .memfdExec, message: "\(comm.escaped)[\(target.pid)]: executing from anonymous memfd \(name)",
            pid: target.pid, comm: comm, exe: ByteString("/memfd:\(name)"), state: .memfd,
            identity: ByteString("memfd:" + name), sha256: sha)
        expected["PROCWARDEN_SSDEEP"] = ByteString(ssdeep)
        expected["PROCWARDEN_MEMFD_NAME"] = ByteString(name)
        AlertJournal.expectExactly(records[0], expected)
    }

    /// runc's own cloned binary (`runc_cloned:*`, the default MemfdAllow) is
    /// not an alert; a name that only looks similar still is.
    @Test func runcClonedMemfdIsAllowed() throws {
        let scratch = try ScratchDirectory("alert")
        let token = UUID().uuidString.lowercased()
        let (allowed, nearMiss) = ("runc_cloned:pwalert-" + token, "runc_cloned-pwalert-" + token)
        let config = scratch("procwarden.conf")
        // The runtime's own binary: a runc_cloned memfd must hold it (SPEC §3).
        let runtime = scratch("runc")
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(runtime))
        try AlertConfig.write(to: config, watching: "/memfd:runc_cloned", alerts: ["MemfdAllowImages=\(runtime)"])
        let memfdExec = ByteString(try BuildProducts.memfdExec)
        let runc = try ChildProcess(
            memfdExec, ["pw-memfd-exec", ByteString(allowed), ByteString(runtime), "sleep", "600"],
            until: { $0.exeLink?.hasPrefix(ByteString("/memfd:")) == true })
        let imitation = try ChildProcess(
            memfdExec, ["pw-memfd-exec", ByteString(nearMiss), ByteString(Self.sleep), "sleep", "600"],
            until: { $0.exeLink?.hasPrefix(ByteString("/memfd:")) == true })

        let run = try Procwardend(in: scratch).once()
        #expect(run.process(runc.pid)?["exe_state"] as? String == "memfd", "the allowed process was scanned")
        #expect(run.alerts(.memfdExec, pid: runc.pid).isEmpty)
        #expect(run.alerts.map { $0["pid"] as? NSNumber } == [NSNumber(value: imitation.pid)])
        #expect(run.exitCode == 1)

        let nearMissRecords = try AlertJournal.records(["PROCWARDEN_MEMFD_NAME=\(nearMiss)"])
        #expect(nearMissRecords.count == 1)
        // Everything this procwardend sent, now that its last alert is in.
        let all = try AlertJournal.records(
            ["_PID=\(run.pid)", "SYSLOG_IDENTIFIER=procwardend"], since: run.startedAt, timeout: .zero)
        #expect(all.filter { $0.single("PROCWARDEN_RULE") != nil }.count == 1)
        #expect(try AlertJournal.records(["PROCWARDEN_MEMFD_NAME=\(allowed)"], timeout: .zero).isEmpty)
    }

    /// A baseline, then an entirely different program at the same path,
    /// found by a second `--once` over the same state directory.
    @Test func differentBinaryAtTheSamePathIsBinaryChange() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let exe = scratch("tool")
        let (before, after) = (scratch("before.ref"), scratch("after.ref"))
        try TestFile.copy(ByteString(Self.sleep), to: ByteString(before))
        try TestFile.copy(ByteString(Self.tail), to: ByteString(after))
        let similarity = try ReferenceDigest.similarity(before, after)
        try #require(similarity < 80, "the two programs must not look alike; ssdeep says \(similarity)")

        try TestFile.copy(ByteString(before), to: ByteString(exe))
        let first = try ChildProcess(ByteString(exe), ["tool", "600"])
        let seed = try Procwardend(in: scratch).once()
        #expect(seed.exitCode == 0 && seed.alerts.isEmpty, "the first sighting only seeds; stderr: \(seed.stderr)")
        let baseline = try #require(seed.process(first.pid))
        #expect(baseline["sha256"] as? String == (try ReferenceDigest.sha256(before)))
        #expect(baseline["ssdeep"] as? String == (try ReferenceDigest.ssdeep(before)))
        first.stop()

        try TestFile.install(TestFile.read(ByteString(after)), at: ByteString(exe))
        let second = try ChildProcess(ByteString(exe), ["tool", "-f", "/dev/null"])
        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 0, "binary_change is medium severity; stderr: \(run.stderr)")
        #expect(run.alerts.map { $0["rule"] as? String } == [AlertRule.binaryChange.rawValue])

        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"])
        try #require(records.count == 1)
        let sha = try ReferenceDigest.sha256(after)
        var expected = Self.common(
            .binaryChange,
            message: "tool[\(second.pid)]: executable \(exe) changed (similarity \(similarity) < threshold 80)",
            pid: second.pid, comm: "tool", exe: ByteString(exe), state: .onDisk, sha256: sha)
        expected["PROCWARDEN_SSDEEP"] = ByteString(try ReferenceDigest.ssdeep(after))
        expected["PROCWARDEN_BASELINE_SHA256"] = ByteString(try #require(baseline["sha256"] as? String))
        expected["PROCWARDEN_BASELINE_SSDEEP"] = ByteString(try #require(baseline["ssdeep"] as? String))
        expected["PROCWARDEN_SIMILARITY"] = ByteString(String(similarity))
        expected["PROCWARDEN_THRESHOLD"] = "80"
        AlertJournal.expectExactly(records[0], expected)
    }

    /// A few bytes edited in place inside a section the loader never maps
    /// (the .gnu_debuglink file name): still runnable, still similar, so an
    /// audit-level binary_update and not a binary_change.
    @Test func smallInPlaceEditIsBinaryUpdate() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let exe = scratch("patched")
        let (before, after) = (scratch("before.ref"), scratch("after.ref"))
        let original = try TestFile.read(ByteString(Self.sleep))
        let section = try #require(
            AlertELF.section(".gnu_debuglink", in: original) ?? AlertELF.section(".comment", in: original),
            "\(Self.sleep) has no unmapped section to edit")
        var edited = original
        for i in section.lowerBound..<min(section.lowerBound + 4, section.upperBound) { edited[i] ^= 0x20 }
        try TestFile.write(original, to: ByteString(before))
        try TestFile.write(edited, to: ByteString(after))
        let similarity = try ReferenceDigest.similarity(before, after)
        try #require(similarity >= 80, "the edit must keep the file similar; ssdeep says \(similarity)")
        #expect(try ReferenceDigest.sha256(before) != (try ReferenceDigest.sha256(after)))

        try TestFile.write(original, to: ByteString(exe))
        let first = try ChildProcess(ByteString(exe), ["patched", "600"])
        let seed = try Procwardend(in: scratch).once()
        #expect(seed.alerts.isEmpty, "stderr: \(seed.stderr)")
        first.stop()

        // In place: the same inode, rewritten once no process runs it (ETXTBSY).
        let fd = open(exe, O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let written = edited[section.lowerBound..<section.lowerBound + 4].withUnsafeBytes {
            pwrite(fd, $0.baseAddress, 4, off_t(section.lowerBound))
        }
        close(fd)
        try #require(written == 4)
        let second = try ChildProcess(ByteString(exe), ["patched", "600"])
        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 0, "stderr: \(run.stderr)")
        #expect(run.alerts.map { $0["rule"] as? String } == [AlertRule.binaryUpdate.rawValue])

        let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"])
        try #require(records.count == 1)
        var expected = Self.common(
            .binaryUpdate,
            message: "patched[\(second.pid)]: executable \(exe) was updated (similarity \(similarity) >= threshold 80)",
            pid: second.pid, comm: "patched", exe: ByteString(exe), state: .onDisk,
            sha256: try ReferenceDigest.sha256(after))
        expected["PROCWARDEN_SSDEEP"] = ByteString(try ReferenceDigest.ssdeep(after))
        expected["PROCWARDEN_BASELINE_SHA256"] = ByteString(try ReferenceDigest.sha256(before))
        expected["PROCWARDEN_BASELINE_SSDEEP"] = ByteString(try ReferenceDigest.ssdeep(before))
        expected["PROCWARDEN_SIMILARITY"] = ByteString(String(similarity))
        expected["PROCWARDEN_THRESHOLD"] = "80"
        AlertJournal.expectExactly(records[0], expected)
    }
}
