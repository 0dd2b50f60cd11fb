/// Lets each dedup key (rule + executable identity) through once per
/// `DedupWindowSec`. A key counts as raised when it is admitted, even if the
/// rate limiter then defers its delivery.
public struct AlertDeduplicator: Sendable, Equatable, Codable {
    /// Window in µs; 0 admits everything.
    public var windowMicroseconds: UInt64
    /// Dedup key → realtime µs it was last admitted.
    public private(set) var lastAdmitted: [String: UInt64] = [:]

    public init(windowMicroseconds: UInt64 = Configuration.defaults.dedupWindow.microseconds) {
        self.windowMicroseconds = windowMicroseconds
    }

    public mutating func admit(_ alert: Alert, now: UInt64) -> Bool {
        let key = alert.dedupKey
        if windowMicroseconds > 0, let last = lastAdmitted[key], now >= last, now - last < windowMicroseconds {
            return false
        }
        lastAdmitted[key] = now
        return true
    }

    /// Forgets keys whose window has passed, keeping the persisted state small.
    public mutating func prune(now: UInt64) {
        lastAdmitted = lastAdmitted.filter { now < $0.value || now - $0.value < windowMicroseconds }
    }
}
