/// One object-level finding of one scan: a rule, the object it is about,
/// and every process it applies to (SPEC §3 dedup: one alert per object,
/// not one per process, so a library upgrade does not flood).
struct ObjectFinding {
    var rule: AlertRule
    var object: ObjectRecord
    /// Indexes into the scan's records, one per process.
    var records: [Int]

    /// What the finding is about, for grouping and the dedup key: root,
    /// path, device and inode (a deleted or replaced object has no digest
    /// to name it by).
    struct Identity: Hashable {
        var rule: AlertRule
        var root: ImageKey?
        var path: ByteString
        var key: ImageKey
    }

    var identity: Identity { Identity(rule: rule, root: object.keyRoot, path: object.path, key: object.key) }

    /// Bytes for `RulesEngine.dedupKey`. package_mismatch is about the
    /// content at the path (with its digest), as for a file no process maps.
    var identityBytes: [UInt8] {
        let path = BaselineKey(root: object.keyRoot, path: object.path).identityBytes
        if rule == .packageMismatch { return path }
        return path + [0] + Array("\(object.key.device):\(object.key.inode)".utf8)
    }
}
