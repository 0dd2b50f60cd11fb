import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `rescan`: Rescan(), which replies when the scan that serves it ends.
struct Rescan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trigger a scan, wait for it to finish and print its summary.",
        discussion: "Requests that arrive while a scan runs share one scan. Needs root."
    )

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print the summary as one JSON object (scan_id and the summary keys of procwardend --once --json).")
    var json = false

    func run() throws {
        let s = try bus.perform { (client) throws(BusClient.Failure) in try client.rescan() }
        if json {
            typealias K = ReportKey.Summary
            Output.json(
                .object([
                    (K.scanID, .uint(s.scanID)),
                    (K.processes, .uint(UInt64(s.processes))),
                    (K.executables, .uint(UInt64(s.executables))),
                    (K.hashed, .uint(UInt64(s.hashed))),
                    (K.cacheHits, .uint(UInt64(s.cacheHits))),
                    (K.alerts, .uint(UInt64(s.alerts))),
                    (K.suppressed, .uint(UInt64(s.suppressed))),
                    (K.durationUsec, .uint(s.durationMicroseconds)),
                ]))
            return
        }
        Output.line(
            "Scan \(s.scanID) finished in \(Formatting.span(microseconds: s.durationMicroseconds)): "
                + "\(s.processes) processes, \(s.executables) executables, \(s.hashed) hashed, "
                + "\(s.cacheHits) cache hits, \(s.alerts) alerts, \(s.suppressed) suppressed")
    }
}
