/// The one queue of SPEC §4: alerts held back by the global rate limit of
/// SPEC §3 and alerts journald did not take, oldest first, delivered with
/// the facts they had when raised.
///
/// The rate limit is a token bucket of `burst` tokens per window of
/// `interval`, refilled at each window boundary, which makes "the window" a
/// concrete thing the "suppressed" entry can count. A token is spent only
/// when journald takes an alert (`settle`), never twice.
///
/// Delivery is two steps, so that the caller can send without holding
/// anything: `release` names the alerts the tokens allow (a prefix of the
/// queue), the caller sends them in order and stops at the first that
/// journald does not take, and `settle` removes what was delivered. What
/// was released and not delivered stays at the front, counted in `held`;
/// those alerts have been copied to stderr already. When `held` drains, the
/// number delivered late is reported once.
///
/// Bounded at 10,000: at the bound the oldest are kept (the first evidence)
/// and new arrivals are dropped, counted per rule in the next report.
public struct AlertQueue: Sendable, Equatable, Codable {
    public static let bound = 10_000
    /// A held alert delivered later than this after it was raised counts as
    /// delivered late; a queue full for a moment (EAGAIN) is not an outage.
    public static let lateAfterMicroseconds: UInt64 = 1_000_000

    public var burst: Int
    public var intervalMicroseconds: UInt64
    /// Waiting alerts, oldest first.
    public private(set) var alerts: [Alert] = []
    /// How many alerts at the front were released and not taken by journald.
    public private(set) var held = 0
    /// Held alerts delivered since the backlog began.
    public private(set) var deliveredLate = 0
    private var windowStart: UInt64?
    private var spentInWindow = 0
    private var droppedInWindow: [AlertRule: Int] = [:]
    private var windowReported = false
    /// Dropped since start, for the counters.
    public private(set) var droppedTotal: UInt64 = 0

    public init(
        burst: Int = Configuration.defaults.rateLimitBurst,
        intervalMicroseconds: UInt64 = Configuration.defaults.rateLimitInterval.microseconds
    ) {
        self.burst = burst
        self.intervalMicroseconds = intervalMicroseconds
    }

    /// Restores a queue as an older state format stored it.
    init(
        burst: Int, intervalMicroseconds: UInt64, alerts: [Alert], windowStart: UInt64?, spentInWindow: Int,
        droppedInWindow: [AlertRule: Int], windowReported: Bool, droppedTotal: UInt64
    ) {
        self.init(burst: burst, intervalMicroseconds: intervalMicroseconds)
        self.alerts = alerts
        self.windowStart = windowStart
        self.spentInWindow = spentInWindow
        self.droppedInWindow = droppedInWindow
        self.windowReported = windowReported
        self.droppedTotal = droppedTotal
    }

    /// What `enqueue` did with a submission.
    public struct Admission: Sendable, Equatable {
        /// Alerts that the current window's tokens cover: they go out at the
        /// next `release` unless journald refuses them.
        public var immediate = 0
        /// Alerts that wait for a later window, or were dropped at the bound.
        public var suppressed = 0
    }

    /// Appends `new` behind what waits (dropping arrivals beyond the bound),
    /// after rolling the windows forward to `now`.
    public mutating func enqueue(_ new: [Alert], now: UInt64) -> Admission {
        _ = rollWindows(now: now)
        var admission = Admission()
        var covered = max(0, burst - spentInWindow - alerts.count)
        for alert in new {
            guard alerts.count < Self.bound else {
                droppedInWindow[alert.rule, default: 0] += 1
                droppedTotal += 1
                admission.suppressed += 1
                continue
            }
            alerts.append(alert)
            if covered > 0 {
                covered -= 1
                admission.immediate += 1
            } else {
                admission.suppressed += 1
            }
        }
        return admission
    }

    /// What may be sent now.
    public struct Release: Sendable, Equatable {
        /// The front of the queue, as far as this window's tokens go; send
        /// in order, then `settle`.
        public var batch: [Alert] = []
        /// How many of `batch`, from the front, were released before and
        /// already copied to stderr.
        public var alreadyHeld = 0
        /// Reports of windows that ended with alerts deferred or dropped.
        public var suppressed: [SuppressedReport] = []
    }

    /// Rolls the windows forward to `now` and releases what the tokens allow.
    public mutating func release(now: UInt64) -> Release {
        var out = Release()
        out.suppressed = rollWindows(now: now)
        out.batch = Array(alerts.prefix(max(0, min(burst - spentInWindow, alerts.count))))
        out.alreadyHeld = min(held, out.batch.count)
        return out
    }

    /// Records the outcome of sending a release: the first `delivered`
    /// alerts of `batch` were taken by journald at `now`; if that is fewer
    /// than the batch, the rest stays at the front, held. Returns how many
    /// held alerts were delivered more than `lateAfterMicroseconds` after
    /// they were raised, once the backlog has drained; else nil.
    public mutating func settle(_ release: Release, delivered: Int, now: UInt64) -> Int? {
        let count = min(max(delivered, 0), release.batch.count, alerts.count)
        deliveredLate += alerts.prefix(min(count, held)).count {
            now > $0.raisedAtMicroseconds &+ Self.lateAfterMicroseconds
        }
        alerts.removeFirst(count)
        spentInWindow += count
        if count < release.batch.count {
            held = max(held - count, release.batch.count - count)
            return nil
        }
        held = max(held - count, 0)
        guard held == 0, deliveredLate > 0 else { return nil }
        defer { deliveredLate = 0 }
        return deliveredLate
    }

    /// Reports the current window early, because the process is about to
    /// stop; the window itself (and its spent tokens) carries on.
    public mutating func closeForShutdown() -> SuppressedReport? {
        guard let start = windowStart, let report = pendingReport(start) else { return nil }
        windowReported = true
        return report
    }

    /// When the current window ends, µs since the epoch; nil if none is open.
    public var windowEnd: UInt64? { windowStart.map { $0 + intervalMicroseconds } }

    /// Closes every window that has ended by `now`, reporting the ones that
    /// left alerts deferred or dropped, and refills the tokens.
    private mutating func rollWindows(now: UInt64) -> [SuppressedReport] {
        guard var start = windowStart else {
            windowStart = now
            return []
        }
        var reports: [SuppressedReport] = []
        while now >= start &+ intervalMicroseconds {
            if let report = pendingReport(start) { reports.append(report) }
            // Far behind (the daemon was down): start the new window now.
            start = now - start >= 2 * intervalMicroseconds ? now : start + intervalMicroseconds
            spentInWindow = 0
            droppedInWindow = [:]
            windowReported = false
        }
        windowStart = start
        return reports
    }

    /// Alerts that wait for tokens (not those only journald held back), and
    /// what was dropped in the window.
    private func pendingReport(_ start: UInt64) -> SuppressedReport? {
        let waiting = alerts.dropFirst(held)
        guard !windowReported, !waiting.isEmpty || !droppedInWindow.isEmpty else { return nil }
        var deferred: [AlertRule: Int] = [:]
        for alert in waiting { deferred[alert.rule, default: 0] += 1 }
        return SuppressedReport(deferred: deferred, dropped: droppedInWindow, windowStartMicroseconds: start)
    }
}
