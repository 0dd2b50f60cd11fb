/// One scan's results: the summary and one record per process.
public struct ScanReport: Sendable {
    public var summary: ScanSummary
    public var processes: [ProcessRecord]

    public init(summary: ScanSummary, processes: [ProcessRecord]) {
        self.summary = summary
        self.processes = processes
    }
}
