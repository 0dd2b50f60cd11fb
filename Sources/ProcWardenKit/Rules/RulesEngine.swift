/// Turns a scan's records into alerts (SPEC §3) and keeps the baselines.
///
/// Baselines follow the file *at the path*: an `on_disk` process contributes
/// its running image, a `deleted`/`replaced` one the file now at its path
/// (its running image is already the subject of `disk_mismatch`). So an old
/// process still running a deleted version never flip-flops a baseline
/// against the new version on disk.
public struct RulesEngine: Sendable {
    public var settings: RuleSettings
    /// Identity of the daemon's own root directory; processes under another
    /// root get baseline keys qualified by it.
    public var ownRoot: ImageKey?

    public init(settings: RuleSettings = RuleSettings(), ownRoot: ImageKey?) {
        self.settings = settings
        self.ownRoot = ownRoot
    }

    /// Evaluates every record, updating `baselines`; returns the alerts in
    /// record order. Dedup and rate limiting happen downstream.
    public func evaluate(_ records: [ProcessRecord], baselines: inout BaselineStore, now: UInt64) -> [Alert] {
        var alerts: [Alert] = []
        var comparedThisScan = Set<BaselineKey>()
        for record in records where record.unhashedReason != .ignored {
            switch record.exeState {
            case .memfd:
                if let alert = memfdAlert(record, now: now) { alerts.append(alert) }
            case .deleted, .replaced:
                alerts.append(mismatchAlert(record, now: now))
            default: break
            }
            if let digest = record.digest, digest.degraded {
                alerts.append(degradedAlert(record, digest: digest, now: now))
            }
            guard let (key, current) = baselineInput(record), comparedThisScan.insert(key).inserted else { continue }
            if let alert = compare(record, key: key, current: current, baselines: &baselines, now: now) {
                alerts.append(alert)
            }
        }
        baselines.evictIfNeeded()
        return alerts
    }

    /// The baseline key and the digest of the file at the path, if known.
    func baselineInput(_ record: ProcessRecord) -> (BaselineKey, ImageDigest)? {
        guard let path = record.exe else { return nil }
        let digest: ImageDigest?
        switch record.exeState {
        case .onDisk: digest = record.digest
        case .deleted, .replaced: digest = record.onDiskDigest
        default: digest = nil
        }
        guard let digest else { return nil }
        return (baselineKey(record, path: path), digest)
    }

    func baselineKey(_ record: ProcessRecord, path: ByteString) -> BaselineKey {
        BaselineKey(root: record.root == ownRoot ? nil : record.root, path: path)
    }

    private func compare(
        _ record: ProcessRecord, key: BaselineKey, current: ImageDigest,
        baselines: inout BaselineStore, now: UInt64
    ) -> Alert? {
        guard let baseline = baselines[key] else {
            baselines.record(key, sha256: current.sha256, ssdeep: current.ssdeep, at: now)
            return nil
        }
        guard baseline.sha256 != current.sha256 else {
            baselines.touch(key, at: now)
            return nil
        }
        baselines.record(key, sha256: current.sha256, ssdeep: current.ssdeep, at: now)
        guard let old = baseline.ssdeep, let new = current.ssdeep,
            let similarity = LibFuzzy.compare(old, new)
        else { return nil }
        let rule: AlertRule = similarity < settings.similarityThreshold ? .binaryChange : .binaryUpdate
        let verb =
            rule == .binaryChange
            ? "changed (similarity \(similarity) < threshold \(settings.similarityThreshold))"
            : "was updated (similarity \(similarity) >= threshold \(settings.similarityThreshold))"
        var fields = commonFields(record, rule: rule, identity: key, sha256: current.sha256)
        fields += [
            .init(.sha256, ByteString(current.sha256)),
            .init(.ssdeep, ByteString(current.ssdeep ?? "")),
            .init(.baselineSha256, ByteString(baseline.sha256)),
            .init(.baselineSsdeep, ByteString(old)),
            .init(.similarity, ByteString(String(similarity))),
            .init(.threshold, ByteString(String(settings.similarityThreshold))),
        ]
        return Alert(
            rule: rule, message: message(record, "executable \(key) \(verb)"),
            pid: record.pid, fields: fields, raisedAtMicroseconds: now)
    }

    private func mismatchAlert(_ record: ProcessRecord, now: UInt64) -> Alert {
        let path = record.exe ?? ""
        let key = baselineKey(record, path: path)
        var fields = commonFields(record, rule: .diskMismatch, identity: key, sha256: record.digest?.sha256)
        fields += digestFields(record.digest)
        fields.append(.init(.reason, ByteString(record.exeState.rawValue)))
        if let onDisk = record.onDiskDigest { fields.append(.init(.onDiskSha256, ByteString(onDisk.sha256))) }
        let what = record.exeState == .deleted ? "was deleted from disk" : "was replaced on disk"
        return Alert(
            rule: .diskMismatch, message: message(record, "running executable \(key) \(what)"),
            pid: record.pid, fields: fields, raisedAtMicroseconds: now)
    }

    private func memfdAlert(_ record: ProcessRecord, now: UInt64) -> Alert? {
        let name = record.memfdName ?? ""
        if Glob.matches(name, anyOf: settings.memfdAllow) { return nil }
        let key = BaselineKey(root: nil, path: ByteString("memfd:".utf8 + name.bytes))
        var fields = commonFields(record, rule: .memfdExec, identity: key, sha256: record.digest?.sha256)
        fields += digestFields(record.digest)
        fields.append(.init(.memfdName, name))
        return Alert(
            rule: .memfdExec, message: message(record, "executing from anonymous memfd \(name.escaped)"),
            pid: record.pid, fields: fields, raisedAtMicroseconds: now)
    }

    private func degradedAlert(_ record: ProcessRecord, digest: ImageDigest, now: UInt64) -> Alert {
        let key = baselineKey(record, path: record.exe ?? "")
        var fields = commonFields(record, rule: .coverageDegraded, identity: key, sha256: digest.sha256)
        fields += digestFields(digest)
        fields.append(.init(.reason, "ssdeep_failed"))
        return Alert(
            rule: .coverageDegraded,
            message: message(record, "ssdeep failed for \(key); only SHA-256 is compared"),
            pid: record.pid, fields: fields, raisedAtMicroseconds: now)
    }

    private func commonFields(_ record: ProcessRecord, rule: AlertRule, identity: BaselineKey, sha256: String?)
        -> [Alert.Field]
    {
        var fields: [Alert.Field] = [
            .init(.dedupKey, ByteString(Self.dedupKey(rule: rule, identity: identity, sha256: sha256))),
            .init(.pid, ByteString(String(record.pid))),
        ]
        if let uid = record.uid { fields.append(.init(.uid, ByteString(String(uid)))) }
        if let comm = record.comm { fields.append(.init(.comm, comm)) }
        if let exe = record.exe { fields.append(.init(.exe, exe)) }
        fields.append(.init(.exeState, ByteString(record.exeState.rawValue)))
        return fields
    }

    private func digestFields(_ digest: ImageDigest?) -> [Alert.Field] {
        guard let digest else { return [] }
        var fields: [Alert.Field] = [.init(.sha256, ByteString(digest.sha256))]
        if let ssdeep = digest.ssdeep { fields.append(.init(.ssdeep, ByteString(ssdeep))) }
        return fields
    }

    private func message(_ record: ProcessRecord, _ text: String) -> ByteString {
        ByteString("\(record.comm?.escaped ?? "?")[\(record.pid)]: \(text)")
    }

    /// rule + executable identity (baseline key + SHA-256), hashed to 32 hex
    /// digits so the key is short and safe whatever bytes the path holds.
    public static func dedupKey(rule: AlertRule, identity: BaselineKey, sha256: String?) -> String {
        let material = Array(rule.rawValue.utf8) + [0] + identity.identityBytes + [0] + Array((sha256 ?? "").utf8)
        guard let hasher = SHA256Hasher() else { return rule.rawValue }
        material.withUnsafeBytes { _ = hasher.update($0) }
        return String((hasher.finishHex() ?? "").prefix(32))
    }
}
