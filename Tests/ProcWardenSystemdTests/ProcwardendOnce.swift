import Foundation
import ProcWardenKit

/// One finished `procwardend --once --json --journal yes` with a state
/// directory and a configuration file: its pid (journald's `_PID` on its
/// entries), exit code, and the JSON report.
struct ProcwardendOnce {
    var pid: pid_t
    /// Realtime µs just before it started: its entries are no older.
    var startedAt: UInt64
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// The report's `alerts`: every alert the scan raised.
    var alerts: [[String: Any]]
    var summary: [String: Any]
    var processes: [[String: Any]]

    static func run(stateDirectory: String, config: String, outputDirectory: String) throws -> ProcwardendOnce {
        let startedAt = WallClock.microseconds()
        let process = try DaemonProcess(["procwardend", "--once", "--json", "--journal", "yes",
                                         "--state-dir", stateDirectory, "--config", config],
                                        outputDirectory: outputDirectory)
        guard let code = process.waitForExit(timeout: .seconds(60)) else {
            throw AlertTestFailure("procwardend --once did not finish within 60 s")
        }
        let stdout = process.stdout
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
              let alerts = object["alerts"] as? [[String: Any]], let summary = object["summary"] as? [String: Any],
              let processes = object["processes"] as? [[String: Any]] else {
            throw AlertTestFailure("procwardend --once exited \(code) without a JSON report; stderr: \(process.stderr)")
        }
        return ProcwardendOnce(pid: process.pid, startedAt: startedAt, exitCode: code, stdout: stdout, stderr: process.stderr,
                               alerts: alerts, summary: summary, processes: processes)
    }

    /// The report's alerts of `rule` for process `pid`.
    func alerts(_ rule: AlertRule, pid: pid_t) -> [[String: Any]] {
        alerts.filter { $0["rule"] as? String == rule.rawValue && ($0["pid"] as? NSNumber)?.int32Value == pid }
    }

    /// The report's record of process `pid`.
    func process(_ pid: pid_t) -> [String: Any]? {
        processes.first { ($0["pid"] as? NSNumber)?.int32Value == pid }
    }
}
