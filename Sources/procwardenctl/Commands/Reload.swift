import ArgumentParser
import ProcWardenSystemd

/// `reload`: Reload(), the same as SIGHUP or systemctl reload procwarden.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make procwardend re-read its configuration.",
        discussion: """
            A bad file is rejected with its file:line error and the running configuration stays \
            (exit status 78). Needs root.
            """
    )

    @OptionGroup var bus: BusOptions

    func run() throws {
        try bus.perform { (client) throws(BusClient.Failure) in try client.reload() }
    }
}
