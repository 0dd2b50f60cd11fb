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

extension ProcessRecord {
    /// One element of the report's `processes` array; unknown values are null.
    public var json: JSONValue {
        typealias K = ReportKey.Process
        return .object([
            (K.pid, .int(Int64(pid))),
            (K.startTime, startTime.map { .uint($0) } ?? .null),
            (K.uid, uid.map { .uint(UInt64($0)) } ?? .null),
            (K.comm, .optional(comm)),
            (K.exe, .optional(exe)),
            (K.exeState, .string(exeState.rawValue)),
            (K.sha256, .optional(digest?.sha256)),
            (K.ssdeep, .optional(digest?.ssdeep)),
            (K.onDiskSha256, .optional(onDiskDigest?.sha256)),
            (K.degraded, digest.map { .bool($0.degraded) } ?? .null),
            (K.unhashedReason, .optional(unhashedReason?.rawValue)),
        ])
    }
}

extension ScanReport {
    /// The `--once --json` report, plus any extra top-level members (alerts).
    public func json(extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([
            (ReportKey.summary, summary.json),
            (ReportKey.processes, .array(processes.map(\.json))),
        ] + extra)
    }
}
