import Foundation
import ProcWardenKit

/// Reads the report's byte-string convention back: a JSON string is its
/// UTF-8 bytes, an array of numbers is the raw bytes.
public enum JSONBytes {
    public static func decode(_ value: Any?) -> ByteString? {
        if let s = value as? String { return ByteString(s) }
        if let numbers = value as? [NSNumber] {
            guard numbers.allSatisfy({ (0...255).contains($0.intValue) }) else { return nil }
            return ByteString(numbers.map { UInt8($0.intValue) })
        }
        return nil
    }

    /// Parses a whole `--once --json` document.
    public static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw TestFailure("the report is not a JSON object")
        }
        return object
    }

    /// The process objects of a report, by pid.
    public static func processes(_ report: [String: Any]) throws -> [Int32: [String: Any]] {
        guard let list = report[ReportKey.processes] as? [[String: Any]] else {
            throw TestFailure("no processes array")
        }
        var out: [Int32: [String: Any]] = [:]
        for p in list {
            guard let pid = (p[ReportKey.Process.pid] as? NSNumber)?.int32Value else {
                throw TestFailure("a process without pid")
            }
            out[pid] = p
        }
        return out
    }
}
