import ProcWardenKit
import ProcWardenSystemd

/// A property value as status prints it.
extension BusClient.Value {
    var json: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .uint32(let n): .uint(UInt64(n))
        case .uint64(let n): .uint(n)
        }
    }

    var text: String {
        switch self {
        case .string(let s): s
        case .uint32(let n): String(n)
        case .uint64(let n): String(n)
        }
    }

    var number: UInt64? {
        switch self {
        case .string: nil
        case .uint32(let n): UInt64(n)
        case .uint64(let n): n
        }
    }
}
