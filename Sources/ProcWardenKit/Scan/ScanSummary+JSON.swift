extension ScanSummary {
    /// The `summary` object of the JSON report.
    public var json: JSONValue {
        typealias K = ReportKey.Summary
        return .object([
            (K.processes, .uint(UInt64(processes))),
            (K.executables, .uint(UInt64(executables))),
            (K.hashed, .uint(UInt64(hashed))),
            (K.cacheHits, .uint(UInt64(cacheHits))),
            (K.bytesHashed, .uint(bytesHashed)),
            (K.ssdeepFailures, .uint(UInt64(ssdeepFailures))),
            (K.alerts, .uint(UInt64(alerts))),
            (K.suppressed, .uint(UInt64(suppressed))),
            (K.durationUsec, .uint(durationMicroseconds)),
            (K.coverage, .string(coverage.rawValue)),
        ])
    }
}
