/// What one scan did, in numbers (the JSON `summary` object, the bus's
/// Rescan reply and the sd_notify STATUS line).
public struct ScanSummary: Sendable, Equatable {
    public var scanID: UInt64 = 0
    public var processes: Int = 0
    public var executables: Int = 0
    public var hashed: Int = 0
    public var cacheHits: Int = 0
    public var bytesHashed: UInt64 = 0
    public var ssdeepFailures: Int = 0
    public var alerts: Int = 0
    public var suppressed: Int = 0
    public var durationMicroseconds: UInt64 = 0
    public var coverage: Coverage = .full
    /// Realtime of the scan's start, µs since the epoch.
    public var startedAtMicroseconds: UInt64 = 0
    /// Distinct files at mapped objects' paths, those read this scan, and
    /// the bytes read for them (not counted in `hashed` and `bytesHashed`,
    /// which are the executables').
    public var objects: Int = 0
    public var objectsHashed: Int = 0
    public var objectBytesHashed: UInt64 = 0
    /// Processes not reached before `EnumerationTimeoutSec`.
    public var skippedByDeadline: Int = 0

    public init() {}
}

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

extension ScanSummary {
    /// One human line: counts, bytes read, coverage, duration.
    public var line: String {
        let mib = Formatting.fixedPoint(bytesHashed, unit: 1_048_576, fractionDigits: 2)
        let objectMiB = Formatting.fixedPoint(objectBytesHashed, unit: 1_048_576, fractionDigits: 2)
        let seconds = Formatting.fixedPoint(durationMicroseconds, unit: 1_000_000, fractionDigits: 2)
        return "\(processes) processes, \(executables) executables: \(hashed) hashed, \(cacheHits) cache hits, "
            + "\(mib) MiB read, \(ssdeepFailures) ssdeep failures, \(alerts) alerts, "
            + "\(suppressed) suppressed; \(objects) objects: \(objectsHashed) hashed, \(objectMiB) MiB read; "
            + "coverage \(coverage.rawValue); \(seconds) s"
    }
}
