import Glibc

/// A file's identity plus the metadata that changes when its content does:
/// the digest cache key (st_dev, st_ino, st_size, st_mtime ns, st_ctime ns).
public struct FileIdentity: Hashable, Sendable, Codable {
    public var key: ImageKey
    public var size: UInt64
    public var mtimeNanoseconds: Int64
    public var ctimeNanoseconds: Int64
    public var linkCount: UInt64
    public var isRegularFile: Bool

    public init(
        key: ImageKey, size: UInt64, mtimeNanoseconds: Int64, ctimeNanoseconds: Int64,
        linkCount: UInt64 = 1, isRegularFile: Bool = true
    ) {
        self.key = key
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.ctimeNanoseconds = ctimeNanoseconds
        self.linkCount = linkCount
        self.isRegularFile = isRegularFile
    }

    /// Built from fstat(2)/fstatat(2) output.
    public init(_ st: stat) {
        self.init(
            key: ImageKey(st),
            size: UInt64(max(0, st.st_size)),
            mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            ctimeNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec),
            linkCount: UInt64(st.st_nlink),
            isRegularFile: (st.st_mode & S_IFMT) == S_IFREG
        )
    }

    /// The part of the identity the digest cache is keyed on; link count is not
    /// content, so a deletion alone does not force a rehash.
    public var cacheKey: DigestCacheKey {
        DigestCacheKey(key: key, size: size, mtimeNanoseconds: mtimeNanoseconds, ctimeNanoseconds: ctimeNanoseconds)
    }
}
