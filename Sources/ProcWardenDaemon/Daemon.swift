import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import Synchronization

/// procwardend's long-running mode: configuration, privileges, state, the
/// scan thread, and the sd-event loop that carries signals, timers, journal
/// output, sd_notify and the bus.
///
/// Everything but the scan itself runs on the event loop's thread; the scan
/// thread hands finished cycles over through a pipe.
public final class Daemon {
    private let options: DaemonOptions
    private let logger: Logger
    private let notifier = ServiceNotifier()

    private var configuration = Configuration()
    private var overrides: SettingsOverridesStore?
    private var journal: JournalWriter!
    private var coordinator: ScanCoordinator!
    private var loop: EventLoop!
    private var scanTimer: EventTimer!
    private var windowTimer: EventTimer!
    private var watchdogTimer: EventTimer?
    private var bus: BusService?
    private var startup: Startup!
    private let mailbox = Mailbox()
    private var wakeRead: Int32 = -1
    private var lastSummaryEntry: UInt64 = 0

    public private(set) var counters = DaemonCounters()
    /// Rescan callers waiting for a scan id to complete.
    private var waiters: [UInt64: [(CycleResult) -> Void]] = [:]
    /// Called on the event loop after each scan; the bus hooks in here.
    public var onScanCompleted: ((CycleResult) -> Void)?
    public var onAlertDelivered: ((Alert) -> Void)?
    /// Called on the event loop after a SIGHUP reload; the bus announces
    /// the settings that changed.
    public var onSettingsChanged: (() -> Void)?

    /// Results crossing from the scan thread to the event loop.
    private final class Mailbox: Sendable {
        let results = Mutex<[CycleResult]>([])
        let wakeWrite = Atomic<Int32>(-1)
    }

    public init(options: DaemonOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT. Returns the process exit code: 0 after a
    /// clean stop, 78 for bad configuration, 1 when it cannot start.
    public func run() -> Int32 {
        // Before any thread exists, so every thread inherits the mask and
        // the signals arrive only through the event loop's signalfd.
        EventLoop.blockSignals([SIGTERM, SIGINT, SIGHUP])
        do {
            startup = try Startup(options: options, logger: logger)
        } catch {
            Startup.printError(error.message)
            return error.exitCode
        }
        configuration = startup.configuration
        overrides = startup.overrides
        journal = startup.journal
        journal.send(JournalEntry.started(capabilities: startup.privileges.capabilities, mode: startup.privileges.mode.rawValue,
                                          journalMode: options.journal, coverage: startup.coverage))
        startup.reportWarnings()
        let monitor = startup.makeMonitor(startup.effectiveConfiguration)

        do {
            try setUpLoop()
        } catch {
            Startup.printError("cannot start the event loop: \(error)")
            return 1
        }
        let mailbox = self.mailbox
        coordinator = ScanCoordinator(monitor: monitor) { result in
            mailbox.results.withLock { $0.append(result) }
            var byte: UInt8 = 1
            _ = write(mailbox.wakeWrite.load(ordering: .acquiring), &byte, 1)
        }
        if options.bus != .none {
            let service = BusService(kind: options.bus, daemon: self, loop: loop, logger: logger)
            onScanCompleted = { [unowned service] in service.scanCompleted($0) }
            onAlertDelivered = { [unowned service] in service.alertDelivered($0) }
            onSettingsChanged = { [unowned service] in service.settingsChanged() }
            bus = service
            service.connect()
        }
        coordinator.requestScan()
        notifier.ready(status: "Starting first scan")
        logger.info("procwardend started", metadata: ["mode": "\(startup.privileges.mode.rawValue)", "capabilities": "\(startup.privileges.capabilities)"])
        let code = loop.run()
        return code < 0 ? 1 : code
    }

    // MARK: - Actions (used by signals, timers and the bus)

    /// Requests a scan; `completion` runs on the event loop with the result
    /// of the scan that serves the request (coalesced with any in flight).
    public func rescan(_ completion: @escaping (CycleResult) -> Void) {
        let id = coordinator.requestScan(onDemand: true)
        waiters[id, default: []].append(completion)
    }

    public var isScanning: Bool { coordinator.isScanning }
    public var capabilities: String { startup.privileges.capabilities }
    public var coverage: Coverage {
        startup.coverage == .partial ? .partial : (counters.lastScan?.coverage ?? .full)
    }
    public var similarityThreshold: Int { overrides?.effective.applied(to: configuration).similarityThreshold ?? configuration.similarityThreshold }
    public var scanInterval: Duration { configuration.interval }

    /// Sets the threshold, persisted unless `runtime`; throws ConfigError
    /// for a value outside 1–99 and SystemError when it cannot be saved.
    public func setSimilarityThreshold(_ value: Int, runtime: Bool) throws {
        if overrides == nil {
            try ConfigKey.similarityThreshold.validate(value)
            guard runtime else { throw SystemError("save settings: no usable state directory", errno: EROFS) }
            configuration.similarityThreshold = value
        } else {
            try overrides!.setSimilarityThreshold(value, runtime: runtime)
        }
        applyEffectiveConfiguration()
    }

    /// Re-reads the configuration files. On error the running configuration
    /// stays and the error is returned.
    @discardableResult
    public func reload() -> ConfigError? {
        notifier.reloading()
        defer { notifier.ready(status: counters.statusLine(nextScanInSeconds: UInt64(configuration.interval.seconds))) }
        do {
            configuration = try options.configLoader.load()
        } catch {
            journal.send(JournalEntry.warning(ByteString("configuration reload rejected, keeping the running configuration: \(error)"),
                                              kind: "config"))
            logger.error("configuration reload rejected; the running configuration stays", metadata: ["error": "\(error)"])
            return error
        }
        applyEffectiveConfiguration()
        scheduleNextScan()
        logger.notice("configuration reloaded")
        return nil
    }

    /// Accepts the current image at `path` as its baseline; false if no
    /// baseline exists for it.
    public func resetBaseline(path: ByteString) -> Bool {
        let found = coordinator.withMonitor { $0.resetBaseline(path: path) }
        if found { coordinator.persistSoon() }
        return found
    }

    /// The last scan's records.
    public private(set) var lastReport: ScanReport?

    // MARK: - Event loop

    private func setUpLoop() throws(SystemError) {
        loop = try EventLoop()
        try loop.onSignal(SIGTERM) { [unowned self] in self.stop() }
        try loop.onSignal(SIGINT) { [unowned self] in self.stop() }
        try loop.onSignal(SIGHUP) { [unowned self] in
            self.reload()
            self.onSettingsChanged?()
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        mailbox.wakeWrite.store(fds[1], ordering: .releasing)
        try loop.onReadable(wakeRead) { [unowned self] in self.drainMailbox() }
        // 50 ms of slack rather than sd-event's 250 ms: with IntervalSec=1 the
        // default would add a quarter of the interval to every scan.
        scanTimer = try loop.makeTimer(accuracyMicroseconds: 50_000) { [unowned self] in self.coordinator.requestScan() }
        windowTimer = try loop.makeTimer(clock: CLOCK_REALTIME) { [unowned self] in self.rateWindowEnded() }
        if let ping = ServiceNotifier.watchdogPingInterval() {
            // WATCHDOG=1 at half of WATCHDOG_USEC, from the loop itself: a
            // loop that stops dispatching stops the pings. Each ping is due
            // one interval after the previous one was due, not after it
            // fired, and may be at most a tenth of an interval late, so
            // lateness never adds up to a missed deadline (sd-event's default
            // slack of 250 ms would, for a short WatchdogSec=).
            var due: UInt64 = 0
            watchdogTimer = try loop.makeTimer(accuracyMicroseconds: max(1, min(ping / 10, 250_000))) { [unowned self] in
                self.notifier.watchdog()
                guard let timer = self.watchdogTimer else { return }
                let now = timer.now
                due = due &+ ping > now ? timer.schedule(atMicroseconds: due &+ ping) : timer.schedule(afterMicroseconds: ping)
            }
            due = watchdogTimer!.schedule(afterMicroseconds: ping)
        }
    }

    private func stop() {
        notifier.stopping()
        let report = coordinator.withMonitor { $0.shutdown() }
        if let report { sendSuppressed(report) }
        logger.info("procwardend stopping")
        loop.exit(0)
    }

    private func drainMailbox() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        let results = mailbox.results.withLock { r -> [CycleResult] in
            defer { r.removeAll() }
            return r
        }
        for result in results { handle(result) }
    }

    private func handle(_ result: CycleResult) {
        deliver(result)
        guard let report = result.report else { return }
        lastReport = report
        // Before the counters take this scan, so a coverage change is seen.
        maybeSendSummary(report.summary)
        counters.add(report.summary)
        scheduleNextScan()
        notifier.status(counters.statusLine(nextScanInSeconds: UInt64(configuration.interval.seconds)))
        onScanCompleted?(result)
        for callback in waiters.removeValue(forKey: report.summary.scanID) ?? [] { callback(result) }
        // Waiters for scans that can no longer come (ids skipped) are served too.
        for id in waiters.keys where id < report.summary.scanID {
            for callback in waiters.removeValue(forKey: id) ?? [] { callback(result) }
        }
    }

    private func deliver(_ result: CycleResult) {
        // A "suppressed" entry closes the window before it; send it before
        // the alerts the new window releases.
        for report in result.suppressed { sendSuppressed(report) }
        for alert in result.deliver {
            journal.send(alert)
            counters.alertsRaised += 1
            onAlertDelivered?(alert)
        }
        let windowEnd = coordinator.withMonitor { $0.nextWindowEnd }
        if let windowEnd { windowTimer.schedule(atMicroseconds: windowEnd) } else { windowTimer.cancel() }
    }

    private func rateWindowEnded() {
        let result = coordinator.withMonitor { $0.tick() }
        coordinator.persistSoon()
        deliver(result)
    }

    private func sendSuppressed(_ report: SuppressedReport) {
        journal.send(JournalEntry.suppressed(deferred: report.deferred, dropped: report.dropped,
                                             queued: report.totalDeferred))
    }

    /// "Scan completed" at most once per scan, and only when something
    /// changed or `ScanSummaryEverySec` has passed.
    private func maybeSendSummary(_ summary: ScanSummary) {
        let now = WallClock.microseconds()
        let every = configuration.scanSummaryEvery.microseconds
        let changed = summary.hashed > 0 || summary.alerts > 0 || summary.suppressed > 0
            || summary.coverage != counters.lastScan?.coverage
        let due = every > 0 && now >= lastSummaryEntry + every
        guard changed || due else { return }
        lastSummaryEntry = now
        journal.send(JournalEntry.scanCompleted(summary))
    }

    private func scheduleNextScan() {
        scanTimer.schedule(afterMicroseconds: configuration.interval.microseconds)
    }

    private func applyEffectiveConfiguration() {
        let effective = overrides?.effective.applied(to: configuration) ?? configuration
        coordinator.update(limits: effective.scanLimits)
        coordinator.withMonitor { monitor in
            monitor.rules.settings = effective.ruleSettings
            monitor.apply(effective.alertLimits)
        }
    }
}
