extension RulesEngine {
    /// integrity.library_mismatch and integrity.untrusted_code for mapped
    /// objects (SPEC §2 Shared objects, §3), one alert per object however
    /// many processes map it, naming the lowest pid and the count. The
    /// exe's own mapping is left to the executable rules.
    /// A library its package upgraded is restart_needed instead of
    /// library_mismatch; one whose package is mid-upgrade waits; one that
    /// differs from its package is package_mismatch.
    func objectAlerts(
        _ records: [ProcessRecord], objectFiles: [ObjectFile.Key: ObjectFile], baselines: BaselineStore,
        _ builder: inout AlertBuilder
    ) -> [Alert] {
        var findings: [ObjectFinding] = []
        var index: [ObjectFinding.Identity: Int] = [:]
        func add(_ rule: AlertRule, _ object: ObjectRecord, _ record: Int) {
            let finding = ObjectFinding(rule: rule, object: object, records: [record])
            if let n = index[finding.identity] {
                findings[n].records.append(record)
            } else {
                index[finding.identity] = findings.count
                findings.append(finding)
            }
        }
        for (i, record) in records.enumerated() where record.unhashedReason != .ignored {
            for object in record.objects where !Self.isExe(object, of: record) {
                let file = object.fileKey.flatMap { objectFiles[$0] }
                switch object.state {
                case .deleted, .replaced:
                    // A loaded program is not a library: `loadedProgramAlert` has it.
                    guard object.kind == .library, file?.package?.installed != false else { break }
                    let key = BaselineKey(root: object.keyRoot, path: object.path)
                    let upgraded = Self.objectUpgrade(file, key: key, baselines: baselines) != nil
                    add(upgraded ? .restartNeeded : .libraryMismatch, object, i)
                case .onDisk where file?.isMapped == true && file?.package?.verified == false:
                    add(.packageMismatch, object, i)
                case .memfd:
                    if !Glob.matches(object.memfdName ?? "", anyOf: settings.memfdMapAllow) {
                        add(.untrustedCode, object, i)
                    }
                case .onDisk, .inaccessible: break
                }
                if object.state != .memfd, settings.isUntrusted(object.path) { add(.untrustedCode, object, i) }
            }
        }
        return findings.map { finding in
            let lowest = finding.records.min { records[$0].pid < records[$1].pid }!
            let count = Set(finding.records.map { records[$0].pid }).count
            let file = finding.object.fileKey.flatMap { objectFiles[$0] }
            let key = BaselineKey(root: finding.object.keyRoot, path: finding.object.path)
            let upgrade =
                finding.rule == .restartNeeded ? Self.objectUpgrade(file, key: key, baselines: baselines) : nil
            return builder.object(
                finding, subject: records[lowest], processCount: count, file: file, oldVersion: upgrade?.1)
        }
    }

    /// The baseline inputs of the files at mapped objects' paths (SPEC §2:
    /// library content has baselines like executables), in the order their
    /// first process was scanned; a key an executable already has is only
    /// given a runner.
    func objectBaselineInputs(
        _ records: [ProcessRecord], _ objectFiles: [ObjectFile.Key: ObjectFile], into inputs: inout [BaselineInput],
        index: inout [BaselineKey: Int]
    ) {
        for (key, file) in objectFiles.sorted(by: { $0.value.firstRecord < $1.value.firstRecord }) {
            guard let digest = file.digest, records.indices.contains(file.firstRecord) else { continue }
            let baselineKey = key.baselineKey
            let runner = file.isMapped ? file.firstRecord : nil
            if let n = index[baselineKey] {
                if let runner, inputs[n].runner == nil, inputs[n].digest.sha256 == digest.sha256 {
                    inputs[n].runner = runner
                }
                continue
            }
            let kind = records[file.firstRecord].objects.first { $0.fileKey == key }?.kind ?? .library
            index[baselineKey] = inputs.count
            inputs.append(
                BaselineInput(
                    key: baselineKey, path: key.path, digest: digest, first: file.firstRecord, runner: runner,
                    object: kind, package: file.package))
        }
    }

    /// integrity.disk_mismatch for the program a loader runs, when it was
    /// deleted or replaced (SPEC §2): the executable rule, per process.
    func loadedProgramAlert(_ record: ProcessRecord, _ builder: inout AlertBuilder) -> Alert? {
        guard let program = record.loadedProgram, program.state == .deleted || program.state == .replaced else {
            return nil
        }
        return builder.loadedProgramMismatch(record, program: program)
    }

    /// integrity.preload for `LD_PRELOAD` naming an object not matching
    /// `PreloadAllow`; high when one is under `UntrustedCodePaths`.
    func preloadAlert(_ record: ProcessRecord, _ builder: inout AlertBuilder) -> Alert? {
        guard let value = record.preload else { return nil }
        let named = Preload.objects(in: value).filter { !Glob.matches($0, anyOf: settings.preloadAllow) }
        guard !named.isEmpty else { return nil }
        return builder.preload(record, value: value, untrusted: named.contains { settings.isUntrusted($0) })
    }

    /// integrity.preload for a root's /etc/ld.so.preload (SPEC §2 Preload):
    /// raised whenever its contents differ from the baseline (first
    /// sighting included), so a standing file alerts once and every change
    /// alerts again; `PreloadAllow` is for `LD_PRELOAD` only (SPEC §3: any
    /// non-empty file). A file emptied or removed forgets the baseline.
    func rootPreloadAlert(
        _ preload: RootPreload, _ records: [ProcessRecord], baselines: inout BaselineStore,
        _ builder: inout AlertBuilder
    ) -> Alert? {
        let key = preload.baselineKey
        guard let content = preload.content, records.indices.contains(preload.firstRecord) else {
            baselines.remove(key)
            return nil
        }
        let named = Preload.objects(in: content)
        let sha256 = EVPHasher.digestHex(of: content.bytes)
        guard baselines[key]?.sha256 != sha256 else {
            baselines.touch(key, at: builder.now)
            return nil
        }
        baselines.record(key, sha256: sha256, ssdeep: nil, at: builder.now)
        return builder.rootPreload(
            preload, content: content, sha256: sha256, subject: records[preload.firstRecord],
            untrusted: named.contains { settings.isUntrusted($0) })
    }

    /// Whether `object` is the process's exe mapped: by identity, or by path
    /// for an exe the kernel prints differently (overlayfs).
    static func isExe(_ object: ObjectRecord, of record: ProcessRecord) -> Bool {
        object.key == record.image?.key || (object.state != .memfd && object.path == record.exe)
    }
}
