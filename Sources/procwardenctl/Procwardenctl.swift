import ArgumentParser
import ProcWardenKit

/// procwardenctl: systemd-style verbs over org.procwarden.Monitor1, and the
/// alerts read back from the journal. Every failure is one line on stderr.
@main
struct Procwardenctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procwardenctl",
        abstract: "Control procwardend and read its alerts back from the journal.",
        discussion: """
            Talks to procwardend over D-Bus (org.procwarden.Monitor1) on the system bus, or on the \
            session bus with --user. Changing anything and listing the inventory need root; status, \
            threshold and alerts do not. See procwardenctl(1).
            """,
        version: ProcWarden.version,
        subcommands: [
            Status.self, Rescan.self, List.self, NeedsRestart.self, Threshold.self, SetThreshold.self, Reload.self,
            ResetBaseline.self, Alerts.self, Completions.self,
        ],
        defaultSubcommand: Status.self
    )

    @OptionGroup var bus: BusOptions

    /// Parses and runs, then turns every error into one `procwardenctl: …`
    /// line and an exit status; help and --version print as usual.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CtlFailure {
            failure.exit()
        } catch let code as ArgumentParser.ExitCode {
            exit(withError: code)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            CtlFailure(message(for: error), exitCode: code.rawValue).exit()
        }
    }
}
