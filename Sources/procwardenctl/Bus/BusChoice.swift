import ArgumentParser

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
