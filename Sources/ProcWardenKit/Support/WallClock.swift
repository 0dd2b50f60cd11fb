import Glibc

/// Realtime in µs since the epoch (clock_gettime(CLOCK_REALTIME)): the unit
/// of journal timestamps and of the bus's `LastScanTimestamp`.
public enum WallClock {
    public static func microseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
