/// Turns a scan's records into alerts (SPEC §3) and keeps the baselines.
///
/// Baselines follow the file *at the path*: an `on_disk` process contributes
/// its running image, a `deleted`/`replaced` one the file now at its path
/// (its running image is already the subject of `disk_mismatch`). So an old
/// process still running a deleted version never flip-flops a baseline
/// against the new version on disk, and an alert about the file at a path
/// names only a process that runs that very file.
public struct RulesEngine: Sendable {
    public var settings: RuleSettings

    public init(settings: RuleSettings = RuleSettings()) {
        self.settings = settings
    }

    /// Evaluates every record, updating `baselines`; returns the alerts in
    /// record order. Dedup and rate limiting happen downstream. `context`
    /// supplies unit, container and root for the records that alert (read
    /// only then; by default what the record already holds).
    /// `objectFiles` are the scan's files at mapped objects' paths: their
    /// content is baselined like executables'. `rootPreloads` are the
    /// roots' /etc/ld.so.preload files.
    public func evaluate(
        _ records: [ProcessRecord], objectFiles: [ObjectFile.Key: ObjectFile] = [:],
        rootPreloads: [RootPreload] = [], baselines: inout BaselineStore, now: UInt64,
        context: @escaping (ProcessRecord) -> ProcessContext? = { $0.context }
    ) -> [Alert] {
        var builder = AlertBuilder(settings: settings, now: now, context: context)
        var alerts: [Alert] = []
        for record in records where record.unhashedReason != .ignored {
            switch record.exeState {
            case .hidden:
                if let mount = record.hiddenBy { alerts.append(builder.hidden(record, mount: mount)) }
            case .memfd:
                if let alert = memfdAlert(record, &builder) { alerts.append(alert) }
            case .deleted, .replaced:
                if let alert = exeMismatchAlert(record, baselines: baselines, &builder) { alerts.append(alert) }
            default: break
            }
            alerts += packageMismatchAlerts(record, &builder)
            if let alert = loadedProgramAlert(record, &builder) { alerts.append(alert) }
            if let alert = preloadAlert(record, &builder) { alerts.append(alert) }
            if record.exeState.runsFile, let path = record.exe, settings.isUntrusted(path) {
                alerts.append(builder.untrustedExecutable(record, path: path))
            }
            if let digest = record.digest, digest.degraded {
                alerts.append(builder.degraded(record, digest: digest, reason: .ssdeepFailed))
            } else if record.digest?.tooLargeForSsdeep == true || record.unhashedReason == .tooLarge {
                alerts.append(builder.degraded(record, digest: record.digest, reason: .tooLarge))
            }
        }
        alerts += objectAlerts(records, objectFiles: objectFiles, baselines: baselines, &builder)
        alerts += objectPackageMismatchAlerts(records, objectFiles: objectFiles, &builder)
        for preload in rootPreloads {
            if let alert = rootPreloadAlert(preload, records, baselines: &baselines, &builder) { alerts.append(alert) }
        }
        for input in baselineInputs(records, objectFiles: objectFiles) {
            let subject = input.runner.map { records[$0] } ?? records[input.first]
            if let alert = compare(input, subject: subject, baselines: &baselines, builder: &builder) {
                alerts.append(alert)
            }
        }
        baselines.evictIfNeeded()
        return Self.oncePerDedupKey(alerts)
    }

    /// The allowlist is by name *and* content (SPEC §3): a memfd named like
    /// runc's clone passes only when it holds one of `MemfdAllowImages`.
    private func memfdAlert(_ record: ProcessRecord, _ builder: inout AlertBuilder) -> Alert? {
        let name = record.memfdName ?? ""
        guard Glob.matches(name, anyOf: settings.memfdAllow) else { return builder.memfd(record, reason: nil) }
        if record.memfdAllowImage != nil { return nil }
        return builder.memfd(record, reason: .allowlistedNameUnknownContent)
    }

    /// The file at one baseline key this scan: its digest, the first record
    /// that named it, and the first record that runs it (an `on_disk`
    /// process, or one that maps the very file), if any.
    struct BaselineInput {
        var key: BaselineKey
        var path: ByteString
        var digest: ImageDigest
        var first: Int
        var runner: Int?
        /// nil for an executable; else what kind of mapped object the file is.
        var object: ObjectKind?
        /// What dpkg says of the path, judged against `digest`.
        var package: PackageVerdict?
    }

    /// One input per key: executables in the order keys first appear, then
    /// the mapped objects' files whose keys no executable has.
    func baselineInputs(_ records: [ProcessRecord], objectFiles: [ObjectFile.Key: ObjectFile] = [:])
        -> [BaselineInput]
    {
        var inputs: [BaselineInput] = []
        var index: [BaselineKey: Int] = [:]
        for (i, record) in records.enumerated() where record.unhashedReason != .ignored {
            guard let path = record.exe else { continue }
            let digest: ImageDigest?
            var package = record.package
            switch record.exeState {
            case .onDisk: digest = record.digest
            case .deleted, .replaced:
                digest = record.onDiskDigest
                package?.verified = record.packageOnDiskVerified
            default: digest = nil
            }
            guard let digest else { continue }
            let key = Self.baselineKey(record, path: path)
            let runs = record.exeState == .onDisk
            if let n = index[key] {
                if runs, inputs[n].runner == nil, inputs[n].digest.sha256 == digest.sha256 { inputs[n].runner = i }
                continue
            }
            index[key] = inputs.count
            inputs.append(
                BaselineInput(
                    key: key, path: path, digest: digest, first: i, runner: runs ? i : nil, package: package))
        }
        objectBaselineInputs(records, objectFiles, into: &inputs, index: &index)
        return inputs
    }

    static func baselineKey(_ record: ProcessRecord, path: ByteString) -> BaselineKey {
        BaselineKey(root: record.keyRoot, path: path)
    }

    private func compare(
        _ input: BaselineInput, subject: ProcessRecord, baselines: inout BaselineStore, builder: inout AlertBuilder
    ) -> Alert? {
        let current = input.digest
        // dpkg at work: the path's verdict, and its baseline, wait for the
        // first scan after the package is installed again (SPEC §2).
        if input.package?.installed == false { return nil }
        let version = input.package?.verified == true ? input.package?.version : nil
        guard let baseline = baselines[input.key] else {
            baselines.record(
                input.key, sha256: current.sha256, ssdeep: current.ssdeep, at: builder.now, packageVersion: version)
            return nil
        }
        guard baseline.sha256 != current.sha256 else {
            if version != nil, baseline.packageVersion != version {
                baselines.record(
                    input.key, sha256: current.sha256, ssdeep: current.ssdeep, at: builder.now, packageVersion: version)
            } else {
                baselines.touch(input.key, at: builder.now)
            }
            return nil
        }
        baselines.record(
            input.key, sha256: current.sha256, ssdeep: current.ssdeep, at: builder.now, packageVersion: version)
        // Content its package verifies is an update whatever the similarity.
        if input.package?.verified == true {
            let similarity = baseline.ssdeep.flatMap { old in current.ssdeep.flatMap { LibFuzzy.compare(old, $0) } }
            return builder.change(input, subject: subject, baseline: baseline, similarity: similarity, packaged: true)
        }
        // No ssdeep on one side: similarity is unknown, and a change is
        // never silent (SPEC §3).
        guard let old = baseline.ssdeep, let new = current.ssdeep, let similarity = LibFuzzy.compare(old, new) else {
            return builder.change(input, subject: subject, baseline: baseline, similarity: nil)
        }
        return builder.change(input, subject: subject, baseline: baseline, similarity: similarity)
    }

    /// One package_mismatch per dedup key within a scan: the file at a
    /// path and the process that runs it raise the same finding; the one
    /// naming a process is kept, in the first's place.
    static func oncePerDedupKey(_ alerts: [Alert]) -> [Alert] {
        var position: [String: Int] = [:]
        var kept: [Alert] = []
        for alert in alerts {
            let key = alert.dedupKey
            guard alert.rule == .packageMismatch, let i = position[key] else {
                if alert.rule == .packageMismatch { position[key] = kept.count }
                position[key] = kept.count
                kept.append(alert)
                continue
            }
            if kept[i].pid == 0 && alert.pid != 0 { kept[i] = alert }
        }
        return kept
    }

    /// rule + executable identity (baseline key + SHA-256), hashed to 32 hex
    /// digits so the key is short and safe whatever bytes the path holds.
    public static func dedupKey(rule: AlertRule, identity: BaselineKey, sha256: String?) -> String {
        dedupKey(rule: rule, material: identity.identityBytes, sha256: sha256)
    }

    static func dedupKey(rule: AlertRule, material identity: [UInt8], sha256: String?) -> String {
        let material = Array(rule.rawValue.utf8) + [0] + identity + [0] + Array((sha256 ?? "").utf8)
        let digest = EVPHasher.digestHex(of: material)
        return digest.isEmpty ? rule.rawValue : String(digest.prefix(32))
    }
}
