extension ScanSummary {
    /// One human line: counts, bytes read, coverage, duration.
    public var line: String {
        let mib = Double(bytesHashed) / 1_048_576
        let seconds = Double(durationMicroseconds) / 1_000_000
        return "\(processes) processes, \(executables) executables: \(hashed) hashed, \(cacheHits) cache hits, "
            + "\(formatted(mib)) MiB read, \(ssdeepFailures) ssdeep failures, \(alerts) alerts, "
            + "\(suppressed) suppressed; coverage \(coverage.rawValue); \(formatted(seconds)) s"
    }

    private func formatted(_ v: Double) -> String {
        let hundredths = Int((v * 100).rounded())
        let frac = hundredths % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
