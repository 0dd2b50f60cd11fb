/// The `[Alerts]` settings that shape delivery rather than detection, with
/// the defaults of `Configuration`.
public struct AlertLimits: Sendable, Equatable {
    public var dedupWindowMicroseconds: UInt64 = Configuration.defaults.dedupWindow.microseconds
    public var rateLimitIntervalMicroseconds: UInt64 = Configuration.defaults.rateLimitInterval.microseconds
    public var rateLimitBurst: Int = Configuration.defaults.rateLimitBurst
    public var maxBaselines: Int = Configuration.defaults.maxBaselines

    public init() {}
}
