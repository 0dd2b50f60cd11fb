/// /etc/ld.so.preload in one root, as one scan read it (SPEC §2 Preload):
/// the loader loads what it names into every dynamically linked process
/// started in that root.
public struct RootPreload: Sendable, Equatable {
    /// The root's identity; nil for the host's root.
    public var root: ImageKey?
    /// The file's contents; nil when it is missing or names nothing.
    public var content: ByteString?
    /// The first record (index into the scan's records) in that root.
    public var firstRecord: Int
    /// Processes of the scan in that root.
    public var processCount: Int = 0

    public init(root: ImageKey?, content: ByteString?, firstRecord: Int) {
        self.root = root
        self.content = content
        self.firstRecord = firstRecord
    }

    /// Where its contents' baseline is kept: a change raises
    /// integrity.preload again.
    public var baselineKey: BaselineKey { BaselineKey(root: root, path: ByteString(Preload.systemFile)) }
}
