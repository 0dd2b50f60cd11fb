/// The fields of /proc/<pid>/status the scanner needs (proc(5)).
public struct ProcStatus: Sendable, Equatable {
    /// The effective uid, as `ps -o uid` shows it.
    public var effectiveUID: UInt32

    public init(effectiveUID: UInt32) { self.effectiveUID = effectiveUID }

    /// Parses the `Uid:` line (real, effective, saved, filesystem) of /proc/<pid>/status.
    public init(parsing bytes: some Collection<UInt8>) throws(ProcParseError) {
        // Looks for the line instead of splitting all ~60 of them: this runs
        // once per process per scan.
        let text = Array(bytes)
        let prefix = Array("Uid:".utf8)
        var start = 0
        var found: ArraySlice<UInt8>? = nil
        while start < text.count {
            let end = text[start...].firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            if text[start..<end].starts(with: prefix) {
                found = text[start..<end]
                break
            }
            start = end + 1
        }
        guard let line = found else { throw .truncated(file: "status") }
        let ids = line.dropFirst(prefix.count).split(whereSeparator: { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: " ") })
        guard ids.count >= 2, let euid = UInt32(decimal: ids[1]) else {
            throw .malformed(file: "status", detail: "bad Uid line")
        }
        self.init(effectiveUID: euid)
    }
}
