/// The last digests seen for a baseline key.
public struct Baseline: Sendable, Equatable, Codable {
    public var sha256: String
    public var ssdeep: String?
    /// Realtime µs of the last scan that saw this key; least recent is evicted first.
    public var lastSeenMicroseconds: UInt64

    public init(sha256: String, ssdeep: String?, lastSeenMicroseconds: UInt64) {
        self.sha256 = sha256
        self.ssdeep = ssdeep
        self.lastSeenMicroseconds = lastSeenMicroseconds
    }
}
