/// A process as the kernel identifies it over time: a pid alone can be reused,
/// so the start time (field 22 of /proc/<pid>/stat, in clock ticks since boot)
/// is part of the identity.
public struct ProcessIdentity: Hashable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    public var description: String { "\(pid)@\(startTime)" }
}
