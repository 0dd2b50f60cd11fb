/// Everything the daemon persists between runs (SPEC §6): baselines, the
/// dedup memory and the queue of alerts not yet delivered.
public struct MonitorState: Sendable, Equatable {
    /// The state file's format. Each change bumps it and adds a step to
    /// `StateMigration`: older files are migrated on load, newer ones are
    /// moved aside.
    ///
    /// - 1: baselines, dedup memory, rate limiter with its queue.
    /// - 2: adds `saved_at` (realtime µs of the write), since last-seen
    ///   times are no longer written after every scan: a reader can tell
    ///   how stale they may be.
    /// - 3: the rate limiter becomes the one `queue` of SPEC §4 (key
    ///   `queue`), which also holds alerts journald did not take (`held`,
    ///   `deliveredLate`); queued alerts carry the process start time.
    public static let formatVersion = 3

    public var baselines: BaselineStore
    public var deduplicator: AlertDeduplicator
    public var queue: AlertQueue

    public init(
        baselines: BaselineStore = BaselineStore(),
        deduplicator: AlertDeduplicator = AlertDeduplicator(),
        queue: AlertQueue = AlertQueue()
    ) {
        self.baselines = baselines
        self.deduplicator = deduplicator
        self.queue = queue
    }
}

extension MonitorState: Codable {
    enum CodingKeys: String, CodingKey {
        case version, baselines, dedup, queue
        case savedAt = "saved_at"
    }

    struct BaselineEntry: Codable {
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
        // Required although the in-memory state does not keep it: a file
        // without it is not a current file. `StateStore` reads it.
        _ = try c.decode(UInt64.self, forKey: .savedAt)
        let entries = try c.decode([BaselineEntry].self, forKey: .baselines)
        baselines = BaselineStore(entries: entries)
        deduplicator = try c.decode(AlertDeduplicator.self, forKey: .dedup)
        queue = try c.decode(AlertQueue.self, forKey: .queue)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .version)
        try c.encode(encoder.userInfo[Self.savedAtKey] as? UInt64 ?? 0, forKey: .savedAt)
        try c.encode(baselines.entries.map { BaselineEntry(key: $0.key, baseline: $0.value) }, forKey: .baselines)
        try c.encode(deduplicator, forKey: .dedup)
        try c.encode(queue, forKey: .queue)
    }
}

extension MonitorState {
    /// `JSONEncoder.userInfo` key for the `saved_at` value (a `UInt64`).
    static let savedAtKey = CodingUserInfoKey(rawValue: "procwarden.savedAt")!
}

extension BaselineStore {
    init(entries: [MonitorState.BaselineEntry]) {
        self.init(entries: Dictionary(entries.map { ($0.key, $0.baseline) }, uniquingKeysWith: { $1 }))
    }
}
