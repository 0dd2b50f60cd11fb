/// One process that still runs an executable or maps a library its package
/// has since upgraded (the bus's `ListRestartNeeded`, `procwardenctl
/// needs-restart`).
public struct RestartNeeded: Sendable, Equatable {
    public var pid: Int32
    public var comm: ByteString?
    /// The innermost systemd unit or scope, when known.
    public var unit: ByteString?
    /// The executable's or the library's path.
    public var path: ByteString
    public var object: ObjectKind
    public var package: String
    public var version: String
    /// The version the process still runs.
    public var oldVersion: String

    public init(
        pid: Int32, comm: ByteString?, unit: ByteString? = nil, path: ByteString, object: ObjectKind, package: String,
        version: String, oldVersion: String
    ) {
        self.pid = pid
        self.comm = comm
        self.unit = unit
        self.path = path
        self.object = object
        self.package = package
        self.version = version
        self.oldVersion = oldVersion
    }
}

extension RulesEngine {
    /// Every process of `report` that runs or maps what its package
    /// upgraded, by the rules of integrity.restart_needed, one entry per
    /// process and path, in record order.
    public func restartNeeded(_ report: ScanReport, baselines: BaselineStore) -> [RestartNeeded] {
        var entries: [RestartNeeded] = []
        for record in report.processes where record.unhashedReason != .ignored {
            if record.exeState == .deleted || record.exeState == .replaced, let path = record.exe,
                let (verdict, old) = Self.exeUpgrade(record, baselines: baselines)
            {
                entries.append(
                    RestartNeeded(
                        pid: record.pid, comm: record.comm, path: path, object: .executable, package: verdict.package,
                        version: verdict.version, oldVersion: old))
            }
            for object in record.objects
            where object.kind == .library && (object.state == .deleted || object.state == .replaced) {
                let file = object.fileKey.flatMap { report.objectFiles[$0] }
                let key = BaselineKey(root: object.keyRoot, path: object.path)
                guard let (verdict, old) = Self.objectUpgrade(file, key: key, baselines: baselines) else { continue }
                entries.append(
                    RestartNeeded(
                        pid: record.pid, comm: record.comm, path: object.path, object: .library,
                        package: verdict.package, version: verdict.version, oldVersion: old))
            }
        }
        return entries
    }
}
