// JSONEncoder/JSONDecoder/Data only: FoundationEssentials has them without
// ICU (ArgumentParser links it anyway), and its JSON coder is the one
// Foundation re-exports, so files are byte-for-byte what they were.
import FoundationEssentials
import Glibc

/// Loads and saves `MonitorState` as `state.json` in the state directory.
public struct StateStore: Sendable {
    public static let fileName = "state.json"
    /// Refused beyond this: 10 million baselines (the MaxBaselines ceiling) fit.
    public static let maxFileSize = 4 << 30
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var path: String { "\(directory)/\(Self.fileName)" }

    /// The result of loading: the state, and a warning when a bad file was
    /// moved aside (the caller logs it as a warning entry).
    public struct Loaded: Sendable {
        public var state: MonitorState
        public var warning: String?
    }

    /// Reads the state. A missing file is a fresh start; a corrupt or
    /// unknown-version file is moved aside as `state.json.corrupt-<time>` and
    /// the daemon starts with empty baselines. Never throws for content.
    public func load() throws(SystemError) -> Loaded {
        DurableFile.removeLeftovers(of: path)
        guard let bytes = try DurableFile.read(path, limit: Self.maxFileSize) else {
            return Loaded(state: MonitorState())
        }
        do {
            let state = try JSONDecoder().decode(MonitorState.self, from: Data(bytes))
            return Loaded(state: state)
        } catch {
            let reason = Self.describe(error)
            let moved = try DurableFile.moveAside(path)
            return Loaded(
                state: MonitorState(),
                warning:
                    "state file \(path) is unreadable (\(reason)); moved aside to \(moved), starting with empty baselines"
            )
        }
    }

    public func save(_ state: MonitorState) throws(SystemError) {
        let data: Data
        do {
            data = try JSONEncoder().encode(state)
        } catch {
            // Encoding plain values cannot fail; treat it as an I/O failure if it does.
            throw SystemError("encode state", errno: EINVAL)
        }
        try DurableFile.write(Array(data), to: path)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): c.debugDescription
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c): c.debugDescription
        default: "\(error)"
        }
    }
}
