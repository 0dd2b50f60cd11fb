import Foundation
import ProcWardenKit

/// One entry as `journalctl -o json` prints it. A value is a JSON string when
/// it is printable UTF-8 and an array of byte values otherwise; a field with
/// several values is an array of those.
public struct JournalRecord: Sendable {
    public var fields: [String: [ByteString]]

    public subscript(_ name: String) -> [ByteString] { fields[name] ?? [] }

    /// `__REALTIME_TIMESTAMP`: when journald received it, µs since the epoch.
    public var realtime: UInt64? { single("__REALTIME_TIMESTAMP").flatMap { UInt64($0.description) } }

    /// The one value of `name`, or nil when it is missing or repeated.
    public func single(_ name: String) -> ByteString? {
        let values = self[name]
        return values.count == 1 ? values[0] : nil
    }

    public static func parse(jsonLines: [UInt8]) throws -> [JournalRecord] {
        try jsonLines.split(separator: UInt8(ascii: "\n")).map { line in
            let object = try JSONDecoder().decode([String: Value].self, from: Data(line))
            return JournalRecord(fields: object.mapValues(\.values))
        }
    }

    private enum Value: Decodable {
        case one(ByteString)
        case many([Value])
        case missing

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .missing
            } else if let s = try? container.decode(String.self) {
                self = .one(ByteString(s))
            } else if let bytes = try? container.decode([UInt8].self) {
                self = .one(ByteString(bytes))
            } else {
                self = .many(try container.decode([Value].self))
            }
        }

        public var values: [ByteString] {
            switch self {
            case .one(let v): [v]
            case .many(let vs): vs.flatMap(\.values)
            case .missing: []
            }
        }
    }
}
