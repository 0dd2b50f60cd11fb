/// Baselines by key, bounded by `MaxBaselines` with least-recently-seen eviction.
public struct BaselineStore: Sendable, Equatable {
    public private(set) var entries: [BaselineKey: Baseline]
    public var capacity: Int
    /// Bumped whenever a digest is recorded or an entry removed: what must
    /// be written soon. Not persisted, not compared.
    public private(set) var revision: UInt64 = 0
    /// Bumped when only a last-seen time moved (`touch`).
    public private(set) var lastSeenRevision: UInt64 = 0

    public init(capacity: Int = Configuration.defaults.maxBaselines, entries: [BaselineKey: Baseline] = [:]) {
        self.capacity = max(1, capacity)
        self.entries = entries
        evictIfNeeded()
    }

    public var count: Int { entries.count }

    public subscript(key: BaselineKey) -> Baseline? { entries[key] }

    /// Records the digests now seen for `key`; `packageVersion` when the
    /// content is its package's verified file. Verified content that
    /// replaces other verified content keeps that as `previous`.
    public mutating func record(
        _ key: BaselineKey, sha256: String, ssdeep: String?, at now: UInt64, packageVersion: String? = nil
    ) {
        let old = entries[key]
        let previous = old?.sha256 == sha256 ? old?.previous : (old?.packaged ?? old?.previous)
        entries[key] = Baseline(
            sha256: sha256, ssdeep: ssdeep, lastSeenMicroseconds: now, packageVersion: packageVersion,
            previous: previous)
        revision &+= 1
    }

    /// Marks `key` as seen without changing its digests.
    public mutating func touch(_ key: BaselineKey, at now: UInt64) {
        guard entries[key] != nil else { return }
        entries[key]?.lastSeenMicroseconds = now
        lastSeenRevision &+= 1
    }

    /// Forgets `key`.
    public mutating func remove(_ key: BaselineKey) {
        guard entries.removeValue(forKey: key) != nil else { return }
        revision &+= 1
    }

    @discardableResult
    public mutating func remove(path: ByteString) -> Int {
        let keys = entries.keys.filter { $0.path == path }
        for key in keys { entries[key] = nil }
        if !keys.isEmpty { revision &+= 1 }
        return keys.count
    }

    /// Drops the least recently seen entries beyond `capacity`.
    public mutating func evictIfNeeded() {
        guard entries.count > capacity else { return }
        let excess = entries.count - capacity
        let oldest = entries.sorted { $0.value.lastSeenMicroseconds < $1.value.lastSeenMicroseconds }.prefix(excess)
        for (key, _) in oldest { entries[key] = nil }
        revision &+= 1
    }
}

extension BaselineStore {
    /// Entries and capacity; the revision counters are bookkeeping.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.capacity == rhs.capacity && lhs.entries == rhs.entries
    }
}
