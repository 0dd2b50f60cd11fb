import ArgumentParser
import Glibc
import Logging
import ProcWardenKit

@main
struct Procwardend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procwardend",
        abstract: "Watch the executables of running processes for integrity problems.",
        version: ProcWarden.version
    )

    @Flag(help: "Scan once, print the inventory table and summary, and exit.")
    var once = false

    @Flag(help: "With --once, print the report as JSON.")
    var json = false

    func validate() throws {
        if json && !once { throw ValidationError("--json requires --once") }
        if !once { throw ValidationError("this build only scans with --once; the daemon loop is not built yet") }
    }

    func run() throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "procwardend")
        logger.logLevel = .notice
        let scanner = Scanner(logger: logger)
        let report = scanner.scan()
        let output = json ? report.json().text : report.table()
        print(output)
    }
}
