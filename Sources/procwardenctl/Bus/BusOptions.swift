import ArgumentParser
import ProcWardenSystemd

/// The global bus options, accepted before or after the verb.
struct BusOptions: ParsableArguments {
    @Flag var bus: BusChoice = .system

    /// Connects to the chosen bus and runs `body`; any bus failure becomes
    /// its one-line `CtlFailure`.
    func perform<T>(_ body: (BusClient) throws(BusClient.Failure) -> T) throws(CtlFailure) -> T {
        do {
            let client = try BusClient(user: bus == .user)
            return try body(client)
        } catch {
            throw CtlFailure(error, bus: bus)
        }
    }
}

/// `--system` (default) or `--user`: which bus procwardend is on.
enum BusChoice: String, EnumerableFlag {
    case system
    case user

    static func help(for value: BusChoice) -> ArgumentHelp? {
        switch value {
        case .system: "Talk to procwardend on the system bus."
        case .user: "Talk to procwardend on the user's session bus (procwardend --bus user)."
        }
    }
}
