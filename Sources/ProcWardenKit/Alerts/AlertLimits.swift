/// The `[Alerts]` settings that shape delivery rather than detection.
public struct AlertLimits: Sendable, Equatable {
    public var dedupWindowMicroseconds: UInt64 = 300_000_000
    public var rateLimitIntervalMicroseconds: UInt64 = 60_000_000
    public var rateLimitBurst: Int = 100
    public var maxBaselines: Int = 65536

    public init() {}
}
