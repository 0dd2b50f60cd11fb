/// The "suppressed" entry that ends a rate-limit window which deferred or
/// dropped alerts: how many of each rule are still waiting, and how many
/// were dropped because the queue was full.
public struct SuppressedReport: Sendable, Equatable {
    public var deferred: [AlertRule: Int]
    public var dropped: [AlertRule: Int]
    public var windowStartMicroseconds: UInt64

    public var totalDeferred: Int { deferred.values.reduce(0, +) }
    public var totalDropped: Int { dropped.values.reduce(0, +) }
}
