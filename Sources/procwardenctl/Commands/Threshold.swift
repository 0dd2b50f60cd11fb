import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `threshold`: the SimilarityThreshold property.
struct Threshold: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show the similarity threshold (ssdeep score, \(SimilarityThreshold.range.lowerBound)-\(SimilarityThreshold.range.upperBound)) below which a changed binary alerts.",
        discussion: "Reads the SimilarityThreshold property; needs no privileges."
    )

    @OptionGroup var bus: BusOptions

    @Flag(help: "Print {\"similarity_threshold\": N}.")
    var json = false

    func run() throws {
        let value = try bus.perform { (client) throws(BusClient.Failure) in try client.property(.similarityThreshold) }
        if json {
            Output.json(.object([(BusNames.Property.similarityThreshold.jsonKey, value.json)]))
        } else {
            Output.line(value.text)
        }
    }
}
