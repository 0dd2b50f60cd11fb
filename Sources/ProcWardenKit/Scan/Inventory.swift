/// The executable inventory of one scan: one entry per running image and
/// path, with how many processes run it (the bus's `ListExecutables`).
public struct Inventory: Sendable {
    public struct Executable: Sendable, Equatable {
        public var path: ByteString
        public var size: UInt64
        public var sha256: String?
        public var ssdeep: String?
        public var state: ExeState
        public var onDiskSha256: String?
        public var degraded: Bool
        public var processCount: Int
    }

    public private(set) var executables: [Executable] = []

    /// Groups the records that have an image by (image, path, state), in
    /// path order.
    public init(_ records: [ProcessRecord]) {
        struct Key: Hashable {
            var image: ImageKey
            var path: ByteString
            var state: ExeState
        }
        var index: [Key: Int] = [:]
        for r in records where r.exeState.hasImage {
            guard let image = r.image, let path = r.exe else { continue }
            let key = Key(image: image.key, path: path, state: r.exeState)
            if let i = index[key] {
                executables[i].processCount += 1
                continue
            }
            index[key] = executables.count
            executables.append(
                Executable(
                    path: path, size: image.size, sha256: r.digest?.sha256, ssdeep: r.digest?.ssdeep,
                    state: r.exeState, onDiskSha256: r.onDiskDigest?.sha256,
                    degraded: r.digest?.degraded ?? false, processCount: 1))
        }
        executables.sort { $0.path < $1.path }
    }
}
