import CShims
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import Synchronization

/// The running daemon on its sd-event loop: the scan thread's results,
/// the scan and rate-limit timers, journal delivery, sd_notify, signals and
/// the counters the bus shows.
///
/// Everything but the scan itself runs on the event loop's thread; the scan
/// thread hands finished cycles over through a pipe.
final class ScanLoop {
    let loop: EventLoop
    /// The bus object, told about scans, alerts and reloads; nil without a bus.
    var events: (any MonitorEvents)?

    private let startup: Startup
    private let options: DaemonOptions
    private let logger: Logger
    private let journal: JournalWriter
    private let notifier = ServiceNotifier()
    private let coordinator: ScanCoordinator
    private let mailbox: Mailbox
    private var configuration: Configuration
    /// The persisted bus settings; nil without a usable state directory,
    /// when runtime changes stay in memory.
    private var overrides: SettingsOverridesStore?
    private var scanTimer: EventTimer?
    /// When the current scan period began, on the scan timer's (monotonic)
    /// clock: when the last periodic scan was due. The next one is due an
    /// interval later, start to start (SPEC §8).
    private var periodStart: UInt64 = 0
    /// What the scan timer was last set for.
    private var nextScanDue: UInt64 = 0
    private var windowTimer: EventTimer?
    /// While journald does not take entries: a retry at least every second,
    /// and a watch for its socket having room again (after EAGAIN).
    private var retryTimer: EventTimer?
    private var writableWatch: EventWatch?
    private let delivery: AlertDelivery
    private var watchdogTimer: EventTimer?
    private var lastSummaryEntry: UInt64 = 0
    private var counters = DaemonCounters()
    /// What the bus lists from the last full scan. Kept instead of its
    /// report: the next scan's records are built while these are held.
    private(set) var executables: [Inventory.Executable] = []
    private(set) var objects: [ObjectInventory.Object] = []
    private(set) var restartNeeded: [RestartNeeded] = []
    /// Processes named by inotify events, gathered for ~100 ms before one
    /// targeted scan (SPEC §15).
    private var eventTargets: Set<Int32> = []
    private var coalesceTimer: EventTimer?
    private var newProcessTimer: EventTimer?
    /// `Watch=yes`, but no inotify instance could be had.
    private var watchUnavailable = false
    /// The watch count and coverage last announced on the bus.
    private var announcedWatches: (count: Int, partial: Bool) = (0, false)
    /// Rescan callers waiting for a scan id to complete.
    private var waiters: [UInt64: [(ScanSummary) -> Void]] = [:]

    init(startup: Startup, logger: Logger) throws(SystemError) {
        self.startup = startup
        self.options = startup.options
        self.logger = logger
        self.journal = startup.journal
        self.delivery = AlertDelivery(journal: startup.journal)
        self.configuration = startup.configuration
        self.overrides = startup.overrides
        self.loop = try EventLoop()
        let mailbox = try Mailbox()
        self.mailbox = mailbox
        var watcher: DirectoryWatcher?
        if startup.configuration.watch {
            do {
                watcher = try DirectoryWatcher(logger: logger)
            } catch {
                watchUnavailable = true
                logger.warning(
                    "cannot watch directories (\(error)); changes are found by the scans alone, and coverage is partial (raise fs.inotify.max_user_instances)",
                    metadata: [JournalLogHandler.warningKey: "\(WarningKind.inotify.rawValue)"])
            }
        }
        coordinator = ScanCoordinator(
            monitor: startup.makeMonitor(startup.effectiveConfiguration), watcher: watcher
        ) { result in
            mailbox.post(result)
        }
        try setUpLoop()
    }

    /// Starts the first scan, says READY=1 and dispatches until SIGTERM or
    /// SIGINT; returns sd_event_loop's exit code.
    func run() -> Int32 {
        periodStart = scanTimer?.now ?? 0
        coordinator.requestScan()
        scheduleNewProcessPass()
        notifier.ready(status: "Starting first scan")
        return loop.run()
    }

    // MARK: - Event loop

    private func setUpLoop() throws(SystemError) {
        try loop.onSignal(SIGTERM) { [unowned self] in self.stop() }
        try loop.onSignal(SIGINT) { [unowned self] in self.stop() }
        try loop.onSignal(SIGHUP) { [unowned self] in
            try? self.reload()
            self.events?.settingsChanged()
        }
        try loop.onReadable(mailbox.wakeRead) { [unowned self] in
            for result in self.mailbox.drain() { self.handle(result) }
        }
        // 50 ms of slack rather than sd-event's 250 ms: with IntervalSec=1 the
        // default would add a quarter of the interval to every scan.
        scanTimer = try loop.makeTimer(accuracyMicroseconds: 50_000) { [unowned self] in
            self.periodStart = self.nextScanDue
            self.coordinator.requestScan()
        }
        if let watcher = coordinator.watcher {
            try loop.onReadable(watcher.descriptor) { [unowned self] in self.watchEvents(watcher.readEvents()) }
            coalesceTimer = try loop.makeTimer(accuracyMicroseconds: 10_000) { [unowned self] in
                self.coordinator.requestTargetedScan(of: self.eventTargets)
                self.eventTargets = []
            }
        }
        // Slack of a fifth of the interval lets the kernel fold the pass's
        // wakeups into others'.
        newProcessTimer = try loop.makeTimer(
            accuracyMicroseconds: max(1, UInt64(configuration.newProcessInterval.microseconds) / 5)
        ) { [unowned self] in
            self.coordinator.requestNewProcessPass()
            self.scheduleNewProcessPass()
        }
        windowTimer = try loop.makeTimer(clock: CLOCK_REALTIME) { [unowned self] in self.deliverQueue() }
        retryTimer = try loop.makeTimer(accuracyMicroseconds: 100_000) { [unowned self] in self.deliverQueue() }
        if journal.socket.descriptor >= 0 {
            writableWatch = try loop.makeWritableWatch(journal.socket.descriptor) { [unowned self] in
                self.deliverQueue()
            }
        }
        if let ping = ServiceNotifier.watchdogPingInterval() {
            // WATCHDOG=1 at half of WATCHDOG_USEC, from the loop itself: a
            // loop that stops dispatching stops the pings. Each ping is due
            // one interval after the previous one was due, not after it
            // fired, and may be at most a tenth of an interval late, so
            // lateness never adds up to a missed deadline (sd-event's default
            // slack of 250 ms would, for a short WatchdogSec=).
            var due: UInt64 = 0
            watchdogTimer = try loop.makeTimer(accuracyMicroseconds: max(1, min(ping / 10, 250_000))) {
                [unowned self] in
                self.notifier.watchdog()
                guard let timer = self.watchdogTimer else { return }
                let now = timer.now
                due =
                    due &+ ping > now
                    ? timer.schedule(atMicroseconds: due &+ ping) : timer.schedule(afterMicroseconds: ping)
            }
            due = watchdogTimer!.schedule(afterMicroseconds: ping)
        }
    }

    /// What inotify said: an overflow asks for a full scan, anything else
    /// for a targeted scan of the processes concerned ~100 ms from the
    /// first event, so that a burst of events makes one scan.
    private func watchEvents(_ events: DirectoryWatcher.Events) {
        if events.overflowed { coordinator.requestScan() }
        guard !events.pids.isEmpty else { return }
        if eventTargets.isEmpty { coalesceTimer?.schedule(afterMicroseconds: 100_000) }
        eventTargets.formUnion(events.pids)
    }

    /// The next new-process pass, `NewProcessIntervalSec` from now; none
    /// when it is 0.
    private func scheduleNewProcessPass() {
        let interval = UInt64(configuration.newProcessInterval.microseconds)
        if interval == 0 { newProcessTimer?.cancel() } else { newProcessTimer?.schedule(afterMicroseconds: interval) }
    }

    private func stop() {
        notifier.stopping()
        // One last round (it cannot block); what journald does not take
        // stays in the queue, which shutdown persists.
        deliverQueue()
        coordinator.stop()
        let report = coordinator.withMonitor { $0.shutdown() }
        if let report { journal.send(JournalEntry.suppressed(report)) }
        logger.info("procwardend stopping")
        loop.exit(ExitCode.success.code)
    }

    private func handle(_ result: CycleResult) {
        deliverQueue()
        if let watcher = coordinator.watcher {
            let now = (watcher.watchCount, watchPartial)
            if now != announcedWatches {
                announcedWatches = now
                // A full scan announces them with the rest.
                if result.report?.isTargeted != false { events?.watchesChanged() }
            }
        }
        // A targeted scan's alerts went out above; it is not a scan to count.
        guard let report = result.report, !report.isTargeted else { return }
        executables = Inventory(report.processes).executables
        objects = ObjectInventory(report).objects
        restartNeeded = report.restartNeeded
        // Before the counters take this scan, so a coverage change is seen.
        maybeSendSummary(report.summary)
        counters.add(report.summary)
        scheduleNextScan()
        notifier.status(statusLine)
        events?.scanCompleted(report.summary)
        // The scan's records and buffers are freed by now; give the pages
        // back rather than keep them as RSS until the next scan.
        malloc_trim(0)
        let scanID = report.summary.scanID
        // Waiters for scans that can no longer come (ids skipped) are served too.
        for id in waiters.keys.sorted() where id <= scanID {
            for callback in waiters.removeValue(forKey: id) ?? [] { callback(report.summary) }
        }
    }

    /// One delivery round over the alert queue (`AlertDelivery`), then the
    /// timers: the rate-limit window's end while alerts wait for tokens,
    /// and while journald does not take entries a retry within a second
    /// plus, after EAGAIN, a watch for room on its socket.
    private func deliverQueue() {
        let (round, nextWindowEnd, held) = coordinator.withMonitor { monitor in
            (delivery.run(monitor), monitor.nextWindowEnd, monitor.heldAlerts)
        }
        for alert in round.delivered {
            counters.alertsRaised += 1
            events?.alertDelivered(alert)
        }
        // A queue full for a moment is not worth a status.
        counters.alertsWaiting = journal.outageAnnounced ? held : 0
        if !round.delivered.isEmpty || round.blocked != nil { coordinator.persistSoon() }
        if let nextWindowEnd { windowTimer?.schedule(atMicroseconds: nextWindowEnd) } else { windowTimer?.cancel() }
        if round.blocked != nil || held > 0 || delivery.hasPendingEntries {
            retryTimer?.schedule(afterMicroseconds: 1_000_000)
        } else {
            retryTimer?.cancel()
        }
        if round.blocked?.errno == EAGAIN { writableWatch?.arm() } else { writableWatch?.disarm() }
    }

    /// "Scan completed" at most once per scan, and only when something
    /// changed or `ScanSummaryEverySec` has passed.
    private func maybeSendSummary(_ summary: ScanSummary) {
        let now = WallClock.microseconds()
        let every = configuration.scanSummaryEvery.microseconds
        let changed =
            summary.hashed > 0 || summary.alerts > 0 || summary.suppressed > 0
            || summary.coverage != counters.lastScan?.coverage
        let due = every > 0 && now >= lastSummaryEntry + every
        guard changed || due else { return }
        lastSummaryEntry = now
        journal.send(JournalEntry.scanCompleted(summary))
    }

    /// Sets the scan timer for one interval after the current period began.
    /// When that has passed already (the scan overran, or a reload shortened
    /// the interval) the next scan starts at once, and only one: missed
    /// periods are not made up. On-demand scans leave the period alone.
    private func scheduleNextScan() {
        guard let timer = scanTimer else { return }
        nextScanDue = timer.schedule(
            atMicroseconds: max(periodStart &+ configuration.interval.microseconds, timer.now))
    }

    private var effectiveConfiguration: Configuration {
        overrides?.effective.applied(to: configuration) ?? configuration
    }

    private func applyEffectiveConfiguration() {
        let effective = effectiveConfiguration
        coordinator.update(limits: effective.scanLimits)
        coordinator.withMonitor { monitor in
            monitor.rules.settings = effective.ruleSettings
            monitor.apply(effective.alertLimits)
        }
    }
}

// MARK: - What the bus object may ask

extension ScanLoop: MonitorControl {
    var status: MonitorStatus {
        MonitorStatus(
            counters: counters, isScanning: coordinator.isScanning, capabilities: startup.privileges.capabilities,
            coverage: startup.coverage == .partial || watchPartial ? .partial : (counters.lastScan?.coverage ?? .full),
            similarityThreshold: effectiveConfiguration.similarityThreshold, scanInterval: configuration.interval,
            watchedDirectories: coordinator.watcher?.watchCount ?? 0)
    }

    private var statusLine: String {
        counters.statusLine(
            nextScanInSeconds: UInt64(configuration.interval.seconds),
            watchedDirectories: coordinator.watcher?.watchCount)
    }

    /// inotify could not be had, or ran out of watches.
    private var watchPartial: Bool {
        watchUnavailable || coordinator.watcher?.isPartial == true
    }

    func rescan(_ completion: @escaping (ScanSummary) -> Void) {
        let id = coordinator.requestScan(onDemand: true)
        waiters[id, default: []].append(completion)
    }

    func setSimilarityThreshold(_ value: Int, runtime: Bool) throws {
        if overrides != nil {
            try overrides!.setSimilarityThreshold(value, runtime: runtime)
        } else {
            try ConfigKey.similarityThreshold.validate(value)
            guard runtime else { throw SystemError("save settings: no usable state directory", errno: EROFS) }
            configuration.similarityThreshold = value
        }
        applyEffectiveConfiguration()
    }

    func reload() throws(ConfigError) {
        notifier.reloading()
        defer { notifier.ready(status: statusLine) }
        do {
            configuration = try options.configLoader.load()
        } catch {
            logger.warning(
                "configuration reload rejected, keeping the running configuration: \(error)",
                metadata: [JournalLogHandler.warningKey: "\(WarningKind.config.rawValue)"])
            throw error
        }
        applyEffectiveConfiguration()
        scheduleNewProcessPass()
        // A scan under way sets the timer when it ends; set now, the timer
        // could fire during it and be absorbed by it.
        if !coordinator.isScanning { scheduleNextScan() }
        logger.notice("configuration reloaded")
    }

    func resetBaseline(path: ByteString) -> Bool {
        let found = coordinator.withMonitor { $0.resetBaseline(path: path) }
        if found { coordinator.persistSoon() }
        return found
    }
}
