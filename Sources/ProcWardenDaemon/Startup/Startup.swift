import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd

/// What the daemon and `--once` do before their first scan, in SPEC order:
/// read the configuration, settle privileges, open the journal, prepare the
/// state directory with its persisted settings, and build the monitor.
final class Startup {
    /// Why starting failed, with the exit code it means.
    enum Failure: Error {
        case configuration(ConfigError)
        case privileges(Privileges.Failure)

        var exitCode: Int32 {
            switch self {
            case .configuration: ConfigError.exitCode
            case .privileges: ExitCode.failure.code
            }
        }

        /// One line for stderr.
        var message: String {
            switch self {
            case .configuration(let error): error.description
            case .privileges(let error): "cannot set up privileges: \(error)"
            }
        }
    }

    let options: DaemonOptions
    let configuration: Configuration
    let privileges: Privileges.Outcome
    let journal: JournalWriter
    let stateDirectory: String
    /// nil when the state directory cannot be created or written.
    let store: StateStore?
    /// nil without a usable state directory; runtime changes then stay in memory.
    let overrides: SettingsOverridesStore?
    private let logger: Logger
    private var warned: Set<WarningKind> = []

    init(options: DaemonOptions, logger: Logger) throws(Failure) {
        self.options = options
        self.logger = logger
        do {
            configuration = try options.configLoader.load()
        } catch {
            throw .configuration(error)
        }
        do {
            privileges = try Privileges().establish(switchTo: options.user)
        } catch {
            throw .privileges(error)
        }
        journal = JournalWriter(mode: options.journal, logger: logger)
        stateDirectory = options.resolvedStateDirectory(environment: Self.environment())
        var problems: [(kind: WarningKind, message: String)] = []
        store = Self.prepareStateDirectory(stateDirectory, problems: &problems)
        var overrides: SettingsOverridesStore?
        if store != nil {
            do {
                let (loaded, warning) = try SettingsOverridesStore.load(stateDirectory: stateDirectory)
                overrides = loaded
                if let warning { problems.append((.settings, warning)) }
            } catch {
                problems.append((.settings, "cannot read persisted settings in \(stateDirectory): \(error)"))
            }
        }
        self.overrides = overrides
        if let warning = privileges.warning { problems.insert((.capabilities, warning), at: 0) }
        pendingWarnings = problems
    }

    /// Problems found while starting, reported by `reportWarnings()` once the
    /// caller has announced the start.
    private var pendingWarnings: [(kind: WarningKind, message: String)]

    /// Sends the start-up warnings (missing capabilities, unusable state
    /// directory or settings) as warning entries.
    func reportWarnings() {
        for problem in pendingWarnings { warnOnce(problem.message, kind: problem.kind) }
        pendingWarnings.removeAll()
    }

    /// The file configuration with the persisted bus settings applied.
    var effectiveConfiguration: Configuration {
        overrides?.effective.applied(to: configuration) ?? configuration
    }

    var coverage: Coverage { privileges.mode == .unprivileged ? .partial : .full }

    /// Scanner, rules and persisted state for `configuration`; a corrupt
    /// state file is reported as a warning entry. Starts the hash workers.
    func makeMonitor(_ configuration: Configuration) -> Monitor {
        let monitor = Monitor(
            scanner: Scanner(limits: configuration.scanLimits, logger: logger),
            rules: RulesEngine(settings: configuration.ruleSettings),
            store: store, alertSettings: configuration.alertLimits, logger: logger)
        if let warning = monitor.startupWarning { warnOnce(warning, kind: .state) }
        return monitor
    }

    /// A warning through the logger's one path (`JournalLogHandler`: a
    /// journal entry with PROCWARDEN_WARNING=<kind>, and a stderr line unless
    /// stderr is journald's stream), once per kind for the life of the process.
    func warnOnce(_ message: String, kind: WarningKind) {
        guard warned.insert(kind).inserted else { return }
        logger.warning("\(message)", metadata: [JournalLogHandler.warningKey: "\(kind.rawValue)"])
    }

    private static func prepareStateDirectory(
        _ directory: String, problems: inout [(kind: WarningKind, message: String)]
    ) -> StateStore? {
        do {
            try SystemCall.valueOrErrno("mkdir \(directory)") { mkdir(directory, 0o700) }
        } catch  where error.errno == EEXIST {
            // Already there; whether it is writable is checked next.
        } catch {
            problems.append(
                (
                    .state,
                    "cannot create state directory \(directory) (\(String(cString: strerror(error.errno)))); baselines will not persist"
                ))
            return nil
        }
        guard access(directory, W_OK) == 0 else {
            problems.append((.state, "state directory \(directory) is not writable; baselines will not persist"))
            return nil
        }
        return StateStore(directory: directory)
    }

    static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { result[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return result
    }

    static func printError(_ message: String) {
        let line = "procwardend: \(message)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
