import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// Values from untrusted processes (comm, path) that try to forge journal
/// fields reach the journal as exactly the fields intended, byte for byte.
@Suite(.serialized) struct AlertHostileInputTests {
    init() throws { try Journald.ensureRunning() }

    /// The directory name carries `\nPROCWARDEN_RULE=fake`, a tab and an
    /// invalid UTF-8 byte; the file name, and so comm (the exec'd basename
    /// cut to 15 bytes), carries `\nPROCWARDEN_X=1`.
    @Test func forgedFieldsInCommAndPathStayInsideTheirValues() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let directory = scratch.appending(ByteString(Array("d\nPROCWARDEN_RULE=fake\t".utf8) + [0xff]))
        let name = ByteString("\nPROCWARDEN_X=1")
        let exe = directory.appending(name)
        let reference = scratch("reference")
        try TestFile.copy("/usr/bin/sleep", to: ByteString(reference), appending: Array("hostile".utf8))
        let (sha, ssdeep) = (try ReferenceDigest.sha256(reference), try ReferenceDigest.ssdeep(reference))
        try TestFile.makeDirectory(directory)
        try TestFile.copy(ByteString(reference), to: exe)
        let target = try ChildProcess(exe, ["hostile", "600"])
        #expect(target.comm() == name, "comm is the 15-byte basename")
        try TestFile.unlink(exe)

        let run = try Procwardend(in: scratch).once()
        #expect(run.exitCode == 1, "stderr: \(run.stderr)")
        #expect(run.alerts.count == 1)

        let key = RulesEngine.dedupKey(rule: .diskMismatch, identity: BaselineKey(path: exe), sha256: sha)
        let records = try AlertJournal.records(["PROCWARDEN_DEDUP_KEY=\(key)"])
        try #require(records.count == 1)
        let record = records[0]
        #expect(record["PROCWARDEN_RULE"] == ["integrity.disk_mismatch"])
        #expect(record["PROCWARDEN_X"].isEmpty)
        #expect(record["PROCWARDEN_COMM"] == [name])
        #expect(record["PROCWARDEN_EXE"] == [exe])
        let message = try #require(record.single("MESSAGE"))
        #expect(!message.bytes.contains(UInt8(ascii: "\n")), "MESSAGE is one line")
        AlertJournal.expectExactly(
            record,
            [
                "MESSAGE": ByteString(
                    "\(name.escaped)[\(target.pid)]: running executable \(exe.escaped) was deleted from disk"),
                "MESSAGE_ID": "05674463b65b43e1ae2a10a72f71ccde",
                "PRIORITY": "3",
                "SYSLOG_IDENTIFIER": "procwardend",
                "PROCWARDEN_RULE": "integrity.disk_mismatch",
                "PROCWARDEN_SEVERITY": "high",
                "PROCWARDEN_DEDUP_KEY": ByteString(key),
                "PROCWARDEN_PID": ByteString(String(target.pid)),
                "PROCWARDEN_UID": ByteString(String(getuid())),
                "PROCWARDEN_COMM": name,
                "PROCWARDEN_EXE": exe,
                "PROCWARDEN_EXE_STATE": "deleted",
                "PROCWARDEN_SHA256": ByteString(sha),
                "PROCWARDEN_SSDEEP": ByteString(ssdeep),
                "PROCWARDEN_REASON": "deleted",
                "OBJECT_PID": ByteString(String(target.pid)),
            ])
        // Nothing else from this procwardend claims to be an alert.
        let all = try AlertJournal.records(["_PID=\(run.pid)"], since: run.startedAt, timeout: .zero)
        #expect(all.flatMap { $0["PROCWARDEN_RULE"] } == ["integrity.disk_mismatch"])
    }
}
