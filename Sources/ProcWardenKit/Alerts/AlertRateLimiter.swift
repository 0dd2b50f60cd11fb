/// The global rate limit of SPEC §3: at most `burst` alerts per window of
/// `interval`. An alert over the limit waits in a FIFO queue (bounded at
/// 10,000; beyond that it is dropped and counted) and is delivered, oldest
/// first, in a later window with the facts it had when it was raised. A
/// window that ends with alerts waiting or dropped yields one
/// `SuppressedReport`.
///
/// This is a token bucket that refills completely at each window boundary,
/// which makes "the window" a concrete thing the suppressed entry can count.
public struct AlertRateLimiter: Sendable, Equatable, Codable {
    public static let queueBound = 10_000

    public var burst: Int
    public var intervalMicroseconds: UInt64
    public private(set) var queue: [Alert] = []
    private var windowStart: UInt64?
    private var deliveredInWindow = 0
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

    /// What to send now.
    public struct Output: Sendable, Equatable {
        public var deliver: [Alert] = []
        public var suppressed: [SuppressedReport] = []
        /// Alerts of this submission that were deferred or dropped.
        public var newlySuppressed = 0
    }

    /// Rolls windows forward to `now`, delivering queued alerts, then admits
    /// `alerts` as far as this window's tokens allow.
    public mutating func submit(_ alerts: [Alert], now: UInt64) -> Output {
        var out = tick(now: now)
        for alert in alerts {
            if queue.isEmpty && deliveredInWindow < burst {
                deliveredInWindow += 1
                out.deliver.append(alert)
            } else if queue.count < Self.queueBound {
                queue.append(alert)
                out.newlySuppressed += 1
            } else {
                droppedInWindow[alert.rule, default: 0] += 1
                droppedTotal += 1
                out.newlySuppressed += 1
            }
        }
        return out
    }

    /// Closes every window that has ended by `now`, reporting the ones that
    /// left alerts waiting, and spends new windows' tokens on the queue.
    public mutating func tick(now: UInt64) -> Output {
        var out = Output()
        guard var start = windowStart else {
            windowStart = now
            return out
        }
        while now >= start &+ intervalMicroseconds {
            if let report = pendingReport(start) { out.suppressed.append(report) }
            // Far behind (the daemon was down): start the new window now.
            start = now - start >= 2 * intervalMicroseconds ? now : start + intervalMicroseconds
            deliveredInWindow = 0
            droppedInWindow = [:]
            windowReported = false
            let n = min(burst, queue.count)
            out.deliver += queue.prefix(n)
            queue.removeFirst(n)
            deliveredInWindow = n
        }
        windowStart = start
        return out
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

    private func pendingReport(_ start: UInt64) -> SuppressedReport? {
        guard !windowReported, !queue.isEmpty || !droppedInWindow.isEmpty else { return nil }
        var deferred: [AlertRule: Int] = [:]
        for alert in queue { deferred[alert.rule, default: 0] += 1 }
        return SuppressedReport(deferred: deferred, dropped: droppedInWindow, windowStartMicroseconds: start)
    }
}
