/// Which bus the daemon registers on (`--bus`).
public enum BusKind: String, Sendable, CaseIterable {
    case system
    case user
    case none
}
