/// The outcome of one scan cycle. The alerts that dedup admitted are in the
/// monitor's queue, delivered with `Monitor.release` and `Monitor.settle`.
public struct CycleResult: Sendable {
    /// The scan, with `summary.alerts` / `summary.suppressed` filled in.
    public var report: ScanReport?
    /// Every alert the rules raised this scan, before dedup and rate limiting.
    public var raised: [Alert] = []

    public init(report: ScanReport? = nil) { self.report = report }
}
