/// What a baseline is kept for: an executable path, qualified by the
/// process's root directory when that is not the daemon's own, so two
/// container images with the same path never compare against each other.
public struct BaselineKey: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Identity of the root the path resolved under; nil for the host's root.
    public var root: ImageKey?
    public var path: ByteString

    public init(root: ImageKey? = nil, path: ByteString) {
        self.root = root
        self.path = path
    }

    /// The path, escaped for logs and messages. The root's identity is an
    /// internal key no operator can read; messages name the root through
    /// `ProcessContext` instead.
    public var description: String { path.escaped }

    /// Unambiguous bytes for hashing into dedup keys.
    var identityBytes: [UInt8] {
        (root.map { Array("\($0.device):\($0.inode)".utf8) } ?? []) + [0] + path.bytes
    }
}
