extension ScanSummary {
    /// One human line: counts, bytes read, coverage, duration.
    public var line: String {
        let mib = Formatting.fixedPoint(bytesHashed, unit: 1_048_576, fractionDigits: 2)
        let seconds = Formatting.fixedPoint(durationMicroseconds, unit: 1_000_000, fractionDigits: 2)
        return "\(processes) processes, \(executables) executables: \(hashed) hashed, \(cacheHits) cache hits, "
            + "\(mib) MiB read, \(ssdeepFailures) ssdeep failures, \(alerts) alerts, "
            + "\(suppressed) suppressed; coverage \(coverage.rawValue); \(seconds) s"
    }
}
