import ArgumentParser
import ProcWardenKit
import ProcWardenSystemd

/// `set-threshold N [--runtime]`: SetSimilarityThreshold(N, runtime).
struct SetThreshold: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-threshold",
        abstract: "Change the similarity threshold.",
        discussion: """
            The value persists in the state directory and overrides SimilarityThreshold= in \
            procwarden.conf, until changed again. Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    @Argument(
        help: ArgumentHelp("The new threshold, \(Self.range.lowerBound)-\(Self.range.upperBound).", valueName: "N"))
    var threshold: String

    @Flag(help: "Keep the change only until procwardend restarts.")
    var runtime = false

    static let range = SimilarityThreshold.range

    func validate() throws {
        guard let n = Int(threshold), Self.range.contains(n) else {
            throw ValidationError(
                "invalid threshold '\(threshold)'; use a whole number from "
                    + "\(Self.range.lowerBound) to \(Self.range.upperBound)")
        }
    }

    func run() throws {
        let value = UInt32(threshold)!
        try bus.perform { (client) throws(BusClient.Failure) in
            try client.setSimilarityThreshold(value, runtime: runtime)
        }
    }
}
