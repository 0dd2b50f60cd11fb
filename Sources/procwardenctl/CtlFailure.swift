import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// A failure as procwardenctl reports it: one line on stderr,
/// `procwardenctl: <what happened>; <what to do>`, and an exit status.
struct CtlFailure: Error {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitCode.failure.code) {
        self.message = message
        self.exitCode = exitCode
    }

    init(_ message: String, status: ExitCode) {
        self.init(message, exitCode: status.code)
    }

    static func invalid(_ message: String) -> CtlFailure { CtlFailure(message, status: .usage) }

    /// A failed bus call, worded for the bus it was made on.
    init(_ failure: BusClient.Failure, bus: BusChoice) {
        switch failure {
        case .busUnavailable(let reason):
            self.init(
                bus == .user
                    ? "cannot connect to the user bus (\(reason)); run it inside a user session, or set DBUS_SESSION_BUS_ADDRESS"
                    : "cannot connect to the system bus (\(reason)); check that dbus is running",
                status: .unavailable)
        case .notRunning:
            self.init(
                bus == .user
                    ? "procwardend is not running on the user bus; start it with procwardend --bus user"
                    : "procwardend is not running; start it with systemctl start procwarden",
                status: .unavailable)
        case .accessDenied:
            self.init("access denied; run as root", status: .permission)
        case .invalidThreshold(let message):
            self.init(
                "\(message); use a value from \(SimilarityThreshold.range.lowerBound) to \(SimilarityThreshold.range.upperBound)",
                status: .usage)
        case .notFound(let message):
            self.init("\(message); see procwardenctl list for the executables procwardend knows", status: .failure)
        case .invalidConfig(let message):
            self.init("configuration rejected, the running one stays: \(message)", status: .configuration)
        case .invalidArgument(let message):
            self.init("procwardend cannot use the argument: \(message)", status: .usage)
        case .other(let name, let message):
            self.init("\(name): \(message)", status: .failure)
        }
    }

    /// Prints the line and exits. A multi-line message from elsewhere (the
    /// daemon, the parser) is folded into one: lines joined with `; `, and a
    /// `- item` list joined with `, ` after its heading.
    func exit() -> Never {
        var folded = ""
        for raw in message.split(whereSeparator: \.isNewline) {
            let line = raw.drop { $0 == " " }
            guard !line.isEmpty else { continue }
            if line.hasPrefix("- ") {
                folded += (folded.hasSuffix(":") ? " " : ", ") + line.dropFirst(2)
            } else {
                folded += (folded.isEmpty ? "" : "; ") + line
            }
        }
        let text = "procwardenctl: \(folded)\n"
        fflush(nil)
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        Glibc.exit(exitCode)
    }
}
