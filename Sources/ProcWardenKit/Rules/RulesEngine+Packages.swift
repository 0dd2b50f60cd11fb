extension RulesEngine {
    /// disk_mismatch for a deleted or replaced exe, or restart_needed when
    /// its package explains it (SPEC §2 Package verification); nothing
    /// while dpkg is still at work on the package.
    func exeMismatchAlert(_ record: ProcessRecord, baselines: BaselineStore, _ builder: inout AlertBuilder) -> Alert? {
        if record.package?.installed == false { return nil }
        if let (verdict, old) = Self.exeUpgrade(record, baselines: baselines) {
            return builder.restartNeeded(record, verdict: verdict, oldVersion: old)
        }
        return builder.mismatch(record)
    }

    /// The package and the version the running image was seen as, when a
    /// process runs a deleted or replaced image that its package upgraded:
    /// the file now at the path matches the package, and the running
    /// image's SHA-256 is a verified content recorded for the path under
    /// another version than `status` shows now. A forged database must
    /// forge `status` and `.md5sums` together.
    static func exeUpgrade(_ record: ProcessRecord, baselines: BaselineStore) -> (PackageVerdict, String)? {
        guard let verdict = record.package, verdict.installed, record.packageOnDiskVerified == true,
            let running = record.digest?.sha256, let path = record.exe,
            let baseline = baselines[baselineKey(record, path: path)]
        else { return nil }
        for packaged in [baseline.packaged, baseline.previous].compactMap({ $0 })
        where packaged.sha256 == running && packaged.packageVersion != verdict.version {
            return (verdict, packaged.packageVersion)
        }
        return nil
    }

    /// The version a deleted or replaced mapped object was seen as, when
    /// its package upgraded it: the file at the path matches the package,
    /// and the path's baseline recorded verified content under another
    /// version. A deleted object has no digest of its own to compare.
    static func objectUpgrade(_ file: ObjectFile?, key: BaselineKey, baselines: BaselineStore) -> (
        PackageVerdict, String
    )? {
        guard let file, let verdict = file.package, verdict.installed, verdict.verified == true,
            let baseline = baselines[key]
        else { return nil }
        for packaged in [baseline.packaged, baseline.previous].compactMap({ $0 })
        where packaged.packageVersion != verdict.version {
            return (verdict, packaged.packageVersion)
        }
        return nil
    }

    /// package_mismatch for an exe: the running image (on disk) or the file
    /// now at the path of a deleted or replaced one differs from its
    /// package's record. The file at the path names no process.
    func packageMismatchAlerts(_ record: ProcessRecord, _ builder: inout AlertBuilder) -> [Alert] {
        guard let verdict = record.package, verdict.installed, let path = record.exe else { return [] }
        switch record.exeState {
        case .onDisk where verdict.verified == false:
            return [builder.packageMismatch(record, verdict: verdict)]
        case .deleted, .replaced:
            guard record.packageOnDiskVerified == false, let digest = record.onDiskDigest else { return [] }
            var atPath = verdict
            atPath.verified = false
            return [
                builder.packageMismatchAtPath(
                    path, key: Self.baselineKey(record, path: path), object: nil, digest: digest, verdict: atPath,
                    place: record)
            ]
        default:
            return []
        }
    }

    /// package_mismatch for the files at mapped objects' paths that no
    /// process maps (what replaced a deleted library); mapped ones are
    /// object findings, naming their processes.
    func objectPackageMismatchAlerts(
        _ records: [ProcessRecord], objectFiles: [ObjectFile.Key: ObjectFile], _ builder: inout AlertBuilder
    ) -> [Alert] {
        var seen: Set<BaselineKey> = []
        var alerts: [Alert] = []
        for (key, file) in objectFiles.sorted(by: { $0.value.firstRecord < $1.value.firstRecord })
        where !file.isMapped && file.package?.verified == false && file.package?.installed == true {
            guard let digest = file.digest, let verdict = file.package, seen.insert(key.baselineKey).inserted,
                records.indices.contains(file.firstRecord)
            else { continue }
            alerts.append(
                builder.packageMismatchAtPath(
                    key.path, key: key.baselineKey, object: .library, digest: digest, verdict: verdict,
                    place: records[file.firstRecord]))
        }
        return alerts
    }
}
