/// The fields of /proc/<pid>/stat the scanner needs (proc(5)).
public struct ProcStat: Sendable, Equatable {
    /// PF_KTHREAD from include/linux/sched.h.
    public static let kernelThreadFlag: UInt64 = 0x0020_0000

    public var pid: Int32
    public var comm: ByteString
    public var state: UInt8
    public var flags: UInt64
    public var startTime: UInt64
    /// Field 23, the virtual memory size in bytes: it moves when a mapping
    /// is added or removed, so an unchanged value lets a scan reuse the
    /// maps it read before. 0 when absent.
    public var virtualSize: UInt64 = 0

    public var isZombie: Bool { state == UInt8(ascii: "Z") }
    public var isKernelThread: Bool { flags & Self.kernelThreadFlag != 0 }

    public init(pid: Int32, comm: ByteString, state: UInt8, flags: UInt64, startTime: UInt64) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.flags = flags
        self.startTime = startTime
    }

    /// /proc/<pid>/stat of `pid` now; nil when the process is gone or the
    /// file cannot be read or parsed.
    public static func current(pid: Int32) -> ProcStat? {
        guard pid > 0, let bytes = try? DurableFile.read("/proc/\(pid)/stat", limit: 4096) else { return nil }
        return try? ProcStat(parsing: bytes)
    }

    /// Parses the contents of /proc/<pid>/stat.
    ///
    /// comm is whatever lies between the first `(` and the *last* `)`, since a
    /// process may name itself `a) R (b` to confuse naive parsers.
    public init(parsing bytes: some Collection<UInt8>) throws(ProcParseError) {
        let line = Array(bytes)
        guard let open = line.firstIndex(of: UInt8(ascii: "(")),
            let close = line.lastIndex(of: UInt8(ascii: ")")), close > open
        else { throw .malformed(file: "stat", detail: "no (comm)") }
        guard let pid = Int32(decimal: line[..<open].filter { $0 != UInt8(ascii: " ") }) else {
            throw .malformed(file: "stat", detail: "bad pid")
        }
        // Fields after comm start at field 3 (state). Only the first 21 are
        // used; maxSplits leaves the other 30-odd unsplit (a warm scan's hot path).
        let rest = line[(close + 1)...].split(
            separator: UInt8(ascii: " "), maxSplits: 21, omittingEmptySubsequences: true)
        // state=3, flags=9, starttime=22, vsize=23 → offsets 0, 6, 19, 20 after comm.
        guard rest.count >= 20 else { throw .truncated(file: "stat") }
        guard rest[0].count == 1, let flags = UInt64(decimal: rest[6]), let start = UInt64(decimal: rest[19]) else {
            throw .malformed(file: "stat", detail: "bad state, flags or starttime")
        }
        self.init(
            pid: pid, comm: ByteString(line[(open + 1)..<close]), state: rest[0].first!, flags: flags, startTime: start)
        if rest.count > 20 { virtualSize = UInt64(decimal: rest[20]) ?? 0 }
    }
}
