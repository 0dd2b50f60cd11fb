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
    /// Something that matters changed (SPEC §6: a baseline, the dedup
    /// memory, the queue, a setting): written at the next `persist`.
    private var dirty = false
    /// Only last-seen times changed: written when `lastSeenFlushInterval`
    /// has passed since the last write, and at shutdown.
    private var lastSeenDirty = false
    /// Realtime µs of the last write (or of loading).
    private var lastWriteMicroseconds: UInt64

    /// How long last-seen times alone may wait to be written: 10 minutes.
    public static let lastSeenFlushInterval: UInt64 = 600_000_000

    /// Loads persisted state from `store`. A corrupt file is moved aside and
    /// reported through `startupWarning`; an unreadable state directory is
    /// logged and the monitor runs without persistence.
    public init(scanner: Scanner, rules: RulesEngine, store: StateStore?, alertSettings: AlertLimits, logger: Logger) {
        self.scanner = scanner
        self.rules = rules
        self.store = store
        self.logger = logger
        lastWriteMicroseconds = WallClock.microseconds()
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
        dirty = false
    }

    /// A warning about the persisted state, for the caller's journal.
    public private(set) var startupWarning: String?

    /// Applies `[Alerts]` limits, keeping baselines and the queue.
    public func apply(_ limits: AlertLimits) {
        let before = state
        defer { if state != before { dirty = true } }
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
        let revision = state.baselines.revision
        let lastSeenRevision = state.baselines.lastSeenRevision
        let queue = state.rateLimiter.queue
        let dropped = state.rateLimiter.droppedTotal
        let contexts = ProcessContextReader(procfs: scanner.procfs)
        result.raised = rules.evaluate(report.processes, baselines: &state.baselines, now: now, context: contexts.read)
        state.deduplicator.prune(now: now)
        let admitted = result.raised.filter { state.deduplicator.admit($0, now: now) }
        let out = state.rateLimiter.submit(admitted, now: WallClock.microseconds())
        result.deliver = out.deliver
        result.suppressed = out.suppressed
        report.summary.alerts = out.deliver.count
        report.summary.suppressed = out.newlySuppressed
        result.report = report
        if state.baselines.revision != revision || !admitted.isEmpty || state.rateLimiter.queue != queue
            || state.rateLimiter.droppedTotal != dropped
        {
            dirty = true
        }
        if state.baselines.lastSeenRevision != lastSeenRevision { lastSeenDirty = true }
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

    /// Whether the next `persist(now:)` would write.
    public func needsWrite(now: UInt64 = WallClock.microseconds()) -> Bool {
        dirty || (lastSeenDirty && now &- lastWriteMicroseconds >= Self.lastSeenFlushInterval)
    }

    /// Writes the state if something that matters changed, or if only
    /// last-seen times changed and `lastSeenFlushInterval` has passed since
    /// the last write (`force`: whatever changed, as at shutdown). Failures
    /// are logged, never fatal.
    public func persist(now: UInt64 = WallClock.microseconds(), force: Bool = false) {
        guard let store, needsWrite(now: now) || (force && lastSeenDirty) else { return }
        do {
            try store.save(state, now: now)
            dirty = false
            lastSeenDirty = false
            lastWriteMicroseconds = now
        } catch {
            logger.warning(
                "cannot save state; will retry after the next scan",
                metadata: ["warning": "state", "error": "\(error)"])
        }
    }

    /// Final "suppressed" report for the open window, then persists.
    public func shutdown(now: UInt64 = WallClock.microseconds()) -> SuppressedReport? {
        let report = state.rateLimiter.closeForShutdown()
        if report != nil { dirty = true }
        persist(now: now, force: true)
        return report
    }
}
