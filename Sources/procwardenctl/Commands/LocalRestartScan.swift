import Logging
import ProcWardenKit

/// `needs-restart` without a daemon: one scan of this host with the same
/// engine, judged against the daemon's saved baselines (read, never
/// written), as far as the caller's rights reach.
enum LocalRestartScan {
    struct Result {
        var entries: [RestartNeeded]
        /// What the caller is told on stderr: that this was a local scan,
        /// and what it could not see.
        var note: String
    }

    static func run(stateDirectory: String = "/var/lib/procwarden") -> Result {
        let configuration = (try? ConfigLoader().load()) ?? Configuration()
        var limits = configuration.scanLimits
        // What runs as it is on disk needs no restart: only stale files are
        // read, and ssdeep (for similarity) is not wanted.
        limits.staleFilesOnly = true
        limits.ssdeep = false
        let scanner = Scanner(
            limits: limits,
            logger: Logger(label: "procwardenctl", factory: { _ in SwiftLogNoOpLogHandler() }))
        let state = StateStore(directory: stateDirectory).peek()
        var report = scanner.scan()
        let rules = RulesEngine(settings: configuration.ruleSettings)
        var entries = rules.restartNeeded(report, baselines: state?.baselines ?? BaselineStore())
        let reader = ProcessContextReader()
        let byPid = Dictionary(report.processes.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        for i in entries.indices { entries[i].unit = byPid[entries[i].pid].flatMap { reader.read($0)?.unit } }
        report.restartNeeded = entries
        var note = "no procwardend answered; scanned \(report.summary.processes) processes locally"
        if state == nil {
            note += " without the daemon's baselines (none readable in \(stateDirectory)), so none is known"
        }
        if report.summary.coverage == .partial { note += "; coverage partial (run as root for all processes)" }
        return Result(entries: entries, note: note)
    }
}
