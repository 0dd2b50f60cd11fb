import ArgumentParser
import ProcWardenKit

@main
struct Procwardenctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procwardenctl",
        abstract: "Control the procwarden daemon.",
        version: ProcWarden.version
    )
}
