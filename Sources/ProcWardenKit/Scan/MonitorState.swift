/// Everything the daemon persists between runs (SPEC §6): baselines, the
/// dedup memory and the rate limiter with its queue of deferred alerts.
public struct MonitorState: Sendable, Equatable {
    /// Bumped on any incompatible change; other versions are moved aside.
    public static let formatVersion = 1

    public var baselines: BaselineStore
    public var deduplicator: AlertDeduplicator
    public var rateLimiter: AlertRateLimiter

    public init(
        baselines: BaselineStore = BaselineStore(),
        deduplicator: AlertDeduplicator = AlertDeduplicator(),
        rateLimiter: AlertRateLimiter = AlertRateLimiter()
    ) {
        self.baselines = baselines
        self.deduplicator = deduplicator
        self.rateLimiter = rateLimiter
    }
}

extension MonitorState: Codable {
    private enum CodingKeys: String, CodingKey {
        case version, baselines, dedup
        case rateLimiter = "rate_limiter"
    }

    private struct BaselineEntry: Codable {
        var key: BaselineKey
        var baseline: Baseline
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c,
                debugDescription: "unsupported state version \(version) (this build reads \(Self.formatVersion))")
        }
        let entries = try c.decode([BaselineEntry].self, forKey: .baselines)
        baselines = BaselineStore(entries: Dictionary(entries.map { ($0.key, $0.baseline) }, uniquingKeysWith: { $1 }))
        deduplicator = try c.decode(AlertDeduplicator.self, forKey: .dedup)
        rateLimiter = try c.decode(AlertRateLimiter.self, forKey: .rateLimiter)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .version)
        try c.encode(baselines.entries.map { BaselineEntry(key: $0.key, baseline: $0.value) }, forKey: .baselines)
        try c.encode(deduplicator, forKey: .dedup)
        try c.encode(rateLimiter, forKey: .rateLimiter)
    }
}
