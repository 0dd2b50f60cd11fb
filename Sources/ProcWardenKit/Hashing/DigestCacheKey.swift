/// (st_dev, st_ino, st_size, st_mtime ns, st_ctime ns): SPEC §2's cache key.
public struct DigestCacheKey: Hashable, Sendable, Codable {
    public var key: ImageKey
    public var size: UInt64
    public var mtimeNanoseconds: Int64
    public var ctimeNanoseconds: Int64
}
