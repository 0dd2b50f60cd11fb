import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `list`: ListExecutables(), the inventory of the last scan.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the running executables of the last scan: state, process count, size, digests, path.",
        discussion: "One row per image and path, sorted by path. Needs root."
    )

    @OptionGroup var bus: BusOptions

    @Option(help: ArgumentHelp("Only executables in this state.", valueName: "state"))
    var state: ExeState?

    @Flag(
        help:
            "Print one JSON array of objects (path, size, sha256, ssdeep, exe_state, on_disk_sha256, degraded, process_count)."
    )
    var json = false

    func run() throws {
        let all = try bus.perform { (client) throws(BusClient.Failure) in try client.listExecutables() }
        let shown = all.filter { state == nil || $0.state == state!.rawValue }
        if json {
            Output.json(.array(shown.map(\.json)))
            return
        }
        var rows = [["STATE", "PROCS", "SIZE", "SHA256", "SSDEEP", "PATH"]]
        for e in shown {
            rows.append([
                e.state, String(e.processCount), Output.size(e.size),
                e.sha256.isEmpty ? "-" : String(e.sha256.prefix(12)),
                e.degraded ? "failed" : (e.ssdeep.isEmpty ? "-" : "ok"),
                e.path.controlCharactersEscaped,
            ])
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            var line = ""
            for column in 0..<5 {
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // Numbers align right, words left.
                line += (column == 1 || column == 2 ? padding + cell : cell + padding) + "  "
            }
            Output.line(line + row[5])
        }
        Output.line("")
        Output.line("\(shown.count) \(shown.count == 1 ? "executable" : "executables") listed.")
    }
}
