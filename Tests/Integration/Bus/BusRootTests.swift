import Foundation
import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// Every Monitor1 method and property, called by root with busctl through a
/// private dbus-daemon that enforces the shipped policy. Passing here also
/// shows that the daemon's credentials check accepts root on dbus-daemon:
/// sd_bus_query_sender_creds answers SD_BUS_CREDS_EUID from the bus
/// (GetConnectionCredentials), not augmented from /proc.
@Suite(.serialized) struct BusRootTests {
    static let configuration = """
        [Scan]
        IntervalSec=10min
        [Hashing]
        MaxFileSize=16M
        [Alerts]
        SimilarityThreshold=65
        """

    @Test func propertiesReadAsConfiguredAndAsStarted() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)

            #expect(try root.property(.version) as? String == ProcWarden.version)
            #expect(try BusCaller.unsigned(root.property(.scanIntervalUSec)) == 600_000_000)
            #expect(try BusCaller.unsigned(root.property(.similarityThreshold)) == 65)
            #expect(try root.property(.state) as? String == "idle")
            // Started as root: the two capabilities, as /proc/<pid>/status shows them.
            #expect(try root.property(.capabilities) as? String == "cap_dac_read_search,cap_sys_ptrace=ep")
            #expect(daemon.process?.status()["CapEff"] == "0000000000080004")
            // Coverage is what the last scan's journal entry said (on stderr with --journal no).
            let coverage = try #require(try root.property(.coverage) as? String)
            let lastEntry = try #require(Self.lastValue(of: "PROCWARDEN_COVERAGE", in: daemon.stderr))
            #expect(coverage == lastEntry)
            #expect(["full", "partial"].contains(coverage))
            // GetAll: every property, and nothing else.
            let all = try root.busctl([
                "--json=short", "call", BusNames.service, BusNames.objectPath,
                "org.freedesktop.DBus.Properties", "GetAll", "s", BusNames.interface,
            ])
            try #require(all.succeeded, "\(all.summary)")
            let dictionary = try #require(try BusCaller.replyData(all.stdoutText).first as? [String: Any])
            #expect(Set(dictionary.keys) == Set(BusNames.Property.allCases.map(\.rawValue)))
        }
    }

    @Test func rescanReturnsTheScanThePropertiesDescribe() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            let counters: [BusNames.Property] = [
                .bytesHashed, .cacheHits, .ssdeepFailures, .alertsRaised, .alertsSuppressed,
            ]
            var before: [BusNames.Property: UInt64] = [:]
            for p in counters { before[p] = try BusCaller.unsigned(root.property(p)) }
            let binary = try bus.executableCopy(named: "pw-bus-rescan")
            let child = try ChildProcess([binary, "1000"])

            let startedAfter = WallClock.microseconds()
            let reply = try root.call(BusNames.Method.rescan)
            let endedBefore = WallClock.microseconds()

            let summary = try #require(reply.first as? [Any]).map { BusCaller.unsigned($0) }
            try #require(summary.count == 8 && !summary.contains(nil), "reply \(reply)")
            let (id, processes, executables, hashed, cacheHits, alerts, suppressed, duration) =
                (summary[0]!, summary[1]!, summary[2]!, summary[3]!, summary[4]!, summary[5]!, summary[6]!, summary[7]!)
            #expect(id == 2, "the first scan at start was 1; this is the next")
            #expect(processes >= 2 && executables >= 2 && executables <= processes)
            #expect(hashed >= 1, "the new binary must be hashed")
            #expect(cacheHits >= 1, "what the first scan hashed comes from the cache")
            #expect(duration > 0)

            #expect(try BusCaller.unsigned(root.property(.processes)) == processes)
            #expect(try BusCaller.unsigned(root.property(.executables)) == executables)
            #expect(try BusCaller.unsigned(root.property(.lastScanDurationUSec)) == duration)
            let timestamp = try #require(BusCaller.unsigned(try root.property(.lastScanTimestamp)))
            #expect(timestamp >= startedAfter && timestamp <= endedBefore)
            #expect(try root.property(.state) as? String == "idle")
            var after: [BusNames.Property: UInt64] = [:]
            for p in counters { after[p] = try BusCaller.unsigned(root.property(p)) }
            for p in counters { #expect(after[p]! >= before[p]!, "\(p.rawValue) never decreases") }
            #expect(after[.cacheHits]! - before[.cacheHits]! == cacheHits)
            #expect(after[.alertsRaised]! - before[.alertsRaised]! == alerts)
            #expect(after[.alertsSuppressed]! - before[.alertsSuppressed]! == suppressed)
            let size = try #require(Self.fileSize(binary))
            #expect(after[.bytesHashed]! - before[.bytesHashed]! >= size)

            #expect(
                observer.waitFor(timeout: .seconds(5)) {
                    $0.contains(
                        .scanCompleted(
                            scanID: id, processes: UInt32(processes), executables: UInt32(executables),
                            alerts: UInt32(alerts)))
                },
                "ScanCompleted: \(observer.signals)")
            // PropertiesChanged follows ScanCompleted, with the values just read.
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in
                    observer.announced(.state).last == .string("idle")
                        && observer.announced(.lastScanDurationUSec).last == .uint64(duration)
                        && observer.announced(.cacheHits).last == .uint64(after[.cacheHits]!)
                }, "\(observer.signals)")
            _ = child
        }
    }

    @Test func listExecutablesHasTheTestBinaryWithItsDigests() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let binary = try bus.executableCopy(named: "pw-bus-list")
            let children = try [ChildProcess([binary, "1000"]), ChildProcess([binary, "1001"])]
            _ = try root.call(BusNames.Method.rescan)

            let reply = try root.call(BusNames.Method.listExecutables)
            let rows = try #require(reply.first as? [[Any]], "reply \(reply)")
            #expect(rows.allSatisfy { $0.count == 8 })
            let row = try #require(
                rows.first { $0.first as? String == binary }, "\(binary) not in \(rows.map { $0.first ?? "?" })")
            let sha256 = try ToolRun.run(["sha256sum", binary])
            let ssdeep = try ToolRun.run(["ssdeep", "-s", "-b", binary])
            try #require(sha256.succeeded && ssdeep.succeeded, "\(sha256.summary) \(ssdeep.summary)")
            #expect(BusCaller.unsigned(row[1]) == Self.fileSize(binary))
            #expect(row[2] as? String == sha256.stdoutText.split(separator: " ").first.map(String.init))
            // ssdeep -b: a header line, then `<hash>,"<name>"`.
            let reference = ssdeep.stdoutText.split(separator: "\n").last.map { String($0.prefix { $0 != "," }) }
            #expect(row[3] as? String == reference)
            #expect(row[4] as? String == "on_disk")
            #expect(row[5] as? String == "", "an on_disk image has no separate on-disk digest")
            #expect(row[6] as? Bool == false)
            #expect(BusCaller.unsigned(row[7]) == UInt64(children.count))
            // Every row is a known state; one row per (image, path, state), so
            // at least one per executable, and no more processes than scanned.
            let states = Set(ExeState.allCases.map(\.rawValue))
            #expect(rows.allSatisfy { states.contains($0[4] as? String ?? "") })
            let executables = try #require(BusCaller.unsigned(try root.property(.executables)))
            let processes = try #require(BusCaller.unsigned(try root.property(.processes)))
            #expect(UInt64(rows.count) >= executables)
            #expect(rows.reduce(0) { $0 + (BusCaller.unsigned($1[7]) ?? 0) } <= processes)
        }
    }

    /// ListObjects (SPEC §9): a preloaded copy of libz in two processes is
    /// one on_disk row with its size, SHA-256 and count; deleted, it is a
    /// deleted row without them. No package: the columns are empty.
    @Test func listObjectsHasAPreloadedLibrary() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let binary = try bus.executableCopy(named: "pw-bus-objects")
            let library = bus.directory + "/libpwbus.so.1"
            try TestFile.copy("/usr/lib/x86_64-linux-gnu/libz.so.1", to: ByteString(library))
            let sha256 = try ReferenceDigest.sha256(library)
            let size = Self.fileSize(library)
            let children = try (0..<2).map { _ in
                try ChildProcess(
                    ByteString(binary), ["sleep", "1000"], environment: Spawn.environment(["LD_PRELOAD": library])
                ) { SharedObjectTests.maps($0.pid).contains(library) }
            }
            _ = try root.call(BusNames.Method.rescan)

            func row() throws -> [Any] {
                let reply = try root.call(BusNames.Method.listObjects)
                let rows = try #require(reply.first as? [[Any]], "reply \(reply)")
                #expect(rows.allSatisfy { $0.count == 7 })
                let states = Set(ObjectState.allCases.map(\.rawValue))
                #expect(rows.allSatisfy { states.contains($0[1] as? String ?? "") })
                return try #require(rows.first { $0.first as? String == library }, "\(rows.map { $0.first ?? "?" })")
            }
            let listed = try row()
            #expect(listed[1] as? String == "on_disk")
            #expect(BusCaller.unsigned(listed[2]) == size)
            #expect(listed[3] as? String == sha256)
            #expect(listed[4] as? String == "")
            #expect(listed[5] as? String == "")
            #expect(BusCaller.unsigned(listed[6]) == UInt64(children.count))

            try TestFile.unlink(ByteString(library))
            _ = try root.call(BusNames.Method.rescan)
            let deleted = try row()
            #expect(deleted[1] as? String == "deleted")
            #expect(BusCaller.unsigned(deleted[2]) == 0)
            #expect(deleted[3] as? String == "")
            #expect(BusCaller.unsigned(deleted[6]) == UInt64(children.count))
        }
    }

    @Test func setThresholdReloadAndResetBaselineAct() throws {
        try withDaemonOnBus(configuration: Self.configuration) { daemon, bus in
            let root = BusCaller(bus)
            let observer = try BusObserver(address: bus.address)
            let binary = try bus.executableCopy(named: "pw-bus-reset")
            let child = try ChildProcess([binary, "1000"])
            _ = try root.call(BusNames.Method.rescan)

            #expect(try root.call(BusNames.Method.setSimilarityThreshold, "ub", ["55", "false"]).isEmpty)
            #expect(try BusCaller.unsigned(root.property(.similarityThreshold)) == 55)

            // Reload re-reads the file: a new interval shows, and is announced.
            try bus.write(
                Self.configuration.replacingOccurrences(of: "IntervalSec=10min", with: "IntervalSec=20min") + "\n",
                to: daemon.configPath)
            #expect(try root.call(BusNames.Method.reload).isEmpty)
            #expect(try BusCaller.unsigned(root.property(.scanIntervalUSec)) == 1_200_000_000)
            #expect(
                observer.waitFor(timeout: .seconds(5)) { _ in
                    observer.announced(.scanIntervalUSec).contains(.uint64(1_200_000_000))
                },
                "\(observer.signals)")
            #expect(
                try BusCaller.unsigned(root.property(.similarityThreshold)) == 55,
                "the D-Bus override outlives a reload")

            // ResetBaseline forgets the baseline (the next scan seeds it again):
            // once it is gone, a second reset finds nothing until a scan runs.
            #expect(try root.send(BusNames.Method.resetBaseline, ["string:\(binary)"]).errorName == nil)
            #expect(
                try root.send(BusNames.Method.resetBaseline, ["string:\(binary)"]).errorName == BusNames.Error.notFound)
            _ = try root.call(BusNames.Method.rescan)
            #expect(try root.send(BusNames.Method.resetBaseline, ["string:\(binary)"]).errorName == nil)
            _ = child
        }
    }

    static func lastValue(of field: String, in stderr: String) -> String? {
        stderr.split(separator: "\n").last { $0.hasPrefix(field + "=") }.map { String($0.dropFirst(field.count + 1)) }
    }

    static func fileSize(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_size) : nil
    }
}
