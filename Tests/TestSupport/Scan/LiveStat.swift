import Glibc
import ProcWardenKit

/// /proc/<pid>/stat read directly at a moment of the test's choosing, to check
/// the scanner's records against what the kernel says.
public struct LiveStat {
    public var comm: ByteString
    public var state: UInt8
    public var flags: UInt64
    public var startTime: UInt64
    /// Field 23, the virtual memory size in bytes.
    public var virtualSize: UInt64

    /// nil once the process is gone.
    public init?(pid: pid_t) {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return nil }
        let line = buffer[..<n]
        guard let open = line.firstIndex(of: UInt8(ascii: "(")), let close = line.lastIndex(of: UInt8(ascii: ")"))
        else { return nil }
        let fields = line[(close + 2)...].split(separator: UInt8(ascii: " ")).map {
            String(decoding: $0, as: UTF8.self)
        }
        guard fields.count > 20, let flags = UInt64(fields[6]), let start = UInt64(fields[19]),
            let virtualSize = UInt64(fields[20])
        else { return nil }
        self.virtualSize = virtualSize
        comm = ByteString(line[(open + 1)..<close])
        state = fields[0].utf8.first!
        self.flags = flags
        startTime = start
    }

    public var isKernelThread: Bool { flags & 0x0020_0000 != 0 }
    /// PF_EXITING: in do_exit, before it becomes a zombie.
    public var isExiting: Bool { flags & 0x0000_0004 != 0 }
}
