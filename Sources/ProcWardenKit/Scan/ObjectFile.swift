/// The file at a mapped object's path, as one scan found it (SPEC §2 Shared
/// objects): opened under the root the path resolved in, hashed through the
/// same cache, workers and budget as executables.
public struct ObjectFile: Sendable, Equatable {
    /// Which mapping of which path under which root: a path mapped in two
    /// versions (an old process keeps the deleted one) has two keys.
    public struct Key: Hashable, Sendable {
        /// As `ObjectRecord.keyRoot`: nil for the host's root.
        public var root: ImageKey?
        public var path: ByteString
        /// (dev, ino) as the maps line prints them.
        public var mapped: ImageKey

        public init(root: ImageKey?, path: ByteString, mapped: ImageKey) {
            self.root = root
            self.path = path
            self.mapped = mapped
        }

        /// Where the content's baseline is kept: root and path, as for an
        /// executable.
        public var baselineKey: BaselineKey { BaselineKey(root: root, path: path) }
    }

    /// fstat(2) of the file opened at the path.
    public var identity: FileIdentity
    /// Whether that file is the mapped one ((dev, ino) equal): only then is
    /// `digest` the running object's; otherwise it is what the path holds
    /// now (a deleted or replaced object, or an identity the maps line
    /// cannot confirm, as on overlayfs).
    public var isMapped: Bool
    public var digest: ImageDigest?
    public var unhashedReason: UnhashedReason?
    /// What dpkg says of the path, judged against `digest` (the file at the
    /// path); nil when no package owns it.
    public var package: PackageVerdict?
    /// The first record (index into the scan's records) that maps the object.
    public var firstRecord: Int

    public init(identity: FileIdentity, isMapped: Bool, firstRecord: Int) {
        self.identity = identity
        self.isMapped = isMapped
        self.firstRecord = firstRecord
    }

    /// The running object's digest, when the file at the path is it.
    public var mappedDigest: ImageDigest? { isMapped ? digest : nil }
}

extension ObjectRecord {
    /// The key of the file at this object's path; nil for a memfd, which
    /// has no path to open.
    public var fileKey: ObjectFile.Key? {
        state == .memfd ? nil : ObjectFile.Key(root: keyRoot, path: path, mapped: key)
    }
}
