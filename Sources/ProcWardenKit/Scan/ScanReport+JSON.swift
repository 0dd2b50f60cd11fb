

extension ScanReport {
    /// The `--once --json` report, plus any extra top-level members (alerts).
    public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            (ReportKey.summary, summary.json),
            (ReportKey.processes, .array(processes.map(\.json))),
        ] + extra)
    }
}
