import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `needs-restart`: ListRestartNeeded(), grouped by unit; exit 1 when any
/// process needs a restart (as `needrestart -b` users script on).
struct NeedsRestart: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "needs-restart",
        abstract: "List the processes, by systemd unit, that still run what a package upgrade replaced.",
        discussion: """
            From the last scan: each process that runs an executable or maps a library its package has \
            since upgraded, with the package. Exits 0 when there is none and 1 when there are some. Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print one JSON array of objects (unit, pid, comm, path, package).")
    var json = false

    func run() throws {
        let entries = try bus.perform { (client) throws(BusClient.Failure) in try client.listRestartNeeded() }
        if json {
            typealias K = ReportKey.RestartNeeded
            Output.json(
                .array(
                    entries.map {
                        .object([
                            (K.unit, $0.unit.isEmpty ? .null : .string($0.unit)), (K.pid, .uint(UInt64($0.pid))),
                            (K.comm, .string($0.comm)), (K.path, .string($0.path)), (K.package, .string($0.package)),
                        ])
                    }))
        } else if entries.isEmpty {
            Output.line("No process needs a restart.")
        } else {
            var units: [String] = []
            var byUnit: [String: [BusClient.RestartNeeded]] = [:]
            for entry in entries {
                let unit = entry.unit.isEmpty ? "(no unit)" : entry.unit
                if byUnit[unit] == nil { units.append(unit) }
                byUnit[unit, default: []].append(entry)
            }
            for unit in units {
                Output.line(unit.controlCharactersEscaped + ":")
                for e in byUnit[unit]! {
                    Output.line(
                        "  \(e.comm.controlCharactersEscaped)[\(e.pid)] \(e.path.controlCharactersEscaped) "
                            + "(\(e.package.controlCharactersEscaped))")
                }
            }
        }
        Output.flush()
        if !entries.isEmpty { throw ArgumentParser.ExitCode(ProcWardenKit.ExitCode.failure.code) }
    }
}
