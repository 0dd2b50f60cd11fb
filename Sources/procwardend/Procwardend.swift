import ArgumentParser
import Glibc
import Logging
import ProcWardenDaemon
import ProcWardenKit
import ProcWardenSystemd

@main
struct Procwardend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procwardend",
        abstract: "Watch the executables of running processes for integrity problems.",
        discussion: "Runs as a systemd service (Type=notify); see procwardend(8).",
        version: ProcWarden.version
    )

    @Option(name: .customLong("config"), help: ArgumentHelp("Main configuration file.", valueName: "path"))
    var configPath: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp("State directory (default: $STATE_DIRECTORY, else /var/lib/procwarden).", valueName: "path"))
    var stateDirectory: String?

    @Flag(
        help:
            "Scan once, print the inventory and summary, emit alerts, exit (\(ProcWardenKit.ExitCode.failure.code) if a high-severity alert was raised)."
    )
    var once = false

    @Flag(help: "With --once, print the report as JSON.")
    var json = false

    @Option(help: ArgumentHelp("Bus to register on: system, user or none.", valueName: "bus"))
    var bus: BusKind = .system

    @Option(help: ArgumentHelp("Where alerts go: auto, yes or no.", valueName: "mode"))
    var journal: JournalMode = .auto

    @Option(
        help: ArgumentHelp(
            "When started as root, switch to this user after keeping the two capabilities.", valueName: "name"))
    var user: String?

    @Flag(
        help:
            "Validate the configuration and exit (\(ProcWardenKit.ExitCode.success.code), or \(ProcWardenKit.ExitCode.configuration.code) when invalid)."
    )
    var checkConfig = false

    func validate() throws {
        if json && !once { throw ValidationError("--json requires --once") }
    }

    func run() throws {
        var options = DaemonOptions()
        options.configPath = configPath
        options.stateDirectory = stateDirectory
        options.bus = bus
        options.journal = journal
        options.user = user
        let socket = JournalSocket()
        LoggingSystem.bootstrap { [journal] _ in JournalLogHandler(mode: journal, socket: socket) }
        var logger = Logger(label: "procwardend")
        logger.logLevel = once ? .warning : .notice

        let code: Int32
        if checkConfig {
            code = ConfigCheck(options: options).run()
        } else if once {
            code = OnceRun(options: options, json: json, logger: logger).run()
        } else {
            code = Daemon(options: options, logger: logger).run()
        }
        if code != ProcWardenKit.ExitCode.success.code { throw ArgumentParser.ExitCode(code) }
    }
}
