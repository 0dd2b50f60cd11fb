import ArgumentParser
import ProcWardenSystemd

/// `reset-baseline PATH`: ResetBaseline(PATH).
struct ResetBaseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-baseline",
        abstract: "Accept the current image of an executable as its new baseline.",
        discussion: """
            After a legitimate change that alerted, the next scans compare against the image that \
            runs now. PATH is the executable's path as procwardenctl list shows it. Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    @Argument(help: ArgumentHelp("Absolute path of a running executable.", valueName: "path"))
    var path: String

    func validate() throws {
        guard path.hasPrefix("/") else {
            throw ValidationError("invalid path '\(path)'; give the absolute path of a running executable")
        }
    }

    func run() throws {
        try bus.perform { (client) throws(BusClient.Failure) in try client.resetBaseline(path: path) }
    }
}
