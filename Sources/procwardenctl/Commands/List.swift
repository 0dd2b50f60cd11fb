import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `list`: ListExecutables(), the inventory of the last scan; with
/// `--libraries`, ListObjects(), the mapped objects.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the running executables of the last scan: state, process count, size, digests, path.",
        discussion: """
            One row per image and path, sorted by path. With --libraries, the shared objects the processes \
            map executable instead (one row per object file, state and root). Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    @Option(
        help: ArgumentHelp(
            "Only rows in this state (exe_state, or object_state with --libraries).", valueName: "state"),
        completion: .list(Array(Set(ExeState.allCases.map(\.rawValue) + ObjectState.allCases.map(\.rawValue))).sorted())
    )
    var state: String?

    @Flag(help: "List the mapped shared objects (ListObjects) instead of the executables.")
    var libraries = false

    @Flag(
        help: """
            Print one JSON array of objects (path, size, sha256, ssdeep, exe_state, on_disk_sha256, degraded, \
            process_count; with --libraries path, object_state, size, sha256, package, package_verified, process_count).
            """
    )
    var json = false

    func validate() throws {
        guard let state else { return }
        let valid = libraries ? ObjectState.allCases.map(\.rawValue) : ExeState.allCases.map(\.rawValue)
        guard valid.contains(state) else {
            throw ValidationError("invalid state '\(state)'; valid: \(valid.joined(separator: ", "))")
        }
    }

    func run() throws {
        if libraries {
            let all = try bus.perform { (client) throws(BusClient.Failure) in try client.listObjects() }
            let shown = all.filter { state == nil || $0.state == state }
            if json { return Output.json(.array(shown.map(\.json))) }
            var rows = [["STATE", "PROCS", "SIZE", "SHA256", "PACKAGE", "PATH"]]
            for o in shown {
                let package =
                    o.package.isEmpty
                    ? "-" : o.package + (o.packageVerified == BusNames.Verified.no ? " (differs)" : "")
                rows.append([
                    o.state, String(o.processCount), o.size == 0 ? "-" : Output.size(o.size),
                    o.sha256.isEmpty ? "-" : String(o.sha256.prefix(12)), package, o.path.controlCharactersEscaped,
                ])
            }
            Self.print(rows, rightAligned: [1, 2])
            Output.line("")
            Output.line("\(shown.count) \(shown.count == 1 ? "object" : "objects") listed.")
            return
        }
        let all = try bus.perform { (client) throws(BusClient.Failure) in try client.listExecutables() }
        let shown = all.filter { state == nil || $0.state == state }
        if json { return Output.json(.array(shown.map(\.json))) }
        var rows = [["STATE", "PROCS", "SIZE", "SHA256", "SSDEEP", "PATH"]]
        for e in shown {
            rows.append([
                e.state, String(e.processCount), Output.size(e.size),
                e.sha256.isEmpty ? "-" : String(e.sha256.prefix(12)),
                e.degraded ? "failed" : (e.ssdeep.isEmpty ? "-" : "ok"),
                e.path.controlCharactersEscaped,
            ])
        }
        Self.print(rows, rightAligned: [1, 2])
        Output.line("")
        Output.line("\(shown.count) \(shown.count == 1 ? "executable" : "executables") listed.")
    }

    /// Columns padded to their widest cell (numbers right, words left);
    /// the last column, the path, is not padded.
    static func print(_ rows: [[String]], rightAligned: Set<Int>) {
        guard let columns = rows.first?.count, columns > 0 else { return }
        let widths = (0..<columns - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for column in 0..<columns - 1 {
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                line += (rightAligned.contains(column) ? padding + cell : cell + padding) + "  "
            }
            Output.line(line + row[columns - 1])
        }
    }
}
