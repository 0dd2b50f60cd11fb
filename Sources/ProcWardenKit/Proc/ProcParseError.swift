/// A /proc file that did not have the shape proc(5) documents.
public enum ProcParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(file: String)
    case malformed(file: String, detail: String)

    public var description: String {
        switch self {
        case .truncated(let file): "/proc/<pid>/\(file) is truncated"
        case .malformed(let file, let detail): "/proc/<pid>/\(file) is malformed: \(detail)"
        }
    }
}
