import Foundation
import Glibc
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// `procwardend --once` and `--once --json`, run as built.
@Suite(.serialized)
struct ProcwardendOutputTests {
    /// Every process alive, as the same process, both before and after `body`.
    private func survivors(around body: () throws -> Void) throws -> Set<pid_t> {
        func snapshot() throws -> [pid_t: UInt64] {
            var out: [pid_t: UInt64] = [:]
            for pid in try ProcFS().listPIDs() { if let s = LiveStat(pid: pid) { out[pid] = s.startTime } }
            return out
        }
        let before = try snapshot()
        try body()
        let after = try snapshot()
        return Set(before.filter { after[$0.key] == $0.value }.keys)
    }

    @Test func tableHasOneRowPerProcessAndASummaryLine() throws {
        let dir = try ScratchDirectory()
        // A newline in the name must not start a row of its own.
        let exe = dir.appending("pw\nrow")
        try TestFile.copy("/bin/sleep", to: exe)
        let child = try ChildProcess(exe, ["pw\nrow", "60"])
        defer { child.stop() }

        var result: ToolRun?
        let state = try ScratchDirectory()
        let alive = try survivors {
            result = try ToolRun.run(
                [try BuildProducts.procwardend, "--once", "--journal", "no", "--state-dir", state.path],
                environment: Spawn.minimalEnvironment)
        }
        let output = try #require(result)
        // 1 means some process on this machine raised a high-severity alert.
        #expect([0, 1].contains(output.status), "\(output.stderrText)")

        var lines = output.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.last == "", "output ends with a newline")
        lines.removeLast()
        try #require(lines.count >= 3)
        #expect(lines[0].hasPrefix("PID "))
        #expect(lines[lines.count - 2] == "", "a blank line before the summary")
        let summary = lines[lines.count - 1]
        let pattern =
            /^(\d+) processes, (\d+) executables: (\d+) hashed, (\d+) cache hits, \d+\.\d\d MiB read, (\d+) ssdeep failures, (\d+) alerts, (\d+) suppressed; \d+ objects: \d+ hashed, \d+\.\d\d MiB read; coverage (full|partial); \d+\.\d\d s$/
        let match = try #require(summary.wholeMatch(of: pattern), "summary line: \(summary)")

        let rows = lines[1..<(lines.count - 2)]
        #expect(rows.count == Int(match.1), "one row per process counted in the summary")
        let pids = rows.compactMap { row in row.split(separator: " ").first.flatMap { pid_t($0) } }
        #expect(pids.count == rows.count, "every row starts with a pid")
        #expect(Set(pids).count == pids.count, "no process twice")
        #expect(
            alive.isSubset(of: Set(pids)), "processes alive throughout are missing: \(alive.subtracting(pids).sorted())"
        )

        let mine = try #require(rows.first { $0.hasPrefix("\(child.pid) ") })
        #expect(mine.contains(" on_disk "))
        #expect(mine.hasSuffix(ByteString(dir.path).escaped + "/pw\\nrow"))
    }

    @Test func jsonReportHasExactlyTheSpecKeys() throws {
        let dir = try ScratchDirectory()
        let exe = dir.appending(ByteString(Array("pw\njson ".utf8) + [0xff]))
        try TestFile.copy("/bin/sleep", to: exe)
        // A copy: same bytes, and a name sha256sum would escape.
        let sha256 = try ReferenceDigest.sha256("/bin/sleep")
        let child = try ChildProcess(exe, ["pwjson", "60"])
        defer { child.stop() }

        let state = try ScratchDirectory()
        let result = try ToolRun.run(
            [try BuildProducts.procwardend, "--once", "--json", "--journal", "no", "--state-dir", state.path],
            environment: Spawn.minimalEnvironment)
        let report = try JSONBytes.object(result.stdout)
        // SPEC §8, spelled out here rather than taken from ReportKey, so a
        // renamed constant fails too.
        #expect(Set(report.keys) == ["summary", "processes", "alerts"])
        let alerts = try #require(report["alerts"] as? [[String: Any]])
        let high = alerts.contains { $0["severity"] as? String == "high" }
        #expect(
            result.status == (high ? 1 : 0),
            "exit 1 exactly when a high-severity alert was raised: \(result.stderrText)")
        for alert in alerts {
            for key in ["rule", "severity", "dedup_key", "pid", "exe_state", "message"] {
                #expect(alert[key] != nil, "alert lacks \(key): \(alert)")
            }
        }
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(
            Set(summary.keys) == [
                "processes", "executables", "hashed", "cache_hits", "bytes_hashed", "ssdeep_failures",
                "alerts", "suppressed", "duration_usec", "coverage",
            ])
        for (key, value) in summary where key != "coverage" { #expect(value is NSNumber, "summary.\(key)") }
        #expect(["full", "partial"].contains(summary["coverage"] as? String ?? "?"))

        let list = try #require(report["processes"] as? [[String: Any]])
        #expect((summary["processes"] as? NSNumber)?.intValue == list.count)
        let processKeys: Set<String> = [
            "pid", "start_time", "uid", "comm", "exe", "exe_state", "sha256", "ssdeep",
            "on_disk_sha256", "degraded", "unhashed_reason", "root", "unit", "container", "package",
            "package_version", "package_verified", "loaded_program", "preload", "libraries",
        ]
        let states = Set(ExeState.allCases.map(\.rawValue))
        for p in list {
            #expect(Set(p.keys) == processKeys, "unknown values are null, never missing")
            #expect(states.contains(p["exe_state"] as? String ?? "?"))
            if p["exe_state"] as? String == "kernel" {
                #expect(p["exe"] is NSNull && p["sha256"] is NSNull && p["degraded"] is NSNull)
            }
        }

        let mine = try #require(try JSONBytes.processes(report)[child.pid])
        #expect(mine["exe_state"] as? String == "on_disk")
        // sleep maps at least libc and the loader, all on disk.
        let libraries = try #require(mine["libraries"] as? [String: Any])
        #expect(((libraries["count"] as? NSNumber)?.intValue ?? 0) >= 2, "\(libraries)")
        #expect((libraries["findings"] as? [Any])?.isEmpty == true, "\(libraries)")
        #expect(mine["loaded_program"] is NSNull)
        #expect(JSONBytes.decode(mine["exe"]) == exe, "the path survives stdout byte for byte")
        #expect(mine["sha256"] as? String == sha256)
        #expect((mine["degraded"] as? NSNumber)?.boolValue == false)
        #expect(mine["unhashed_reason"] is NSNull)
    }
}
