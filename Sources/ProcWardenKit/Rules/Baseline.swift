/// The last digests seen for a baseline key.
public struct Baseline: Sendable, Equatable, Codable {
    public var sha256: String
    public var ssdeep: String?
    /// Realtime µs of the last scan that saw this key; least recent is evicted first.
    public var lastSeenMicroseconds: UInt64
    /// The package version whose record the file matched when it was seen;
    /// nil when it was not a verified packaged file. Absent in older state.
    public var packageVersion: String?
    /// The packaged content this one replaced, when that was verified: what
    /// a process still running the old image runs (integrity.restart_needed).
    public var previous: Packaged?

    /// A verified packaged content: its SHA-256 and package version.
    public struct Packaged: Sendable, Equatable, Codable {
        public var sha256: String
        public var packageVersion: String

        public init(sha256: String, packageVersion: String) {
            self.sha256 = sha256
            self.packageVersion = packageVersion
        }
    }

    public init(
        sha256: String, ssdeep: String?, lastSeenMicroseconds: UInt64, packageVersion: String? = nil,
        previous: Packaged? = nil
    ) {
        self.sha256 = sha256
        self.ssdeep = ssdeep
        self.lastSeenMicroseconds = lastSeenMicroseconds
        self.packageVersion = packageVersion
        self.previous = previous
    }

    /// This content as a verified packaged one, if it was.
    public var packaged: Packaged? { packageVersion.map { Packaged(sha256: sha256, packageVersion: $0) } }
}
