import Logging
import ProcWardenKit
import Testing

/// A real Scanner and RulesEngine (no store, no journal) over the processes
/// whose images lie under one prefix: what the daemon would raise, before
/// dedup and rate limiting.
public final class RuleHarness {
    public let monitor: Monitor

    /// `prefix`: images outside it are ignored, so other
    /// processes on the machine raise nothing here.
    public init(watching prefix: String, limits: ScanLimits = ScanLimits(), settings: RuleSettings = RuleSettings()) {
        var limits = limits
        limits.ignorePaths = AlertConfig.ignoringAllBut(prefix)
        let logger = Logger(label: "test.rules")
        monitor = Monitor(
            scanner: Scanner(limits: limits, logger: logger), rules: RulesEngine(settings: settings), store: nil,
            alertSettings: AlertLimits(), logger: logger)
    }

    /// One scan; the report and every alert it raised.
    public func cycle() throws -> (report: ScanReport, alerts: [Alert]) {
        let result = monitor.runCycle()
        let report = try #require(result.report)
        Self.expectReadable(result.raised)
        return (report, result.raised)
    }

    /// No message or field of any alert shows an internal root key
    /// (`root=<dev>:<ino>:…`), in the journal's terms or the JSON report's.
    public static func expectReadable(_ alerts: [Alert], sourceLocation: SourceLocation = #_sourceLocation) {
        for alert in alerts {
            let json = alert.json.text
            #expect(!json.contains("root="), "\(json)", sourceLocation: sourceLocation)
            #expect(!alert.message.description.contains("root="), "\(alert.message)", sourceLocation: sourceLocation)
        }
    }
}
