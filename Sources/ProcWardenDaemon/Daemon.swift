import CShims
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd

/// procwardend's long-running mode: start-up in SPEC order, then the
/// sd-event loop that carries signals, timers, journal output, sd_notify
/// and the bus until SIGTERM or SIGINT.
public struct Daemon {
    private let options: DaemonOptions
    private let logger: Logger

    public init(options: DaemonOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Raises the soft RLIMIT_NOFILE to the hard limit (setrlimit(2)), as
    /// systemd.exec(5) advises for programs that do not use select(2): a
    /// cold scan holds every distinct uncached executable and mapped object
    /// open until it is hashed, which passes systemd's default soft limit
    /// of 1024 on a host with many libraries.
    static func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Runs until SIGTERM/SIGINT. Returns the process exit code: 0 after a
    /// clean stop, 78 for bad configuration, 1 when it cannot start.
    public func run() -> Int32 {
        // Before any thread exists, so every thread inherits the mask and
        // the signals arrive only through the event loop's signalfd.
        EventLoop.blockSignals([SIGTERM, SIGINT, SIGHUP])
        // One malloc arena rather than one per hashing thread: the arenas'
        // free but unreturned pages were ~2 MiB of the RSS at 10,000
        // processes (SPEC §13's 30 MiB); ScanLoop trims after each scan.
        mallopt(M_ARENA_MAX, 1)
        Self.raiseFileLimit()
        let startup: Startup
        do {
            startup = try Startup(options: options, logger: logger)
        } catch {
            Startup.printError(error.message)
            return error.exitCode
        }
        startup.journal.send(
            JournalEntry.started(
                capabilities: startup.privileges.capabilities, mode: startup.privileges.mode.rawValue,
                journalMode: options.journal, coverage: startup.coverage))
        startup.reportWarnings()

        let scanLoop: ScanLoop
        do {
            scanLoop = try ScanLoop(startup: startup, logger: logger)
        } catch {
            Startup.printError("cannot start the event loop: \(error)")
            return ExitCode.failure.code
        }
        var connection: BusConnection?
        if options.bus != .none {
            let bus = BusConnection(kind: options.bus, loop: scanLoop.loop, logger: logger)
            let object = MonitorObject(control: scanLoop, connection: bus)
            scanLoop.events = object
            bus.connect(object)
            connection = bus
        }
        logger.info(
            "procwardend started",
            metadata: [
                "mode": "\(startup.privileges.mode.rawValue)", "capabilities": "\(startup.privileges.capabilities)",
            ])
        let code = scanLoop.run()
        withExtendedLifetime(connection) {}
        return code < 0 ? 1 : code
    }
}
