import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `status`: the daemon's properties, read by anyone.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show state, coverage, capabilities, last scan, counters and threshold (the default verb).",
        discussion: "Reads the properties of org.procwarden.Monitor1; needs no privileges."
    )

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print one JSON object whose keys are the property names in snake_case.")
    var json = false

    func run() throws {
        let values = try bus.perform { (client) throws(BusClient.Failure) in
            try BusNames.Property.allCases.map { (p) throws(BusClient.Failure) in (p, try client.property(p)) }
        }
        if json {
            Output.json(.object(values.map { ($0.0.jsonKey, $0.1.json) }))
            return
        }
        let v = Dictionary(uniqueKeysWithValues: values)
        func text(_ p: BusNames.Property) -> String { v[p].map { $0.text.controlCharactersEscaped } ?? "-" }
        func number(_ p: BusNames.Property) -> UInt64 { v[p]?.number ?? 0 }
        let lastScan =
            number(.lastScanTimestamp) == 0
            ? "never"
            : "\(JournalTime.format(number(.lastScanTimestamp))), took \(Formatting.span(microseconds: number(.lastScanDurationUSec)))"
        let coverage =
            text(.coverage) == Coverage.partial.rawValue
            ? "partial (some processes or directories could not be inspected or watched; see procwardend(8))"
            : text(.coverage)
        Output.line("procwardend \(text(.version)) on the \(bus.bus.rawValue) bus")
        Output.fields([
            ("State", text(.state)),
            ("Coverage", coverage),
            ("Capabilities", text(.capabilities).isEmpty ? "none" : text(.capabilities)),
            ("Last scan", lastScan),
            ("Scan interval", Formatting.span(microseconds: number(.scanIntervalUSec))),
            ("Threshold", text(.similarityThreshold)),
            ("Processes", text(.processes)),
            ("Executables", text(.executables)),
            ("Watched directories", text(.watchedDirectories)),
            ("Bytes hashed", "\(number(.bytesHashed)) (\(Output.size(number(.bytesHashed))))"),
            ("Cache hits", text(.cacheHits)),
            ("Ssdeep failures", text(.ssdeepFailures)),
            ("Alerts raised", text(.alertsRaised)),
            ("Alerts suppressed", text(.alertsSuppressed)),
        ])
    }
}
