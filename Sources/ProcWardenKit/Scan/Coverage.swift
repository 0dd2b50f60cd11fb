/// Whether the scan could inspect every process.
public enum Coverage: String, Sendable, Codable {
    case full
    case partial
}
