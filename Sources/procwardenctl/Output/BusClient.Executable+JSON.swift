import ProcWardenKit
import ProcWardenSystemd

extension BusClient.Executable {
    /// Unknown digests are `null`, as in the JSON report.
    var json: JSONValue {
        func optional(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        typealias P = ReportKey.Process
        typealias E = ReportKey.Executable
        return .object([
            (E.path, .string(path)),
            (E.size, .uint(size)),
            (P.sha256, optional(sha256)),
            (P.ssdeep, optional(ssdeep)),
            (P.exeState, .string(state)),
            (P.onDiskSha256, optional(onDiskSha256)),
            (P.degraded, .bool(degraded)),
            (E.processCount, .uint(UInt64(processCount))),
        ])
    }
}
