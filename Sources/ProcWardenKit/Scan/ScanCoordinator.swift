/// Runs scan cycles on a dedicated thread so the daemon's event loop (bus,
/// signals, watchdog) never waits for one, and coalesces requests: a
/// request made while a scan is pending is served by that scan, and so is an
/// on-demand request made while an on-demand scan runs (concurrent Rescan
/// calls share one scan). An on-demand request made while a periodic scan
/// runs gets the next scan, since the running one may predate the change
/// the caller wants seen.
///
/// Targeted scans and new-process passes (SPEC §15) run on the same
/// thread, between full scans, coalesced into one scan of the union of
/// their processes. A full scan absorbs those requested before it started;
/// those requested while it runs come after it, since it may have passed
/// their processes already.
///
/// The `Monitor` is shared between the scan thread and the event loop;
/// `withMonitor` serializes access. The scan thread holds the lock only for
/// the rules step, not during the hash pass.
public final class ScanCoordinator: @unchecked Sendable {
    private let condition = ConditionLock()
    private let monitor: Monitor
    private var requested = false
    private var requestedOnDemand = false
    private var running = false
    private var runningOnDemand = false
    private var nextScanID: UInt64 = 1
    private var pendingLimits: ScanLimits?
    private var persistRequested = false
    private var stopped = false
    private var targets: Set<Int32> = []
    private var newProcessPassRequested = false
    private let completion: @Sendable (CycleResult) -> Void
    /// The inotify watches, updated after every scan; nil with `Watch=no`.
    public let watcher: DirectoryWatcher?

    /// `completion` is called on the scan thread after each cycle; it should
    /// hand the result to the event loop and return.
    public init(
        monitor: Monitor, watcher: DirectoryWatcher? = nil, completion: @escaping @Sendable (CycleResult) -> Void
    ) {
        self.monitor = monitor
        self.watcher = watcher
        self.completion = completion
        OSThread.start(name: "pw-scan") { [self] in self.loop() }
    }

    /// Asks for a scan and returns the id of the scan that will serve the
    /// request: the running one, or the next. `onDemand` marks a caller
    /// waiting for the result (Rescan), as opposed to the periodic timer.
    @discardableResult
    public func requestScan(onDemand: Bool = false) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        if running && (runningOnDemand || !onDemand) && !requested { return nextScanID - 1 }
        requested = true
        requestedOnDemand = requestedOnDemand || onDemand
        condition.signal()
        return nextScanID
    }

    /// Asks for a targeted scan of `pids` (processes using a file an
    /// inotify event named).
    public func requestTargetedScan(of pids: Set<Int32>) {
        guard !pids.isEmpty else { return }
        condition.lock()
        targets.formUnion(pids)
        condition.signal()
        condition.unlock()
    }

    /// Asks for a new-process pass: /proc listed, and the processes no
    /// scan has seen scanned.
    public func requestNewProcessPass() {
        condition.lock()
        newProcessPassRequested = true
        condition.signal()
        condition.unlock()
    }

    public var isScanning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running || requested
    }

    /// New scan limits, applied before the next scan starts.
    public func update(limits: ScanLimits) {
        condition.lock()
        pendingLimits = limits
        condition.unlock()
    }

    /// Writes the monitor's state from the scan thread: now if idle, else
    /// after the running scan (which writes it anyway). Keeps a large state
    /// file's fsync off the caller's thread.
    public func persistSoon() {
        condition.lock()
        persistRequested = true
        condition.signal()
        condition.unlock()
    }

    /// No more cycles or writes from the scan thread: the caller is about
    /// to write the final state (`Monitor.shutdown`) and exit. A scan under
    /// way finishes reading, and its result is dropped.
    public func stop() {
        condition.lock()
        stopped = true
        condition.unlock()
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Runs `body` with exclusive access to the monitor's state.
    public func withMonitor<T>(_ body: (Monitor) throws -> T) rethrows -> T {
        monitorLock.lock()
        defer { monitorLock.unlock() }
        return try body(monitor)
    }

    private let monitorLock = ConditionLock()

    /// Writes the state on this thread, off the event loop (a state file can
    /// be megabytes), and outside the monitor lock, so the event loop never
    /// waits for a disk.
    private func persist() {
        guard !isStopped, let pending = withMonitor({ $0.prepareWrite() }) else { return }
        if !monitor.write(pending) { withMonitor { $0.writeFailed(pending) } }
    }

    private func loop() {
        while true {
            condition.lock()
            while !requested && !persistRequested && targets.isEmpty && !newProcessPassRequested {
                condition.wait()
            }
            persistRequested = false
            guard requested else {
                let (pids, newProcesses) = (targets, newProcessPassRequested)
                targets = []
                newProcessPassRequested = false
                let limits = pendingLimits
                pendingLimits = nil
                condition.unlock()
                if let limits { monitor.scanner.update(limits: limits) }
                if !pids.isEmpty || newProcesses {
                    guard targetedScan(pids, newProcesses: newProcesses) else { return }
                }
                persist()
                continue
            }
            requested = false
            targets = []
            newProcessPassRequested = false
            running = true
            runningOnDemand = requestedOnDemand
            requestedOnDemand = false
            let id = nextScanID
            nextScanID += 1
            let limits = pendingLimits
            pendingLimits = nil
            condition.unlock()

            if let limits { monitor.scanner.update(limits: limits) }
            let scan = monitor.scanner.scan(id: id)
            guard !isStopped else { return }
            var result = withMonitor { $0.evaluate(scan) }
            if let watcher {
                watcher.update(fullScan: scan.processes)
                if watcher.isPartial { result.report?.summary.coverage = .partial }
            }
            persist()

            condition.lock()
            running = false
            condition.unlock()
            result.report?.summary.scanID = id
            completion(result)
        }
    }

    /// One targeted scan of `pids` and, for a new-process pass, of what
    /// /proc lists that no scan has seen; false when stopped meanwhile.
    private func targetedScan(_ pids: Set<Int32>, newProcesses: Bool) -> Bool {
        var wanted = pids
        if newProcesses {
            let (appeared, gone) = monitor.scanner.processChanges()
            wanted.formUnion(appeared)
            // Watches follow the processes: an exited one's go now.
            if !gone.isEmpty, let watcher {
                watcher.update(targeted: gone, records: [])
                if wanted.isEmpty { completion(CycleResult()) }
            }
        }
        guard !wanted.isEmpty else { return true }
        let only = wanted.sorted()
        let scan = monitor.scanner.scan(only: only)
        guard !isStopped else { return false }
        let result = withMonitor { $0.evaluate(scan) }
        watcher?.update(targeted: only, records: scan.processes)
        completion(result)
        return true
    }
}
