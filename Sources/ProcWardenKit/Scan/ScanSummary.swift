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
    /// Processes not reached before `EnumerationTimeoutSec`.
    public var skippedByDeadline: Int = 0

    public init() {}
}
