import Foundation
import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// Dedup across scans through the persisted state: the same condition seen
/// by five `procwardend --once` runs over one state directory reaches the
/// journal once per DedupWindowSec, while every scan's report still lists it.
@Suite(.serialized) struct AlertDedupTests {
    init() throws { try Journald.ensureRunning() }

    @Test func sameConditionAlertsOncePerWindowAndDistinctExecutablesEachAlert() throws {
        let scratch = try ScratchDirectory("alert")
        let config = scratch("procwarden.conf")
        try AlertConfig.write(to: config, watching: scratch.path + "/")
        let (a, b) = (scratch("dup-a"), scratch("dup-b"))
        try TestFile.copy("/usr/bin/sleep", to: ByteString(a), appending: Array("a".utf8))
        try TestFile.copy("/usr/bin/sleep", to: ByteString(b), appending: Array("b".utf8))
        // Two processes of one executable share its dedup key; b is another executable.
        let targets = [
            try ChildProcess(ByteString(a), ["dup-a", "600"]), try ChildProcess(ByteString(a), ["dup-a", "600"]),
            try ChildProcess(ByteString(b), ["dup-b", "600"]),
        ]
        try TestFile.unlink(ByteString(a))
        try TestFile.unlink(ByteString(b))

        var keys: Set<String> = []
        for scan in 1...5 {
            let run = try Procwardend(in: scratch).once()
            #expect(run.exitCode == 1, "scan \(scan): \(run.stderr)")
            #expect(
                Set(run.alerts.compactMap { ($0["pid"] as? NSNumber)?.int32Value }) == Set(targets.map(\.pid)),
                "scan \(scan) raises the condition for every process")
            #expect((run.summary["alerts"] as? NSNumber)?.intValue == (scan == 1 ? 2 : 0), "scan \(scan) delivers")
            keys.formUnion(run.alerts.compactMap { $0["dedup_key"] as? String })
        }
        #expect(keys.count == 2, "one dedup key per executable, stable across scans")

        // Past the window the condition alerts again: a positive control
        // that also shows every earlier entry has arrived.
        try AlertConfig.write(to: config, watching: scratch.path + "/", alerts: ["DedupWindowSec=1"])
        usleep(1_100_000)
        let again = try Procwardend(in: scratch).once()
        #expect((again.summary["alerts"] as? NSNumber)?.intValue == 2, "stderr: \(again.stderr)")

        for exe in [a, b] {
            let records = try AlertJournal.records(["PROCWARDEN_EXE=\(exe)"], atLeast: 2)
            #expect(records.count == 2, "\(exe): one entry in the first window, one after it")
            #expect(Set(records.compactMap { $0.single("PROCWARDEN_DEDUP_KEY") }).count == 1)
            #expect(records.last?.single("_PID") == ByteString(String(again.pid)))
        }
        withExtendedLifetime(targets) {}
    }
}
