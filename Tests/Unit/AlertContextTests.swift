import ProcWardenKit
import ProcWardenSystemd
import Testing

/// Verdicts explain themselves (SPEC §2 Roots, §4): messages name the path,
/// unit, container and root; no internal key; an alert about a file no
/// process runs names no pid.
@Suite struct AlertContextTests {
    static let sha = String(repeating: "c", count: 64)

    static func record(pid: Int32, state: ExeState, keyRoot: ImageKey?) -> ProcessRecord {
        var r = ProcessRecord(pid: pid, exeState: state)
        r.startTime = 1
        r.comm = "sshd"
        r.exe = "/usr/sbin/sshd"
        r.keyRoot = keyRoot
        r.digest = ImageDigest(sha256: sha, ssdeep: nil)
        return r
    }

    @Test func contextFieldsAndMessageNameUnitContainerAndRoot() throws {
        let context = ProcessContext(
            unit: "ssh.service", container: "systemd-nspawn@web.service", root: "/ on /dev/vda1")
        var baselines = BaselineStore()
        let alerts = RulesEngine().evaluate(
            [Self.record(pid: 812, state: .deleted, keyRoot: ImageKey(device: 65024, inode: 16_236_781))],
            baselines: &baselines, now: 1, context: { _ in context })
        let alert = try #require(alerts.first)
        #expect(alert[.unit] == "ssh.service")
        #expect(alert[.container] == "systemd-nspawn@web.service")
        #expect(alert[.root] == "/ on /dev/vda1")
        #expect(
            alert.message
                == "sshd[812]: running executable /usr/sbin/sshd was deleted from disk (unit ssh.service, container systemd-nspawn@web.service, root / on /dev/vda1)"
        )
        #expect(!alert.json.text.contains("root="))
        #expect(!alert.json.text.contains("65024"))
    }

    @Test func emptyContextAddsNothing() throws {
        var baselines = BaselineStore()
        let alert = try #require(
            RulesEngine().evaluate([Self.record(pid: 9, state: .replaced, keyRoot: nil)], baselines: &baselines, now: 1)
                .first)
        #expect(alert.message == "sshd[9]: running executable /usr/sbin/sshd was replaced on disk")
        #expect(alert[.unit] == nil && alert[.container] == nil && alert[.root] == nil)
    }

    @Test func alertNamingNoProcessHasNoObjectPID() {
        let alert = Alert(rule: .binaryUpdate, message: "x", pid: 0, fields: [], raisedAtMicroseconds: 1)
        #expect(JournalEntry(alert: alert)[.objectPID] == nil)
        let named = Alert(rule: .binaryUpdate, message: "x", pid: 5, fields: [], raisedAtMicroseconds: 1)
        #expect(JournalEntry(alert: named)[.objectPID] == "5")
    }
}
