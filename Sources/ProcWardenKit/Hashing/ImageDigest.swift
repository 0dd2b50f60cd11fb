/// The digests of one image, computed in a single read.
///
/// Boxed: every process record of an image shares its digest's strings
/// and takes eight bytes for it.
public struct ImageDigest: Hashable, Sendable, Codable {
    private struct Fields: Hashable, Sendable, Codable {
        var sha256: String
        var ssdeep: String?
        var degraded: Bool
        var tooLargeForSsdeep: Bool
        var md5: String?
    }

    private var fields: Boxed<Fields>

    /// Lower-case hex SHA-256.
    public var sha256: String {
        get { fields.value.sha256 }
        set { fields.value.sha256 = newValue }
    }
    /// The ssdeep/CTPH digest (`blocksize:hash1:hash2`), nil when disabled or failed.
    public var ssdeep: String? {
        get { fields.value.ssdeep }
        set { fields.value.ssdeep = newValue }
    }
    /// SHA-256 succeeded but ssdeep failed.
    public var degraded: Bool {
        get { fields.value.degraded }
        set { fields.value.degraded = newValue }
    }
    /// ssdeep was not computed because the file is larger than `MaxFileSize`.
    public var tooLargeForSsdeep: Bool {
        get { fields.value.tooLargeForSsdeep }
        set { fields.value.tooLargeForSsdeep = newValue }
    }
    /// Lower-case hex MD5, computed only for files a package owns (what
    /// dpkg records in `.md5sums`); nil otherwise.
    public var md5: String? {
        get { fields.value.md5 }
        set { fields.value.md5 = newValue }
    }

    public init(
        sha256: String, ssdeep: String?, degraded: Bool = false, tooLargeForSsdeep: Bool = false, md5: String? = nil
    ) {
        fields = Boxed(
            Fields(sha256: sha256, ssdeep: ssdeep, degraded: degraded, tooLargeForSsdeep: tooLargeForSsdeep, md5: md5))
    }

    /// The same keys as the fields' own names.
    public init(from decoder: any Decoder) throws { fields = Boxed(try Fields(from: decoder)) }

    public func encode(to encoder: any Encoder) throws { try fields.value.encode(to: encoder) }
}
