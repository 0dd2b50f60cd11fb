/// Digests of images already read, keyed by (dev, ino, size, mtime ns,
/// ctime ns). An entry lives as long as some process runs that exact file.
public struct DigestCache: Sendable {
    private var entries: [DigestCacheKey: ImageDigest] = [:]
    private var seenThisPass: Set<DigestCacheKey> = []

    public init() {}

    public mutating func beginPass() { seenThisPass.removeAll(keepingCapacity: true) }

    /// Looks up and marks the entry as still in use.
    public mutating func lookup(_ key: DigestCacheKey) -> ImageDigest? {
        seenThisPass.insert(key)
        return entries[key]
    }

    public mutating func store(_ digest: ImageDigest, for key: DigestCacheKey) {
        entries[key] = digest
        seenThisPass.insert(key)
    }

    /// Drops entries no process used this pass.
    public mutating func endPass() {
        if entries.count != seenThisPass.count {
            entries = entries.filter { seenThisPass.contains($0.key) }
        }
    }
}

/// (st_dev, st_ino, st_size, st_mtime ns, st_ctime ns): SPEC §2's cache key.
public struct DigestCacheKey: Hashable, Sendable, Codable {
    public var key: ImageKey
    public var size: UInt64
    public var mtimeNanoseconds: Int64
    public var ctimeNanoseconds: Int64
}
