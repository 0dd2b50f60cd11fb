import Foundation
import ProcWardenKit

/// One finished `procwardend --once --json` (see `Procwardend.once`): its
/// pid (journald's `_PID` on its entries), exit code, output, and the JSON
/// report.
public struct ProcwardendOnce {
    public var pid: pid_t
    /// Realtime µs just before it started: its entries are no older.
    public var startedAt: UInt64
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// The report's `alerts`: every alert the scan raised.
    public var alerts: [[String: Any]]
    public var summary: [String: Any]
    public var processes: [[String: Any]]

    /// Parses `stdout`; throws unless it is a report with `alerts`,
    /// `summary` and `processes`.
    public init(pid: pid_t, startedAt: UInt64, exitCode: Int32, stdout: String, stderr: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
            let alerts = object["alerts"] as? [[String: Any]], let summary = object["summary"] as? [String: Any],
            let processes = object["processes"] as? [[String: Any]]
        else {
            throw TestFailure("procwardend --once exited \(exitCode) without a JSON report; stderr: \(stderr)")
        }
        (self.pid, self.startedAt, self.exitCode, self.stdout, self.stderr) = (pid, startedAt, exitCode, stdout, stderr)
        (self.alerts, self.summary, self.processes) = (alerts, summary, processes)
    }

    /// The report's alerts of `rule` for process `pid`.
    public func alerts(_ rule: AlertRule, pid: pid_t) -> [[String: Any]] {
        alerts.filter { $0["rule"] as? String == rule.rawValue && ($0["pid"] as? NSNumber)?.int32Value == pid }
    }

    /// The report's record of process `pid`.
    public func process(_ pid: pid_t) -> [String: Any]? {
        processes.first { ($0["pid"] as? NSNumber)?.int32Value == pid }
    }
}
