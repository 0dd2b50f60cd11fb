import Logging
import Synchronization

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
        state.queue.burst = limits.rateLimitBurst
        state.queue.intervalMicroseconds = limits.rateLimitIntervalMicroseconds
    }

    /// Scans, then evaluates: what `--once` does.
    public func runCycle() -> CycleResult {
        evaluate(scanner.scan())
    }

    /// Rules, dedup and the queue over a finished scan. Cheap: the daemon
    /// runs the scan outside its lock and only this inside. Admitted alerts
    /// join the queue; the caller delivers them with `release` and `settle`.
    public func evaluate(_ scan: ScanReport) -> CycleResult {
        var report = scan
        let now = report.summary.startedAtMicroseconds
        var result = CycleResult()
        let revision = state.baselines.revision
        let lastSeenRevision = state.baselines.lastSeenRevision
        let contexts = ProcessContextReader(procfs: scanner.procfs)
        result.raised = rules.evaluate(
            report.processes, objectFiles: report.objectFiles, rootPreloads: report.rootPreloads,
            baselines: &state.baselines, now: now,
            context: contexts.read)
        for i in result.raised.indices { result.raised[i].stampRaisedRealtime() }
        report.restartNeeded = rules.restartNeeded(report, baselines: state.baselines)
        if !report.restartNeeded.isEmpty {
            let byPid = Dictionary(report.processes.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
            for i in report.restartNeeded.indices {
                report.restartNeeded[i].unit = byPid[report.restartNeeded[i].pid].flatMap { contexts.read($0)?.unit }
            }
        }
        state.deduplicator.prune(now: now)
        let admitted = result.raised.filter { state.deduplicator.admit($0, now: now) }
        let admission = state.queue.enqueue(admitted, now: WallClock.microseconds())
        report.summary.alerts = admission.immediate
        report.summary.suppressed = admission.suppressed
        result.report = report
        if state.baselines.revision != revision || !admitted.isEmpty { dirty = true }
        if state.baselines.lastSeenRevision != lastSeenRevision { lastSeenDirty = true }
        return result
    }

    /// Rolls the queue's windows forward to `now` and names what may be
    /// sent: see `AlertQueue.release`.
    public func release(now: UInt64 = WallClock.microseconds()) -> AlertQueue.Release {
        let release = state.queue.release(now: now)
        if !release.suppressed.isEmpty { dirty = true }
        return release
    }

    /// The outcome of sending `release`: see `AlertQueue.settle`.
    public func settle(_ release: AlertQueue.Release, delivered: Int, now: UInt64 = WallClock.microseconds()) -> Int? {
        let heldBefore = state.queue.held
        let late = state.queue.settle(release, delivered: delivered, now: now)
        if delivered > 0 || state.queue.held != heldBefore { dirty = true }
        return late
    }

    /// When the queue's current window ends, if alerts wait for its tokens.
    public var nextWindowEnd: UInt64? {
        state.queue.alerts.count > state.queue.held ? state.queue.windowEnd : nil
    }

    /// Alerts journald has not taken yet, released and held.
    public var heldAlerts: Int { state.queue.held }

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

    /// A copy of the state to write, taken under the caller's lock so that
    /// the write itself (`write(_:)`) can run without it.
    public struct PendingWrite: Sendable {
        let state: MonitorState
        let now: UInt64
        /// Orders writes: an older copy never overwrites a newer one.
        let generation: UInt64
    }

    private var generation: UInt64 = 0

    /// The state to write if something that matters changed, or if only
    /// last-seen times changed and `lastSeenFlushInterval` has passed since
    /// the last write (`force`: whatever changed, as at shutdown); nil when
    /// nothing is due. Counts as written until `writeFailed(_:)` says not.
    public func prepareWrite(now: UInt64 = WallClock.microseconds(), force: Bool = false) -> PendingWrite? {
        guard store != nil, needsWrite(now: now) || (force && lastSeenDirty) else { return nil }
        dirty = false
        lastSeenDirty = false
        lastWriteMicroseconds = now
        generation += 1
        return PendingWrite(state: state, now: now, generation: generation)
    }

    /// Writes a prepared state: temp file, fsync, rename (`StateStore`).
    /// Safe from any thread while others use the monitor; writes are
    /// serialized. Returns false, after logging, when the write failed.
    public func write(_ pending: PendingWrite) -> Bool {
        guard let store else { return true }
        return writeLock.withLock { written in
            guard pending.generation > written else { return true }
            do {
                try store.save(pending.state, now: pending.now)
                written = pending.generation
                return true
            } catch {
                logger.warning(
                    "cannot save state; will retry after the next scan",
                    metadata: ["warning": "state", "error": "\(error)"])
                return false
            }
        }
    }

    /// A prepared write did not reach the disk: write at the next chance.
    public func writeFailed(_ pending: PendingWrite) {
        dirty = true
    }

    /// The generation on disk.
    private let writeLock = Mutex<UInt64>(0)

    /// `prepareWrite`, then `write`, for a single owner. Failures are
    /// logged, never fatal.
    public func persist(now: UInt64 = WallClock.microseconds(), force: Bool = false) {
        guard let pending = prepareWrite(now: now, force: force) else { return }
        if !write(pending) { writeFailed(pending) }
    }

    /// Final "suppressed" report for the open window, then persists.
    /// A write prepared on another thread and not finished may be lost
    /// when the process exits, so the current state is written again
    /// unless the newest prepared write is already on disk.
    public func shutdown(now: UInt64 = WallClock.microseconds()) -> SuppressedReport? {
        let report = state.queue.closeForShutdown()
        if report != nil || writeLock.withLock({ $0 }) < generation { dirty = true }
        persist(now: now, force: true)
        return report
    }
}
