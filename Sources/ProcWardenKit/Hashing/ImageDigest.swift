/// The digests of one image, computed in a single read.
public struct ImageDigest: Hashable, Sendable, Codable {
    /// Lower-case hex SHA-256.
    public var sha256: String
    /// The ssdeep/CTPH digest (`blocksize:hash1:hash2`), nil when disabled or failed.
    public var ssdeep: String?
    /// SHA-256 succeeded but ssdeep failed.
    public var degraded: Bool
    /// ssdeep was not computed because the file is larger than `MaxFileSize`.
    public var tooLargeForSsdeep: Bool
    /// Lower-case hex MD5, computed only for files a package owns (what
    /// dpkg records in `.md5sums`); nil otherwise.
    public var md5: String?

    public init(
        sha256: String, ssdeep: String?, degraded: Bool = false, tooLargeForSsdeep: Bool = false, md5: String? = nil
    ) {
        self.md5 = md5
        self.sha256 = sha256
        self.ssdeep = ssdeep
        self.degraded = degraded
        self.tooLargeForSsdeep = tooLargeForSsdeep
    }
}
