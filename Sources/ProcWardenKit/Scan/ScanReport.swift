/// One scan's results: the summary, one record per process and the files
/// at the mapped objects' paths.
public struct ScanReport: Sendable {
    public var summary: ScanSummary
    public var processes: [ProcessRecord]
    /// Each mapped object's file as the scan found it, by root, path and
    /// mapping (kept apart from the records: a library mapped by every
    /// process has one entry, not one per process).
    public var objectFiles: [ObjectFile.Key: ObjectFile]
    /// Each root's /etc/ld.so.preload, in scan order.
    public var rootPreloads: [RootPreload]
    /// The processes that need a restart to run what their packages
    /// installed; filled in when the rules evaluate the scan.
    public var restartNeeded: [RestartNeeded] = []
    /// A targeted scan or new-process pass (SPEC §15): only some processes,
    /// not a scan in the sense of §8 (no ScanCompleted, no summary entry).
    public var isTargeted = false

    public init(
        summary: ScanSummary, processes: [ProcessRecord], objectFiles: [ObjectFile.Key: ObjectFile] = [:],
        rootPreloads: [RootPreload] = []
    ) {
        self.summary = summary
        self.processes = processes
        self.objectFiles = objectFiles
        self.rootPreloads = rootPreloads
    }
}

extension ScanReport {
    /// The report with every live process's unit, container and root read
    /// (for `--once --json`; a scan does not read them).
    public func withContext(_ reader: ProcessContextReader) -> ScanReport {
        var copy = self
        for i in copy.processes.indices where copy.processes[i].context == nil && copy.processes[i].exeState != .hidden
        {
            copy.processes[i].context = reader.read(copy.processes[i])
        }
        return copy
    }

    /// The `--once --json` report, plus any extra top-level members (alerts);
    /// `settings` judge which mapped objects are untrusted.
    public func json(extra: [(String, JSONValue)] = [], settings: RuleSettings = RuleSettings()) -> JSONValue {
        .object(
            [
                (ReportKey.summary, summary.json),
                (
                    ReportKey.processes,
                    .array(processes.map { $0.json(settings: settings, objectFiles: objectFiles) })
                ),
            ] + extra)
    }
}

extension ScanReport {
    /// The human inventory: one row per process, then the summary line.
    /// Names and paths are escaped, so hostile bytes cannot forge rows. A
    /// row whose mapped libraries have findings under `settings` ends with
    /// a marker counting them.
    public func table(settings: RuleSettings = RuleSettings()) -> String {
        var lines = [pad("PID", 8) + pad("COMM", 17) + pad("STATE", 13) + pad("SHA256", 14) + "EXE"]
        for p in processes.sorted(by: { $0.pid < $1.pid }) {
            let digest =
                p.digest.map { String($0.sha256.prefix(12)) } ?? (p.unhashedReason.map { "(\($0.rawValue))" } ?? "-")
            lines.append(
                pad(String(p.pid), 8) + pad(p.comm?.escaped ?? "?", 17) + pad(p.exeState.rawValue, 13)
                    + pad(digest, 14) + (p.exe?.escaped ?? "-")
                    + marker(p.librariesMarker(settings: settings, objectFiles: objectFiles)))
        }
        lines.append("")
        lines.append(summary.line)
        return lines.joined(separator: "\n")
    }

    private func marker(_ text: String) -> String { text.isEmpty ? "" : "  " + text }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width - 1 ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
