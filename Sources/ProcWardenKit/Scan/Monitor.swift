import Logging

/// One scan cycle end to end, minus the sinks: scan → rules → dedup → rate
/// limit → state. The daemon and `--once` both drive it and hand the result
/// to the journal and the bus.
///
/// Not thread-safe; one owner drives it.
public final class Monitor {
    public let scanner: Scanner
    public var rules: RulesEngine
    public private(set) var state: MonitorState
    private let store: StateStore?
    private let logger: Logger
    private var dirty = false

    /// Loads persisted state from `store`. A corrupt file is moved aside and
    /// reported through `startupWarning`; an unreadable state directory is
    /// logged and the monitor runs without persistence.
    public init(scanner: Scanner, rules: RulesEngine, store: StateStore?, alertSettings: AlertLimits, logger: Logger) {
        self.scanner = scanner
        self.rules = rules
        self.store = store
        self.logger = logger
        var state = MonitorState()
        if let store {
            do {
                let loaded = try store.load()
                state = loaded.state
                startupWarning = loaded.warning
            } catch {
                startupWarning = "cannot read state in \(store.directory): \(error); starting with empty baselines"
            }
        }
        self.state = state
        apply(alertSettings)
    }

    /// A warning about the persisted state, for the caller's journal.
    public private(set) var startupWarning: String?

    /// Applies `[Alerts]` limits, keeping baselines and the queue.
    public func apply(_ limits: AlertLimits) {
        state.baselines.capacity = limits.maxBaselines
        state.baselines.evictIfNeeded()
        state.deduplicator.windowMicroseconds = limits.dedupWindowMicroseconds
        state.rateLimiter.burst = limits.rateLimitBurst
        state.rateLimiter.intervalMicroseconds = limits.rateLimitIntervalMicroseconds
    }

    /// Scans, then evaluates: what `--once` does.
    public func runCycle() -> CycleResult {
        evaluate(scanner.scan())
    }

    /// Rules, dedup and rate limiting over a finished scan. Cheap: the
    /// daemon runs the scan outside its lock and only this inside.
    public func evaluate(_ scan: ScanReport) -> CycleResult {
        var report = scan
        let now = report.summary.startedAtMicroseconds
        var result = CycleResult()
        result.raised = rules.evaluate(report.processes, baselines: &state.baselines, now: now)
        state.deduplicator.prune(now: now)
        let admitted = result.raised.filter { state.deduplicator.admit($0, now: now) }
        let out = state.rateLimiter.submit(admitted, now: WallClock.microseconds())
        result.deliver = out.deliver
        result.suppressed = out.suppressed
        report.summary.alerts = out.deliver.count
        report.summary.suppressed = out.newlySuppressed
        result.report = report
        dirty = true
        return result
    }

    /// Delivers what the rate limiter released since the last call (call it
    /// at `nextWindowEnd`).
    public func tick() -> CycleResult {
        let out = state.rateLimiter.tick(now: WallClock.microseconds())
        var result = CycleResult()
        result.deliver = out.deliver
        result.suppressed = out.suppressed
        if !out.deliver.isEmpty || !out.suppressed.isEmpty { dirty = true }
        return result
    }

    /// When the rate limiter's current window ends, if alerts are waiting.
    public var nextWindowEnd: UInt64? {
        state.rateLimiter.queue.isEmpty ? nil : state.rateLimiter.windowEnd
    }

    /// Accepts the image now at `path` as its baseline: forgets the baseline
    /// so the next scan seeds it afresh. Returns false for an unknown path.
    public func resetBaseline(path: ByteString) -> Bool {
        let removed = state.baselines.remove(path: path)
        if removed > 0 { dirty = true }
        return removed > 0
    }

    /// Writes the state if it changed. Failures are logged, never fatal.
    public func persist() {
        guard dirty, let store else { return }
        do {
            try store.save(state)
            dirty = false
        } catch {
            logger.warning(
                "cannot save state; will retry after the next scan",
                metadata: ["warning": "state", "error": "\(error)"])
        }
    }

    /// Final "suppressed" report for the open window, then persists.
    public func shutdown() -> SuppressedReport? {
        let report = state.rateLimiter.closeForShutdown()
        if report != nil { dirty = true }
        persist()
        return report
    }
}
