import Foundation
import Glibc
import ProcWardenDaemon
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// procwardenctl against a real procwardend on a private bus: access
/// denied for an unprivileged caller as one line, and a smoke test of every
/// bus verb. (The full end-to-end tests live elsewhere.)
@Suite(.serialized) struct CtlDaemonTests {
    /// A procwardend registered on a permissive `bus`, so that the access
    /// checks seen are the daemon's own, with a long interval, so only the
    /// first scan and requested ones run.
    struct RunningDaemon {
        let bus: PrivateBus
        let daemon: ProcwardendOnBus

        /// Returns once procwardenctl status gets an answer.
        init(_ daemon: ProcwardendOnBus, on bus: PrivateBus) throws {
            self.bus = bus
            self.daemon = daemon
            var last: ToolRun?
            let ready = try Poll.eventually(timeout: .seconds(60)) {
                last = try ToolRun.product("procwardenctl", ["status", "--json"], environment: bus.environment)
                return last?.succeeded == true
            }
            try #require(ready, "procwardend never answered status: \(last?.summary ?? "") \(daemon.stderr)")
        }

        func ctl(_ arguments: [String], prefix: [String] = []) throws -> ToolRun {
            try ToolRun.product("procwardenctl", arguments, environment: bus.environment, prefix: prefix)
        }
    }

    static func withRunningDaemon(_ body: (RunningDaemon) throws -> Void) throws {
        try withDaemonOnBus(policy: .permissive, configuration: "[Scan]\nIntervalSec=3600", wait: false) {
            daemon, bus in
            try body(try RunningDaemon(daemon, on: bus))
        }
    }

    static let nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    static func ownExecutableName() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes {
            readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
        }
        let path = String(decoding: buffer[..<max(0, n)], as: UTF8.self)
        return String(path.split(separator: "/").last ?? "")
    }

    static func object(_ run: ToolRun) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(run.stdout)) as? [String: Any], "\(run.stdoutText)")
    }

    @Test func unprivilegedCallerGetsAccessDeniedAsOneLine() throws {
        try Self.withRunningDaemon { d in
            for verb in [
                ["rescan"], ["list"], ["set-threshold", "42"], ["reload"], ["reset-baseline", "/usr/bin/true"],
            ] {
                let run = try d.ctl(verb, prefix: Self.nobody)
                let line = CtlErrorTests.expectOneLine(run, status: 77)
                #expect(line == "procwardenctl: access denied; run as root", "\(verb)")
            }
            // Reading is allowed, and the refused change did not happen.
            let threshold = try d.ctl(["threshold"], prefix: Self.nobody)
            #expect(threshold.succeeded, "\(threshold.summary)")
            #expect(threshold.stdoutText == "80\n")
        }
    }

    @Test func everyBusVerbWorksAsRoot() throws {
        try Self.withRunningDaemon { d in
            let status = try Self.object(try d.ctl(["status", "--json"]))
            let keys = [
                "version", "similarity_threshold", "scan_interval_usec", "state", "last_scan_timestamp",
                "last_scan_duration_usec", "processes", "executables", "bytes_hashed", "cache_hits",
                "ssdeep_failures", "alerts_raised", "alerts_suppressed", "capabilities", "coverage",
                "watched_directories",
            ]
            #expect(Set(status.keys) == Set(keys))
            #expect(status["version"] as? String == ProcWarden.version)
            #expect(status["scan_interval_usec"] as? Int == 3_600_000_000)
            let human = try d.ctl([])
            #expect(human.succeeded, "\(human.summary)")
            #expect(human.stdoutText.hasPrefix("procwardend \(ProcWarden.version) on the system bus\n"))
            #expect(human.stdoutText.contains("Scan interval: 1h\n"))

            let rescan = try Self.object(try d.ctl(["rescan", "--json"]))
            #expect(
                Set(rescan.keys) == [
                    "scan_id", "processes", "executables", "hashed", "cache_hits", "alerts",
                    "suppressed", "duration_usec",
                ])
            let scanID = try #require(rescan["scan_id"] as? Int)
            #expect(scanID >= 1)
            #expect((rescan["processes"] as? Int ?? 0) > 0)

            // This process runs the test runner from disk: the rescan saw it.
            let list = try d.ctl(["list", "--json", "--state", "on_disk"])
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(list.stdout)) as? [[String: Any]],
                "\(list.summary)")
            #expect(rows.allSatisfy { $0["exe_state"] as? String == "on_disk" })
            let runner = try BuildProducts.directory + "/" + Self.ownExecutableName()
            let mine = try #require(
                rows.first { $0["path"] as? String == runner }, "\(runner) not in \(list.stdoutText)")
            #expect((mine["process_count"] as? Int ?? 0) >= 1)
            #expect((mine["sha256"] as? String)?.count == 64)
            let table = try d.ctl(["list", "--state", "on_disk"])
            #expect(table.stdoutText.hasPrefix("STATE "))
            #expect(
                table.stdoutText.hasSuffix("\(rows.count) \(rows.count == 1 ? "executable" : "executables") listed.\n"))

            // The runner maps the C library: an on_disk object with its digest.
            let objects = try d.ctl(["list", "--libraries", "--json", "--state", "on_disk"])
            let objectRows = try #require(
                try JSONSerialization.jsonObject(with: Data(objects.stdout)) as? [[String: Any]],
                "\(objects.summary)")
            #expect(objectRows.allSatisfy { $0["object_state"] as? String == "on_disk" })
            let libc = try #require(
                objectRows.first { ($0["path"] as? String)?.hasSuffix("/libc.so.6") == true }, "\(objects.stdoutText)")
            #expect((libc["sha256"] as? String)?.count == 64)
            #expect((libc["process_count"] as? Int ?? 0) >= 1)
            #expect(
                Set(libc.keys) == [
                    "path", "object_state", "size", "sha256", "package", "package_verified", "process_count",
                ])
            let objectTable = try d.ctl(["list", "--libraries"])
            #expect(objectTable.stdoutText.hasPrefix("STATE "))
            #expect(objectTable.stdoutText.contains("libc.so.6"))
            #expect(objectTable.stdoutText.hasSuffix(" objects listed.\n"))

            #expect(try d.ctl(["set-threshold", "61", "--runtime"]).succeeded)
            #expect(try d.ctl(["threshold"]).stdoutText == "61\n")
            #expect(try Self.object(try d.ctl(["threshold", "--json"]))["similarity_threshold"] as? Int == 61)

            let reload = try d.ctl(["reload"])
            #expect(reload.succeeded && reload.stdout.isEmpty && reload.stderr.isEmpty, "\(reload.summary)")

            let unknown = try d.ctl(["reset-baseline", "/nonexistent/never-ran"])
            let line = CtlErrorTests.expectOneLine(unknown, status: 1)
            #expect(
                line == "procwardenctl: no baseline for /nonexistent/never-ran; "
                    + "see procwardenctl list for the executables procwardend knows")
        }
    }
}
