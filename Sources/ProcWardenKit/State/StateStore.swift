// JSONEncoder/JSONDecoder/Data only: FoundationEssentials has them without
// ICU (ArgumentParser links it anyway), and its JSON coder is the one
// Foundation re-exports, so files are byte-for-byte what they were.
import FoundationEssentials
import Glibc

/// Loads and saves `MonitorState` as `state.json` in the state directory.
public struct StateStore: Sendable {
    public static let fileName = "state.json"
    /// A larger file is refused like a corrupt one (SPEC §6), so memory
    /// stays bounded whatever is on disk.
    public static let maxFileSize = 256 << 20
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var path: String { "\(directory)/\(Self.fileName)" }

    /// The result of loading: the state, and a warning when a bad file was
    /// moved aside (the caller logs it as a warning entry).
    public struct Loaded: Sendable {
        public var state: MonitorState
        public var warning: String?
        /// The file's `saved_at`, realtime µs; nil for no file, 0 when
        /// unknown (a migrated version 1 file).
        public var savedAtMicroseconds: UInt64?
        /// The version the file was migrated from, if it was older.
        public var migratedFrom: Int?
    }

    private struct VersionProbe: Decodable {
        var version: Int
        var savedAt: UInt64?
        enum CodingKeys: String, CodingKey {
            case version
            case savedAt = "saved_at"
        }
    }

    /// The state as saved now, read without changing anything (no
    /// migration, nothing moved aside): for a reader beside the daemon.
    /// Nil for a missing, unreadable, older, newer or corrupt file.
    public func peek() -> MonitorState? {
        guard let bytes = try? DurableFile.read(path, limit: Self.maxFileSize) else { return nil }
        let data = Data(bytes)
        guard let probe = try? JSONDecoder().decode(VersionProbe.self, from: data),
            probe.version == MonitorState.formatVersion
        else { return nil }
        return try? JSONDecoder().decode(MonitorState.self, from: data)
    }

    /// Reads the state. A missing file is a fresh start; an older version
    /// is migrated (`StateMigration`) and rewritten in the current format
    /// at once; a corrupt, newer-version or over-256-MiB file is moved aside
    /// as `state.json.corrupt-<time>` and the daemon starts with empty
    /// baselines. Never throws for content.
    public func load() throws(SystemError) -> Loaded {
        DurableFile.removeLeftovers(of: path)
        let bytes: [UInt8]
        do {
            guard let read = try DurableFile.read(path, limit: Self.maxFileSize) else {
                return Loaded(state: MonitorState())
            }
            bytes = read
        } catch  where error.errno == EFBIG {
            return try moveAside(reason: "larger than \(Self.maxFileSize >> 20) MiB")
        }
        let data = Data(bytes)
        do {
            let probe = try JSONDecoder().decode(VersionProbe.self, from: data)
            if probe.version == MonitorState.formatVersion {
                let state = try JSONDecoder().decode(MonitorState.self, from: data)
                return Loaded(state: state, savedAtMicroseconds: probe.savedAt)
            }
            guard (1..<MonitorState.formatVersion).contains(probe.version) else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: [],
                        debugDescription:
                            "unsupported state version \(probe.version) (this build reads up to \(MonitorState.formatVersion))"
                    ))
            }
            let migrated = try StateMigration.migrate(data, from: probe.version)
            var loaded = Loaded(
                state: migrated.state, savedAtMicroseconds: migrated.savedAtMicroseconds, migratedFrom: probe.version)
            do {
                try save(migrated.state)
            } catch {
                loaded.warning =
                    "state file \(path) was migrated from version \(probe.version) but cannot be rewritten: \(error)"
            }
            return loaded
        } catch {
            return try moveAside(reason: Self.describe(error))
        }
    }

    private func moveAside(reason: String) throws(SystemError) -> Loaded {
        let moved = try DurableFile.moveAside(path)
        return Loaded(
            state: MonitorState(),
            warning:
                "state file \(path) is unreadable (\(reason)); moved aside to \(moved), starting with empty baselines"
        )
    }

    /// Writes `state` with `saved_at` = `now` (realtime µs).
    public func save(_ state: MonitorState, now: UInt64 = WallClock.microseconds()) throws(SystemError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.userInfo[MonitorState.savedAtKey] = now
            data = try encoder.encode(state)
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
