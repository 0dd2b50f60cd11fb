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

extension BusClient.Object {
    /// Unknown values are `null`; `package_verified` is a boolean, as in
    /// the JSON report.
    var json: JSONValue {
        func optional(_ s: String) -> JSONValue { s.isEmpty ? .null : .string(s) }
        typealias P = ReportKey.Process
        typealias E = ReportKey.Executable
        typealias L = ReportKey.Libraries
        let verified: JSONValue =
            switch packageVerified {
            case BusNames.Verified.yes: .bool(true)
            case BusNames.Verified.no: .bool(false)
            default: .null
            }
        return .object([
            (E.path, .string(path)),
            (L.objectState, .string(state)),
            (E.size, .uint(size)),
            (P.sha256, optional(sha256)),
            (P.package, optional(package)),
            (P.packageVerified, verified),
            (E.processCount, .uint(UInt64(processCount))),
        ])
    }
}
