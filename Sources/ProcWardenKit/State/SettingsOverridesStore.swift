// JSONEncoder/JSONDecoder/Data only: FoundationEssentials has them without
// ICU (ArgumentParser links it anyway), and its JSON coder is the one
// Foundation re-exports, so files are byte-for-byte what they were.
import FoundationEssentials
import Glibc

/// The D-Bus overrides of one daemon: those persisted in
/// `<state directory>/settings.json`, and runtime ones kept in memory only.
///
/// The latest change of a setting wins: a runtime change shadows the
/// persisted value until restart, and a persistent change also clears a
/// runtime one for the same setting.
public struct SettingsOverridesStore: Sendable {
    public static let fileName = "settings.json"

    /// `<state directory>/settings.json`.
    public let path: String
    /// What the file holds, and what the next start will apply.
    public private(set) var persisted: SettingsOverrides
    /// Changes made with the `runtime` flag; lost on restart.
    public private(set) var runtime = SettingsOverrides()

    /// What applies now: runtime changes over persisted ones.
    public var effective: SettingsOverrides { persisted.overlaid(by: runtime) }

    /// Reads the persisted overrides from `stateDirectory`. A missing file
    /// means none. A file that is not valid JSON, has an unknown version or
    /// holds an invalid value is renamed to `settings.json.corrupt-<unix time>`
    /// and treated as empty; the returned warning says so, for the caller
    /// to log. Throws only when the file exists but cannot be read.
    public static func load(stateDirectory: String, now: Int = Int(time(nil))) throws(SystemError)
        -> (store: SettingsOverridesStore, warning: String?)
    {
        let path = stateDirectory + "/" + fileName
        let bytes: [UInt8]?
        var problem: String?
        do {
            bytes = try DurableFile.read(path)
        } catch  where error.errno == EFBIG {
            bytes = nil
            problem = "larger than 1 MiB"
        }
        var persisted = SettingsOverrides()
        if let bytes {
            do {
                persisted = try JSONDecoder().decode(SettingsOverrides.self, from: Data(bytes))
            } catch let error as DecodingError {
                problem = Self.explain(error)
            } catch {
                problem = "\(error)"
            }
        }
        let store = SettingsOverridesStore(path: path, persisted: persisted)
        guard let problem else { return (store, nil) }
        let fate: String
        do {
            fate = "moved aside to \(try DurableFile.moveAside(path, now: now))"
        } catch {
            fate = "could not be moved aside (\(error))"
        }
        return (
            store, "settings file \(path) is unusable (\(problem)); it \(fate); starting without persisted overrides"
        )
    }

    /// `SetSimilarityThreshold`. Throws `ConfigError` for a value outside
    /// 1–99 and `SystemError` when the file cannot be written; in both cases
    /// nothing changes. A persistent change is on disk (see
    /// `DurableFile.write`) before it takes effect.
    public mutating func setSimilarityThreshold(_ threshold: Int, runtime: Bool) throws {
        do {
            try ConfigKey.similarityThreshold.validate(threshold)
        } catch {
            throw ConfigError(path: nil, problem: error)
        }
        if runtime {
            self.runtime.similarityThreshold = threshold
            return
        }
        var next = persisted
        next.similarityThreshold = threshold
        try save(next)
        persisted = next
        self.runtime.similarityThreshold = nil
    }

    /// `configuration` with the effective overrides applied.
    public func applied(to configuration: Configuration) -> Configuration {
        effective.applied(to: configuration)
    }

    private init(path: String, persisted: SettingsOverrides) {
        self.path = path
        self.persisted = persisted
    }

    private func save(_ overrides: SettingsOverrides) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        var bytes = Array(try encoder.encode(overrides))
        bytes.append(UInt8(ascii: "\n"))
        try DurableFile.write(bytes, to: path)
    }

    private static func explain(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "not valid JSON"
        case .dataCorrupted(let context):
            return context.debugDescription
        case .keyNotFound(let key, let context):
            return "missing \(key.stringValue)" + at(context.codingPath)
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type" + at(context.codingPath)
        @unknown default:
            return "\(error)"
        }
    }
}
