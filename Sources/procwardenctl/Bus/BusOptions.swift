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
