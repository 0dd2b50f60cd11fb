/// What the dpkg database says of one file a scan saw, and whether the
/// file matches it (SPEC §2 Package verification).
public struct PackageVerdict: Sendable, Equatable {
    public var package: String
    /// The version in `status` now.
    public var version: String
    /// dpkg is done with the package (`installed`); until then verdicts
    /// wait and nothing is raised about its files.
    public var installed: Bool
    /// The MD5 the package recorded; nil for a conffile or a file without one.
    public var recordedMD5: String?
    /// Whether the file matches the record: nil when it cannot be said
    /// (not installed, no record, not hashed).
    public var verified: Bool?

    /// The verdict for `owner`'s file whose digests are `digest`.
    public init(_ owner: DpkgIndex.Ownership, digest: ImageDigest?) {
        package = owner.package
        version = owner.version
        installed = owner.installed
        recordedMD5 = owner.isConffile ? nil : owner.md5
        verified = Self.verify(recordedMD5, installed: installed, digest: digest)
    }

    /// The same package record judged against another file (the one now at
    /// the path of a deleted image).
    public func judging(_ digest: ImageDigest?) -> PackageVerdict {
        var copy = self
        copy.verified = Self.verify(recordedMD5, installed: installed, digest: digest)
        return copy
    }

    private static func verify(_ recorded: String?, installed: Bool, digest: ImageDigest?) -> Bool? {
        guard installed, let recorded, let md5 = digest?.md5 else { return nil }
        return md5 == recorded
    }

    /// `PROCWARDEN_PACKAGE_VERIFIED` and ListObjects' column: yes, no, or nil.
    public var verifiedWord: String? { verified.map { $0 ? BusNames.Verified.yes : BusNames.Verified.no } }
}
