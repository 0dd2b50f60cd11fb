/// The outcome of one scan cycle or rate-limit tick: what to send where.
public struct CycleResult: Sendable {
    /// The scan, with `summary.alerts` / `summary.suppressed` filled in; nil for a tick.
    public var report: ScanReport?
    /// Every alert the rules raised this scan, before dedup and rate limiting.
    public var raised: [Alert] = []
    /// Alerts to deliver now (some may have been raised in earlier windows).
    public var deliver: [Alert] = []
    /// "Suppressed" entries for windows that ended.
    public var suppressed: [SuppressedReport] = []

    public init(report: ScanReport? = nil) { self.report = report }
}
