import Glibc
import Logging
import ProcWardenKit

/// `procwardend --once`: one scan with the same configuration, privileges,
/// state and journal output as the daemon, then the inventory on stdout.
public struct OnceRun {
    public var options: DaemonOptions
    public var json: Bool
    public var logger: Logger

    public init(options: DaemonOptions, json: Bool, logger: Logger) {
        self.options = options
        self.json = json
        self.logger = logger
    }

    /// 0, or 1 when a high-severity alert was raised; 78 for bad
    /// configuration. The JSON's `alerts` and the exit code cover every
    /// alert this scan raised; the journal gets them after dedup and rate
    /// limiting, like the daemon's.
    public func run() -> Int32 {
        let configuration: Configuration
        do {
            configuration = try options.configLoader.load()
        } catch {
            Daemon.printError(error.description)
            return ConfigError.exitCode
        }
        let outcome: Privileges.Outcome
        do {
            outcome = try Privileges().establish(switchTo: options.user)
        } catch {
            Daemon.printError("cannot set up privileges: \(error)")
            return 1
        }
        let journal = JournalWriter(mode: options.journal, logger: logger)
        if let warning = outcome.warning {
            journal.send(JournalEntry.warning(ByteString(warning), kind: "capabilities"))
            if options.journal != .no { Daemon.printError("warning: \(warning)") }
        }

        let directory = options.resolvedStateDirectory(environment: Daemon.environment())
        var effective = configuration
        var store: StateStore? = nil
        if mkdir(directory, 0o700) == 0 || errno == EEXIST, access(directory, W_OK) == 0 {
            store = StateStore(directory: directory)
            if let (overrides, warning) = try? SettingsOverridesStore.load(stateDirectory: directory) {
                effective = overrides.effective.applied(to: configuration)
                if let warning { journal.send(JournalEntry.warning(ByteString(warning), kind: "settings")) }
            }
        } else {
            logger.warning("state directory unusable; baselines will not persist", metadata: ["directory": "\(directory)"])
        }

        let monitor = Monitor(scanner: Scanner(limits: effective.scanLimits, logger: logger),
                              rules: RulesEngine(settings: effective.ruleSettings, ownRoot: Daemon.ownRoot()),
                              store: store, alertSettings: effective.alertLimits, logger: logger)
        if let warning = monitor.startupWarning {
            journal.send(JournalEntry.warning(ByteString(warning), kind: "state"))
        }
        let result = monitor.runCycle()
        // A suppressed report closes a window that ended before this one
        // opened, so it goes before the alerts this window delivers.
        for report in result.suppressed { sendSuppressed(report, to: journal) }
        for alert in result.deliver { journal.send(alert) }
        if let report = monitor.shutdown() { sendSuppressed(report, to: journal) }
        guard let report = result.report else { return 1 }
        let text = json
            ? report.json(extra: [(ReportKey.alerts, .array(result.raised.map(\.json)))]).text
            : report.table()
        print(text)
        return result.raised.contains { $0.severity == .high } ? 1 : 0
    }

    private func sendSuppressed(_ report: SuppressedReport, to journal: JournalWriter) {
        journal.send(JournalEntry.suppressed(deferred: report.deferred, dropped: report.dropped, queued: report.totalDeferred))
    }
}
