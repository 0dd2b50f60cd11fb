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

    /// The rate limiter of versions 1 and 2, as Swift's synthesized coding
    /// stored it: its queue held only alerts deferred by the rate limit.
    struct RateLimiterV2: Decodable {
        var burst: Int
        var intervalMicroseconds: UInt64
        var queue: [Alert]
        var windowStart: UInt64?
        var deliveredInWindow: Int
        var droppedInWindow: [AlertRule: Int]
        var windowReported: Bool
        var droppedTotal: UInt64

        /// The queue, its alerts stamped with `PROCWARDEN_RAISED_REALTIME`
        /// (start time unknown).
        var queueV3: AlertQueue {
            let alerts = queue.map { alert in
                var stamped = alert
                stamped.stampRaisedRealtime()
                return stamped
            }
            return AlertQueue(
                burst: burst, intervalMicroseconds: intervalMicroseconds, alerts: alerts, windowStart: windowStart,
                spentInWindow: deliveredInWindow, droppedInWindow: droppedInWindow, windowReported: windowReported,
                droppedTotal: droppedTotal)
        }
    }

    /// Version 1 as it was written: no `saved_at`.
    struct V1: Decodable {
        var baselines: [MonitorState.BaselineEntry]
        var dedup: AlertDeduplicator
        var rateLimiter: RateLimiterV2

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
            rateLimiter = try c.decode(RateLimiterV2.self, forKey: .rateLimiter)
        }
    }

    /// Version 2 as it was written: `saved_at`, and the rate limiter.
    struct V2: Decodable {
        var baselines: [MonitorState.BaselineEntry]
        var dedup: AlertDeduplicator
        var rateLimiter: RateLimiterV2
        var savedAt: UInt64

        enum CodingKeys: String, CodingKey {
            case version, baselines, dedup
            case rateLimiter = "rate_limiter"
            case savedAt = "saved_at"
        }

        init(
            baselines: [MonitorState.BaselineEntry], dedup: AlertDeduplicator, rateLimiter: RateLimiterV2,
            savedAt: UInt64
        ) {
            self.baselines = baselines
            self.dedup = dedup
            self.rateLimiter = rateLimiter
            self.savedAt = savedAt
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let version = try c.decode(Int.self, forKey: .version)
            guard version == 2 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .version, in: c, debugDescription: "expected state version 2, found \(version)")
            }
            baselines = try c.decode([MonitorState.BaselineEntry].self, forKey: .baselines)
            dedup = try c.decode(AlertDeduplicator.self, forKey: .dedup)
            rateLimiter = try c.decode(RateLimiterV2.self, forKey: .rateLimiter)
            savedAt = try c.decode(UInt64.self, forKey: .savedAt)
        }
    }

    /// Decodes `bytes`, a file of `version` (older than the current one),
    /// and migrates it. Throws `DecodingError` when the file is not a valid
    /// file of that version, or when no migration starts at that version.
    public static func migrate(_ bytes: Data, from version: Int) throws -> Current {
        switch version {
        case 1: return v2ToV3(v1ToV2(try JSONDecoder().decode(V1.self, from: bytes)))
        case 2: return v2ToV3(try JSONDecoder().decode(V2.self, from: bytes))
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "no migration from state version \(version)"))
        }
    }

    /// 1 → 2: everything kept; `saved_at` is unknown (0).
    static func v1ToV2(_ v1: V1) -> V2 {
        V2(baselines: v1.baselines, dedup: v1.dedup, rateLimiter: v1.rateLimiter, savedAt: 0)
    }

    /// 2 → 3: the rate limiter's queue becomes the one queue, nothing held
    /// for journald; its alerts gain `PROCWARDEN_RAISED_REALTIME` and have
    /// no process start time (so a late delivery carries no `OBJECT_PID`).
    static func v2ToV3(_ v2: V2) -> Current {
        Current(
            state: MonitorState(
                baselines: BaselineStore(entries: v2.baselines), deduplicator: v2.dedup,
                queue: v2.rateLimiter.queueV3),
            savedAtMicroseconds: v2.savedAt)
    }
}
