extension AlertBuilder {
    /// PROCWARDEN_PACKAGE, _VERSION and _VERIFIED (when known).
    func packageFields(_ verdict: PackageVerdict) -> [Alert.Field] {
        var fields: [Alert.Field] = [
            .init(.package, ByteString(verdict.package)), .init(.packageVersion, ByteString(verdict.version)),
        ]
        if let word = verdict.verifiedWord { fields.append(.init(.packageVerified, ByteString(word))) }
        return fields
    }

    /// restart_needed for a process whose exe its package upgraded, in
    /// place of disk_mismatch.
    mutating func restartNeeded(_ record: ProcessRecord, verdict: PackageVerdict, oldVersion: String) -> Alert {
        let (path, common) = exeAlertFields(record, rule: .restartNeeded)
        var fields = common
        fields.append(.init(.object, ByteString(ObjectKind.executable.rawValue)))
        fields.append(.init(.reason, ByteString(record.exeState.rawValue)))
        if let onDisk = record.onDiskDigest { fields.append(.init(.onDiskSha256, ByteString(onDisk.sha256))) }
        fields += packageFields(verdict.judging(record.onDiskDigest))
        fields.append(.init(.packageOldVersion, ByteString(oldVersion)))
        return finish(
            .restartNeeded, record,
            "still runs the previous \(path.escaped); \(verdict.package) \(verdict.version) replaced it "
                + "(was \(oldVersion)); restart to load it", fields)
    }

    /// package_mismatch for a running image that differs from its package.
    mutating func packageMismatch(_ record: ProcessRecord, verdict: PackageVerdict) -> Alert {
        let (path, common) = exeAlertFields(record, rule: .packageMismatch)
        var fields = common
        fields.append(.init(.object, ByteString(ObjectKind.executable.rawValue)))
        fields += packageFields(verdict)
        return finish(
            .packageMismatch, record,
            "running executable \(path.escaped) differs from what \(verdict.package) \(verdict.version) installed "
                + Self.md5Caveat, fields)
    }

    /// package_mismatch for the file at a path no process runs (what
    /// replaced a deleted image or library): no pid, the place of `place`.
    mutating func packageMismatchAtPath(
        _ path: ByteString, key: BaselineKey, object: ObjectKind?, digest: ImageDigest, verdict: PackageVerdict,
        place subject: ProcessRecord
    ) -> Alert {
        let dedup = RulesEngine.dedupKey(rule: .packageMismatch, identity: key, sha256: digest.sha256)
        var fields: [Alert.Field] = [.init(.dedupKey, ByteString(dedup))]
        if let object {
            fields.append(.init(.object, ByteString(object.rawValue)))
            fields.append(.init(.library, path))
        } else {
            fields.append(.init(.exe, path))
            fields.append(.init(.object, ByteString(ObjectKind.executable.rawValue)))
        }
        fields += digestFields(digest)
        fields += packageFields(verdict)
        var place = contextOf(subject)
        place.unit = nil
        fields += contextFields(place)
        let what = object == nil ? "executable" : "library"
        let text =
            "\(what) \(path.escaped) differs from what \(verdict.package) \(verdict.version) installed "
            + Self.md5Caveat + "; no running process has this content"
        return Alert(
            rule: .packageMismatch, message: ByteString(text + Self.suffix(place)), pid: 0, fields: fields,
            raisedAtMicroseconds: now)
    }

    /// MD5 is what dpkg records: the alert says what the check is worth.
    static let md5Caveat = "(MD5 differs from the package's record: a consistency check, not a security proof)"
}
