extension AlertBuilder {
    /// library_mismatch or untrusted_code for one mapped object, about
    /// `subject` (the lowest pid that maps it) on behalf of `processCount`
    /// processes.
    /// `file` is what the scan found at the object's path: the object's
    /// digest when it is the mapped file, else the file that replaced it.
    /// `oldVersion`: for restart_needed, the version the object was seen as.
    mutating func object(
        _ finding: ObjectFinding, subject: ProcessRecord, processCount: Int, file: ObjectFile?,
        oldVersion: String? = nil
    ) -> Alert {
        let object = finding.object
        let sha256 = file?.mappedDigest?.sha256
        var fields = processFields(subject, rule: finding.rule, identity: finding.identityBytes, sha256: sha256)
        fields.append(.init(.object, ByteString(object.kind.rawValue)))
        fields.append(.init(.library, object.path))
        fields += digestFields(file?.mappedDigest)
        if finding.rule == .libraryMismatch || finding.rule == .restartNeeded {
            fields.append(.init(.reason, ByteString(object.state.rawValue)))
        }
        if let package = file?.package { fields += packageFields(package) }
        if let oldVersion { fields.append(.init(.packageOldVersion, ByteString(oldVersion))) }
        if let file, !file.isMapped, let now = file.digest {
            fields.append(.init(.onDiskSha256, ByteString(now.sha256)))
        }
        if let name = object.memfdName { fields.append(.init(.memfdName, name)) }
        fields.append(.init(.processCount, ByteString(String(processCount))))
        let others = processCount > 1 ? " (and \(processCount - 1) other processes)" : ""
        let text: String
        let package = file?.package.map { "\($0.package) \($0.version)" } ?? "its package"
        switch (finding.rule, object.state) {
        case (.restartNeeded, _):
            text =
                "still maps the previous library \(object.path.escaped); \(package) replaced it"
                + (oldVersion.map { " (was \($0))" } ?? "") + "; restart to load it\(others)"
        case (.packageMismatch, _):
            text =
                "mapped library \(object.path.escaped) differs from what \(package) installed "
                + Self.md5Caveat + others
        case (.libraryMismatch, .deleted):
            text = "mapped library \(object.path.escaped) was deleted from disk\(others)"
        case (.libraryMismatch, _):
            text = "mapped library \(object.path.escaped) was replaced on disk\(others)"
        case (_, .memfd):
            text = "library mapped from anonymous memfd \(object.memfdName?.escaped ?? "")\(others)"
        default:
            let what = object.kind == .loadedProgram ? "program" : "library"
            text = "\(what) \(object.path.escaped) mapped from an untrusted location (UntrustedCodePaths)\(others)"
        }
        return finish(finding.rule, subject, text, fields)
    }

    /// disk_mismatch for a program run through the dynamic loader: the exe
    /// (the loader) is intact, the program it runs is not.
    mutating func loadedProgramMismatch(_ record: ProcessRecord, program: ObjectRecord) -> Alert {
        let identity =
            BaselineKey(root: program.keyRoot, path: program.path).identityBytes + [0]
            + Array("\(program.key.device):\(program.key.inode)".utf8)
        var fields = processFields(record, rule: .diskMismatch, identity: identity, sha256: nil)
        fields.append(.init(.object, ByteString(ObjectKind.loadedProgram.rawValue)))
        fields.append(.init(.library, program.path))
        fields.append(.init(.reason, ByteString(program.state.rawValue)))
        let what = program.state == .deleted ? "was deleted from disk" : "was replaced on disk"
        let loader = record.exe?.escaped ?? "?"
        return finish(
            .diskMismatch, record, "program \(program.path.escaped) run through the dynamic loader \(loader) \(what)",
            fields)
    }

    /// integrity.preload: the process started with `LD_PRELOAD=value`.
    mutating func preload(_ record: ProcessRecord, value: ByteString, untrusted: Bool) -> Alert {
        let key = RulesEngine.baselineKey(record, path: record.exe ?? "")
        var fields = processFields(record, rule: .preload, identity: key.identityBytes + [0] + value.bytes, sha256: nil)
        fields.append(.init(.preload, value))
        let text =
            "started with LD_PRELOAD=\(value.escaped)" + (untrusted ? ", an object from an untrusted location" : "")
        var alert = finish(.preload, record, text, fields)
        if untrusted { alert.severityOverride = .high }
        return alert
    }

    /// integrity.preload for a root's /etc/ld.so.preload, about `subject`
    /// (the first process of that root) on behalf of all of them.
    mutating func rootPreload(
        _ preload: RootPreload, content: ByteString, sha256: String, subject: ProcessRecord, untrusted: Bool
    ) -> Alert {
        var fields = processFields(
            subject, rule: .preload, identity: preload.baselineKey.identityBytes, sha256: sha256)
        fields.append(.init(.preload, content))
        fields.append(.init(.processCount, ByteString(String(preload.processCount))))
        let list = Preload.objects(in: content).map(\.escaped).joined(separator: " ")
        let text =
            "\(Preload.systemFile) in its root preloads \(list) into every program started there"
            + " (\(preload.processCount) processes now)"
            + (untrusted ? ", an object from an untrusted location" : "")
        var alert = finish(.preload, subject, text, fields)
        if untrusted { alert.severityOverride = .high }
        return alert
    }
}
