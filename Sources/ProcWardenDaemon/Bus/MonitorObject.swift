import ProcWardenKit
import ProcWardenSystemd

/// The handlers of org.procwarden.Monitor1 (SPEC §9). Each method runs in
/// the order parse → validate → authorize → act → emit; errors are the
/// named D-Bus errors of `BusError`. Signals and PropertiesChanged follow
/// what the daemon reports through `scanCompleted`, `alertDelivered` and
/// `settingsChanged`.
final class MonitorObject: MonitorObjectHandlers, MonitorEvents {
    private unowned let control: any MonitorControl
    private let connection: BusConnection
    /// Values last announced, to emit PropertiesChanged only when they move.
    private var lastThreshold: Int
    private var lastInterval: Duration

    init(control: any MonitorControl, connection: BusConnection) {
        self.control = control
        self.connection = connection
        let status = control.status
        lastThreshold = status.similarityThreshold
        lastInterval = status.scanInterval
    }

    // MARK: - Methods

    func rescan(_ call: BusCall) throws(BusError) {
        try call.requireRoot()
        let pending = call.deferReply()
        control.rescan { [weak self] s in
            do throws(BusError) {
                try pending.reply { r throws(BusError) in
                    try r.open("r", BusNames.Signature.scanSummaryContents)
                    try r.append(s.scanID)
                    for n in [s.processes, s.executables, s.hashed, s.cacheHits, s.alerts, s.suppressed] {
                        try r.append(UInt32(clamping: n))
                    }
                    try r.append(s.durationMicroseconds)
                    try r.close()
                }
            } catch {
                self?.replyFailed(BusNames.Method.rescan, error)
            }
        }
        emitPropertiesChanged([.state])
    }

    func setSimilarityThreshold(_ call: BusCall) throws(BusError) {
        let value = try call.arguments.readUInt32()
        let runtime = try call.arguments.readBool()
        guard SimilarityThreshold.range.contains(Int(value)) else {
            throw .invalidThreshold("threshold \(value) is out of range (valid: \(SimilarityThreshold.validValues))")
        }
        try call.requireRoot()
        do {
            try control.setSimilarityThreshold(Int(value), runtime: runtime)
        } catch {
            throw .failed("cannot change the threshold: \(error)")
        }
        try call.reply()
        emitPropertiesChanged(changedSettings)
    }

    func reload(_ call: BusCall) throws(BusError) {
        try call.requireRoot()
        do {
            try control.reload()
        } catch {
            throw .invalidConfig(error.description)
        }
        try call.reply()
        emitPropertiesChanged(changedSettings)
    }

    func resetBaseline(_ call: BusCall) throws(BusError) {
        let path = try call.arguments.readString()
        guard path.hasPrefix("/") else { throw .notFound("'\(BusError.quoting(path))' is not an absolute path") }
        try call.requireRoot()
        guard control.resetBaseline(path: ByteString(path)) else {
            throw .notFound("no baseline for \(BusError.quoting(path))")
        }
        try call.reply()
    }

    func listExecutables(_ call: BusCall) throws(BusError) {
        try call.requireRoot()
        let executables = control.executables
        try call.reply { r throws(BusError) in
            try r.open("a", BusNames.Signature.executable)
            for e in executables {
                try r.open("r", BusNames.Signature.executableContents)
                try r.append(e.path)
                try r.append(e.size)
                try r.append(e.sha256 ?? "")
                try r.append(e.ssdeep ?? "")
                try r.append(e.state.rawValue)
                try r.append(e.onDiskSha256 ?? "")
                try r.append(e.degraded)
                try r.append(UInt32(clamping: e.processCount))
                try r.close()
            }
            try r.close()
        }
    }

    func listObjects(_ call: BusCall) throws(BusError) {
        try call.requireRoot()
        let objects = control.objects
        try call.reply { r throws(BusError) in
            try r.open("a", BusNames.Signature.object)
            for o in objects {
                try r.open("r", BusNames.Signature.objectContents)
                try r.append(o.path)
                try r.append(o.state.rawValue)
                try r.append(o.size)
                try r.append(o.sha256 ?? "")
                try r.append(o.package ?? "")
                try r.append(o.packageVerified.map { $0 ? BusNames.Verified.yes : BusNames.Verified.no } ?? "")
                try r.append(UInt32(clamping: o.processCount))
                try r.close()
            }
            try r.close()
        }
    }

    func listRestartNeeded(_ call: BusCall) throws(BusError) {
        try call.requireRoot()
        let entries = control.restartNeeded
        try call.reply { r throws(BusError) in
            try r.open("a", BusNames.Signature.restartNeeded)
            for e in entries {
                try r.open("r", BusNames.Signature.restartNeededContents)
                try r.append(e.unit ?? "")
                try r.append(UInt32(bitPattern: e.pid))
                try r.append(e.comm ?? "")
                try r.append(e.path)
                try r.append(e.package)
                try r.close()
            }
            try r.close()
        }
    }

    // MARK: - Properties

    func property(_ property: BusNames.Property, into r: BusMessage) throws(BusError) {
        let status = control.status
        let c = status.counters
        let last = c.lastScan
        switch property {
        case .version: try r.append(ProcWarden.version)
        case .similarityThreshold: try r.append(UInt32(status.similarityThreshold))
        case .scanIntervalUSec: try r.append(status.scanInterval.microseconds)
        case .state: try r.append(status.isScanning ? BusNames.State.scanning : BusNames.State.idle)
        case .lastScanTimestamp: try r.append(last?.startedAtMicroseconds ?? 0)
        case .lastScanDurationUSec: try r.append(last?.durationMicroseconds ?? 0)
        case .processes: try r.append(UInt32(clamping: last?.processes ?? 0))
        case .executables: try r.append(UInt32(clamping: last?.executables ?? 0))
        case .bytesHashed: try r.append(c.bytesHashed)
        case .cacheHits: try r.append(c.cacheHits)
        case .ssdeepFailures: try r.append(c.ssdeepFailures)
        case .alertsRaised: try r.append(c.alertsRaised)
        case .alertsSuppressed: try r.append(c.alertsSuppressed)
        case .capabilities: try r.append(status.capabilities)
        case .coverage: try r.append(status.coverage.rawValue)
        case .watchedDirectories: try r.append(UInt32(clamping: status.watchedDirectories))
        }
    }

    // MARK: - Signals

    /// After a scan: ScanCompleted and PropertiesChanged for what moves.
    func scanCompleted(_ s: ScanSummary) {
        connection.emit(BusNames.Signal.scanCompleted) { m throws(BusError) in
            try m.append(s.scanID)
            try m.append(UInt32(clamping: s.processes))
            try m.append(UInt32(clamping: s.executables))
            try m.append(UInt32(clamping: s.alerts))
        }
        let changed: [BusNames.Property] = [
            .state, .lastScanTimestamp, .lastScanDurationUSec, .processes, .executables,
            .bytesHashed, .cacheHits, .ssdeepFailures, .alertsRaised, .alertsSuppressed, .coverage,
            .watchedDirectories,
        ]
        emitPropertiesChanged(changed + changedSettings)
    }

    func alertDelivered(_ alert: Alert) {
        connection.emit(BusNames.Signal.alertRaised) { m throws(BusError) in
            try m.append(alert.rule.rawValue)
            try m.append(alert.severity.rawValue)
            try m.append(alert[.library] ?? alert[.exe] ?? "")
            try m.append(UInt32(bitPattern: alert.pid))
            try m.append(alert.message)
        }
    }

    /// Announces settings changed outside a bus call (a SIGHUP reload).
    func settingsChanged() {
        emitPropertiesChanged(changedSettings)
    }

    func watchesChanged() {
        emitPropertiesChanged([.watchedDirectories, .coverage])
    }

    /// The settings whose value differs from the one last announced: a
    /// Reload that changes nothing, or setting the current threshold again,
    /// announces nothing.
    private var changedSettings: [BusNames.Property] {
        let status = control.status
        var changed: [BusNames.Property] = []
        if status.similarityThreshold != lastThreshold { changed.append(.similarityThreshold) }
        if status.scanInterval != lastInterval { changed.append(.scanIntervalUSec) }
        return changed
    }

    private func emitPropertiesChanged(_ properties: [BusNames.Property]) {
        guard connection.isConnected, !properties.isEmpty else { return }
        let status = control.status
        lastThreshold = status.similarityThreshold
        lastInterval = status.scanInterval
        connection.emitPropertiesChanged(properties)
    }

    private func replyFailed(_ method: String, _ error: BusError) {
        connection.logFailure("cannot reply to \(method)", error)
    }
}
