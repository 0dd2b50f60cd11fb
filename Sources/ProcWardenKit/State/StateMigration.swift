import FoundationEssentials

/// Reads older state file formats and brings them to the current one
/// (SPEC §6): one step function per version change, applied in order, so a
/// file of any older version is migrated with its baselines, dedup memory
/// and queue kept. A version change adds its step here and a test.
public enum StateMigration {
    /// The current format as a migration step yields it: the state, and
    /// `saved_at` (0 when unknown).
    public struct Current: Sendable, Equatable {
        public var state: MonitorState
        public var savedAtMicroseconds: UInt64
    }

    /// Version 1 as it was written: no `saved_at`.
    struct V1: Decodable {
        var baselines: [MonitorState.BaselineEntry]
        var dedup: AlertDeduplicator
        var rateLimiter: AlertRateLimiter

        enum CodingKeys: String, CodingKey {
            case version, baselines, dedup
            case rateLimiter = "rate_limiter"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let version = try c.decode(Int.self, forKey: .version)
            guard version == 1 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .version, in: c, debugDescription: "expected state version 1, found \(version)")
            }
            baselines = try c.decode([MonitorState.BaselineEntry].self, forKey: .baselines)
            dedup = try c.decode(AlertDeduplicator.self, forKey: .dedup)
            rateLimiter = try c.decode(AlertRateLimiter.self, forKey: .rateLimiter)
        }
    }

    /// Decodes `bytes`, a file of `version` (older than the current one),
    /// and migrates it. Throws `DecodingError` when the file is not a valid
    /// file of that version, or when no migration starts at that version.
    public static func migrate(_ bytes: Data, from version: Int) throws -> Current {
        switch version {
        case 1: return v1ToV2(try JSONDecoder().decode(V1.self, from: bytes))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "no migration from state version \(version)"))
        }
    }

    /// 1 → 2: everything kept; `saved_at` is unknown (0).
    static func v1ToV2(_ v1: V1) -> Current {
        Current(
            state: MonitorState(
                baselines: BaselineStore(entries: v1.baselines), deduplicator: v1.dedup, rateLimiter: v1.rateLimiter),
            savedAtMicroseconds: 0)
    }
}
