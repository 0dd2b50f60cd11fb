/// The fields of /proc/<pid>/status the scanner needs (proc(5)).
public struct ProcStatus: Sendable, Equatable {
    /// The effective uid, as `ps -o uid` shows it.
    public var effectiveUID: UInt32

    public init(effectiveUID: UInt32) { self.effectiveUID = effectiveUID }

    /// Parses the `Uid:` line (real, effective, saved, filesystem) of /proc/<pid>/status.
    public init(parsing bytes: some Collection<UInt8>) throws(ProcParseError) {
        let lines = Array(bytes).split(separator: UInt8(ascii: "\n"))
        let prefix = Array("Uid:".utf8)
        guard let line = lines.first(where: { $0.starts(with: prefix) }) else {
            throw .truncated(file: "status")
        }
        let ids = line.dropFirst(prefix.count).split(whereSeparator: { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: " ") })
        guard ids.count >= 2, let euid = UInt32(decimal: ids[1]) else {
            throw .malformed(file: "status", detail: "bad Uid line")
        }
        self.init(effectiveUID: euid)
    }
}
