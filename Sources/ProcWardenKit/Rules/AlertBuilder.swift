/// Builds each rule's alert: message, fields and dedup key (SPEC §3, §4).
/// Messages name the path and, where they say something, the unit, the
/// container and the root; never an internal key.
struct AlertBuilder {
    let settings: RuleSettings
    let now: UInt64
    let context: (ProcessRecord) -> ProcessContext?
    /// Context read once per process, however many alerts it raises.
    private var contexts: [Int32: ProcessContext] = [:]

    init(settings: RuleSettings, now: UInt64, context: @escaping (ProcessRecord) -> ProcessContext?) {
        self.settings = settings
        self.now = now
        self.context = context
    }

    /// The exe's path and the fields every alert about a process's running
    /// image starts with: dedup key (baseline key + SHA-256), identity and
    /// the image's digests.
    func exeAlertFields(_ record: ProcessRecord, rule: AlertRule) -> (path: ByteString, fields: [Alert.Field]) {
        let path = record.exe ?? ""
        let key = RulesEngine.baselineKey(record, path: path)
        let fields = processFields(record, rule: rule, identity: key.identityBytes, sha256: record.digest?.sha256)
        return (path, fields + digestFields(record.digest))
    }

    mutating func mismatch(_ record: ProcessRecord) -> Alert {
        let (path, common) = exeAlertFields(record, rule: .diskMismatch)
        var fields = common
        fields.append(.init(.reason, ByteString(record.exeState.rawValue)))
        if let onDisk = record.onDiskDigest { fields.append(.init(.onDiskSha256, ByteString(onDisk.sha256))) }
        let what = record.exeState == .deleted ? "was deleted from disk" : "was replaced on disk"
        return finish(.diskMismatch, record, "running executable \(path.escaped) \(what)", fields)
    }

    mutating func memfd(_ record: ProcessRecord, reason: AlertReason?) -> Alert {
        let name = record.memfdName ?? ""
        let identity = BaselineKey(path: ByteString(Array("memfd:".utf8) + name.bytes)).identityBytes
        var fields = processFields(record, rule: .memfdExec, identity: identity, sha256: record.digest?.sha256)
        fields += digestFields(record.digest)
        fields.append(.init(.memfdName, name))
        var text = "executing from anonymous memfd \(name.escaped)"
        if let reason {
            fields.append(.init(.reason, ByteString(reason.rawValue)))
            text += ", whose name is allowlisted but whose content is none of MemfdAllowImages"
        }
        return finish(.memfdExec, record, text, fields)
    }

    /// integrity.untrusted_code for the exe itself: it lies under
    /// `UntrustedCodePaths` (deleted or replaced since, it still ran from there).
    mutating func untrustedExecutable(_ record: ProcessRecord, path: ByteString) -> Alert {
        let key = RulesEngine.baselineKey(record, path: path)
        var fields = processFields(
            record, rule: .untrustedCode, identity: key.identityBytes, sha256: record.digest?.sha256)
        fields += digestFields(record.digest)
        fields.append(.init(.object, ByteString(ObjectKind.executable.rawValue)))
        return finish(
            .untrustedCode, record,
            "running executable \(path.escaped) from an untrusted location (UntrustedCodePaths)",
            fields)
    }

    mutating func degraded(_ record: ProcessRecord, digest: ImageDigest?, reason: AlertReason) -> Alert {
        let path = record.exe ?? ""
        let key = RulesEngine.baselineKey(record, path: path)
        var fields = processFields(record, rule: .coverageDegraded, identity: key.identityBytes, sha256: digest?.sha256)
        fields += digestFields(digest)
        fields.append(.init(.reason, ByteString(reason.rawValue)))
        let size = record.image.map { " (\($0.size) bytes)" } ?? ""
        let text: String
        switch (reason, digest) {
        case (.tooLarge, nil):
            text = "executable \(path.escaped)\(size) is larger than MaxHashSize; it is not hashed"
        case (.tooLarge, _):
            text = "executable \(path.escaped)\(size) is larger than MaxFileSize; only SHA-256 is compared"
        default:
            text = "ssdeep failed for \(path.escaped); only SHA-256 is compared"
        }
        return finish(.coverageDegraded, record, text, fields)
    }

    mutating func hidden(_ record: ProcessRecord, mount: MountInfo.Mount) -> Alert {
        let identity = Array(String(record.pid).utf8) + [0] + mount.mountPoint.bytes + [0] + mount.source.bytes
        let fields: [Alert.Field] = [
            .init(.dedupKey, ByteString(RulesEngine.dedupKey(rule: .procHidden, material: identity, sha256: nil))),
            .init(.pid, ByteString(String(record.pid))),
            .init(.exeState, ByteString(record.exeState.rawValue)),
            .init(.mountSource, mount.source),
            .init(.mountPoint, mount.mountPoint),
        ]
        let text =
            "process \(record.pid) is hidden: \(mount.source.escaped) (\(mount.fsType.escaped)) is mounted on "
            + "\(mount.mountPoint.escaped)"
        return Alert(
            rule: .procHidden, message: ByteString(text), pid: record.pid, fields: fields, raisedAtMicroseconds: now,
            processStartTime: record.startTime)
    }

    /// binary_change / binary_update for the file at a path. `subject` runs
    /// that file when it is `on_disk`; otherwise no process does, and the
    /// alert names none (SPEC §3 attribution) while keeping where the file
    /// is (container, root).
    /// `packaged`: the new content is its package's verified file, an
    /// update whatever the similarity.
    mutating func change(
        _ input: RulesEngine.BaselineInput, subject: ProcessRecord, baseline: Baseline, similarity: Int?,
        packaged: Bool = false
    ) -> Alert {
        let rule: AlertRule =
            packaged || similarity.map { $0 >= settings.similarityThreshold } == true ? .binaryUpdate : .binaryChange
        let runs = input.runner != nil
        let dedup = RulesEngine.dedupKey(rule: rule, identity: input.key, sha256: input.digest.sha256)
        var fields: [Alert.Field] = [.init(.dedupKey, ByteString(dedup))]
        if runs {
            fields += identityFields(subject)
        } else if input.object == nil {
            fields.append(.init(.exe, input.path))
        }
        if let object = input.object {
            fields.append(.init(.object, ByteString(object.rawValue)))
            fields.append(.init(.library, input.path))
        }
        fields += digestFields(input.digest)
        fields.append(.init(.baselineSha256, ByteString(baseline.sha256)))
        if let old = baseline.ssdeep { fields.append(.init(.baselineSsdeep, ByteString(old))) }
        if let package = input.package { fields += packageFields(package) }
        let verb: String
        if packaged {
            if let similarity { fields.append(.init(.similarity, ByteString(String(similarity)))) }
            verb = "was updated by its package \(input.package.map { "\($0.package) \($0.version)" } ?? "")"
        } else if let similarity {
            fields.append(.init(.similarity, ByteString(String(similarity))))
            fields.append(.init(.threshold, ByteString(String(settings.similarityThreshold))))
            verb =
                rule == .binaryChange
                ? "changed (similarity \(similarity) < threshold \(settings.similarityThreshold))"
                : "was updated (similarity \(similarity) >= threshold \(settings.similarityThreshold))"
        } else {
            fields.append(.init(.reason, ByteString(AlertReason.similarityUnknown.rawValue)))
            verb = "changed (similarity unknown: no ssdeep on one side)"
        }
        var place = contextOf(subject)
        if !runs { place.unit = nil }
        fields += contextFields(place)
        let what = input.object.map { $0 == .loadedProgram ? "program" : "library" } ?? "executable"
        let text = "\(what) \(input.path.escaped) \(verb)" + (runs ? "" : "; no running process has this content")
        let prefix = runs ? "\(subject.comm?.escaped ?? "?")[\(subject.pid)]: " : ""
        return Alert(
            rule: rule, message: ByteString(prefix + text + Self.suffix(place)), pid: runs ? subject.pid : 0,
            fields: fields, raisedAtMicroseconds: now, processStartTime: runs ? subject.startTime : nil)
    }

    // MARK: - Fields

    func identityFields(_ record: ProcessRecord) -> [Alert.Field] {
        var fields: [Alert.Field] = [.init(.pid, ByteString(String(record.pid)))]
        if let uid = record.uid { fields.append(.init(.uid, ByteString(String(uid)))) }
        if let comm = record.comm { fields.append(.init(.comm, comm)) }
        if let exe = record.exe { fields.append(.init(.exe, exe)) }
        fields.append(.init(.exeState, ByteString(record.exeState.rawValue)))
        return fields
    }

    func processFields(_ record: ProcessRecord, rule: AlertRule, identity: [UInt8], sha256: String?)
        -> [Alert.Field]
    {
        [.init(.dedupKey, ByteString(RulesEngine.dedupKey(rule: rule, material: identity, sha256: sha256)))]
            + identityFields(record)
    }

    func digestFields(_ digest: ImageDigest?) -> [Alert.Field] {
        guard let digest else { return [] }
        var fields: [Alert.Field] = [.init(.sha256, ByteString(digest.sha256))]
        if let ssdeep = digest.ssdeep { fields.append(.init(.ssdeep, ByteString(ssdeep))) }
        return fields
    }

    func contextFields(_ context: ProcessContext) -> [Alert.Field] {
        var fields: [Alert.Field] = []
        if let unit = context.unit { fields.append(.init(.unit, unit)) }
        if let container = context.container { fields.append(.init(.container, container)) }
        if let root = context.root { fields.append(.init(.root, root)) }
        return fields
    }

    mutating func contextOf(_ record: ProcessRecord) -> ProcessContext {
        if let known = contexts[record.pid] { return known }
        let read = context(record) ?? ProcessContext()
        contexts[record.pid] = read
        return read
    }

    /// ` (unit x, container y, root z)`, or nothing.
    static func suffix(_ context: ProcessContext) -> String {
        var parts: [String] = []
        if let unit = context.unit { parts.append("unit \(unit.escaped)") }
        if let container = context.container { parts.append("container \(container.escaped)") }
        if let root = context.root { parts.append("root \(root.escaped)") }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
    }

    mutating func finish(_ rule: AlertRule, _ record: ProcessRecord, _ text: String, _ fields: [Alert.Field])
        -> Alert
    {
        let place = contextOf(record)
        let message = "\(record.comm?.escaped ?? "?")[\(record.pid)]: \(text)" + Self.suffix(place)
        return Alert(
            rule: rule, message: ByteString(message), pid: record.pid, fields: fields + contextFields(place),
            raisedAtMicroseconds: now, processStartTime: record.startTime)
    }
}
