import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd

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
        Daemon.raiseFileLimit()
        let startup: Startup
        do {
            startup = try Startup(options: options, logger: logger)
        } catch {
            Startup.printError(error.message)
            return error.exitCode
        }
        let journal = startup.journal
        startup.reportWarnings()
        let monitor = startup.makeMonitor(startup.effectiveConfiguration)
        let result = monitor.runCycle()
        // What journald does not take now stays queued in the state, for
        // the next run or the daemon to deliver.
        _ = AlertDelivery(journal: journal).run(monitor)
        if let report = monitor.shutdown() { journal.send(JournalEntry.suppressed(report)) }
        guard let report = result.report else { return ExitCode.failure.code }
        let text =
            json
            ? report.withContext(ProcessContextReader(procfs: monitor.scanner.procfs))
                .json(
                    extra: [(ReportKey.alerts, .array(result.raised.map(\.json)))], settings: monitor.rules.settings
                ).text
            : report.table(settings: monitor.rules.settings)
        print(text)
        fflush(nil)  // the report is out even if teardown goes wrong
        return (result.raised.contains { $0.severity == .high } ? ExitCode.failure : .success).code
    }

}
