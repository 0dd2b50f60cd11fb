import Glibc

/// Waiting for something another process or thread does.
public enum Poll {
    /// Checks `condition` every `interval` until it holds or `timeout` has
    /// passed (at least once); whether it held.
    public static func eventually(
        timeout: Duration, every interval: Duration = .milliseconds(20),
        _ condition: () throws -> Bool
    ) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            guard ContinuousClock.now < deadline else { return false }
            let (seconds, attoseconds) = interval.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
    }
}
