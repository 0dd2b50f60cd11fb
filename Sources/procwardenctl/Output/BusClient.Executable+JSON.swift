import ProcWardenKit
import ProcWardenSystemd

extension BusClient.Executable {
    /// Unknown digests are `null`, as in the JSON report.
    var json: JSONValue {
        func optional(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        return .object([
            ("path", .string(path)),
            ("size", .uint(size)),
            ("sha256", optional(sha256)),
            ("ssdeep", optional(ssdeep)),
            ("exe_state", .string(state)),
            ("on_disk_sha256", optional(onDiskSha256)),
            ("degraded", .bool(degraded)),
            ("process_count", .uint(UInt64(processCount))),
        ])
    }
}
