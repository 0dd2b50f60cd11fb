/// The mapped-object inventory of one scan (the bus's `ListObjects`): one
/// entry per object file, state and root, with how many processes map it.
/// A process's own exe mapping is the executable inventory's.
public struct ObjectInventory: Sendable {
    public struct Object: Sendable, Equatable {
        /// As the maps line names it; `/memfd:<name>` for a memfd.
        public var path: ByteString
        public var state: ObjectState
        /// st_size of the mapped file when the scan could open it; 0 when
        /// unknown (deleted, replaced, memfd).
        public var size: UInt64
        /// The mapped file's SHA-256, when it is the file at the path.
        public var sha256: String?
        /// The owning package; nil when none is known.
        public var package: String?
        /// Whether the file at the path matches the package's record; nil
        /// when that cannot be said.
        public var packageVerified: Bool?
        public var processCount: Int
    }

    public private(set) var objects: [Object] = []

    /// Groups the mappings of `report` by (root, path, mapping, state), in
    /// path order.
    public init(_ report: ScanReport) {
        struct Key: Hashable {
            var root: ImageKey?
            var path: ByteString
            var mapped: ImageKey
            var state: ObjectState
        }
        var index: [Key: Int] = [:]
        for record in report.processes {
            for object in record.objects where !RulesEngine.isExe(object, of: record) {
                let key = Key(root: object.keyRoot, path: object.path, mapped: object.key, state: object.state)
                if let i = index[key] {
                    objects[i].processCount += 1
                    continue
                }
                let file = object.fileKey.flatMap { report.objectFiles[$0] }
                let mapped = file?.isMapped == true
                index[key] = objects.count
                objects.append(
                    Object(
                        path: object.path, state: object.state, size: mapped ? file!.identity.size : 0,
                        sha256: file?.mappedDigest?.sha256, package: file?.package?.package,
                        packageVerified: file?.package?.verified, processCount: 1))
            }
        }
        objects.sort { $0.path < $1.path }
    }
}
