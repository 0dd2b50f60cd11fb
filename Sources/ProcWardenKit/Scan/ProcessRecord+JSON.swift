extension ProcessRecord {
    /// One element of the report's `processes` array; unknown values are null.
    public var json: JSONValue {
        typealias K = ReportKey.Process
        return .object([
            (K.pid, .int(Int64(pid))),
            (K.startTime, startTime.map { .uint($0) } ?? .null),
            (K.uid, uid.map { .uint(UInt64($0)) } ?? .null),
            (K.comm, .optional(comm)),
            (K.exe, .optional(exe)),
            (K.exeState, .string(exeState.rawValue)),
            (K.sha256, .optional(digest?.sha256)),
            (K.ssdeep, .optional(digest?.ssdeep)),
            (K.onDiskSha256, .optional(onDiskDigest?.sha256)),
            (K.degraded, digest.map { .bool($0.degraded) } ?? .null),
            (K.unhashedReason, .optional(unhashedReason?.rawValue)),
        ])
    }
}
