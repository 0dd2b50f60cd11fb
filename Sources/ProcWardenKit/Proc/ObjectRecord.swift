/// One file mapped executable into one process, classified (SPEC §2
/// Shared objects).
public struct ObjectRecord: Sendable, Equatable {
    /// (st_dev, st_ino) as the maps line prints them.
    public var key: ImageKey
    /// The path: the candidate whose identity matched, else the most likely
    /// one (newlines decoded, the kernel's suffix stripped). For a memfd,
    /// `/memfd:<name>`.
    public var path: ByteString
    public var state: ObjectState
    /// For `memfd`: the name given to memfd_create(2).
    public var memfdName: ByteString?
    /// Identity of the root the path resolved under; nil for the host's
    /// root (as `ProcessRecord.keyRoot`).
    public var keyRoot: ImageKey?
    /// `on_disk` on a file system whose maps identity may differ from
    /// stat's (overlayfs before Linux 6.8, btrfs subvolumes): the state is
    /// assumed, never `replaced`.
    public var identityUnverified: Bool = false
    /// `library`, or `loadedProgram` for the program a loader-run process
    /// really runs (SPEC §2 The dynamic loader as exe).
    public var kind: ObjectKind = .library

    public init(key: ImageKey, path: ByteString, state: ObjectState) {
        self.key = key
        self.path = path
        self.state = state
    }
}
