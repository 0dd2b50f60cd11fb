/// MESSAGE_IDs of the daemon's operational entries, which are not alerts.
public enum OperationalMessage: String, Sendable, CaseIterable {
    case suppressed = "b60f2af80cbf468eacdfbaeff74617ae"
    case scanCompleted = "5f1e5cf51ee64e26b44f1b6444ed69ba"
    case started = "45783e68828d45ab9e9a4b6c5a7067f2"
    /// A backlog held because journald did not take entries has drained.
    case deliveredLate = "a2fceb3070724534a75801972e432038"

    public var messageID: String { rawValue }

    public var priority: Int {
        switch self {
        case .suppressed: 4
        case .scanCompleted: 6
        case .started: 5
        case .deliveredLate: 5
        }
    }
}
