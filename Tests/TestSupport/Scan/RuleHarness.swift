import Logging
import ProcWardenKit
import Testing

/// A real Scanner and RulesEngine (no store, no journal) over the processes
/// whose images lie under one prefix: what the daemon would raise, before
/// dedup and rate limiting.
public final class RuleHarness {
    public let monitor: Monitor

    /// `prefix`: images outside it are ignored, so other
    /// processes on the machine raise nothing here. The settings default to
    /// `testSettings`: tests stage their binaries under /tmp.
    public init(
        watching prefix: String, limits: ScanLimits = ScanLimits(), settings: RuleSettings = RuleHarness.testSettings
    ) {
        var limits = limits
        limits.ignorePaths = AlertConfig.ignoringAllBut(prefix)
        let logger = Logger(label: "test.rules")
        monitor = Monitor(
            scanner: Scanner(limits: limits, logger: logger), rules: RulesEngine(settings: settings), store: nil,
            alertSettings: AlertLimits(), logger: logger)
    }

    /// The defaults, except that `UntrustedCodePaths` leaves out /tmp, where
    /// `ScratchDirectory` stages the binaries of tests about other rules. A
    /// test of `integrity.untrusted_code` sets the list to its own scratch
    /// directory.
    public static var testSettings: RuleSettings {
        var settings = RuleSettings()
        settings.untrustedCodePaths = AlertConfig.untrustedCodePathsForTests
        return settings
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
