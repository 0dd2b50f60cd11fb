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

    /// `eventually`, throwing when `condition` never held: for code that
    /// runs off the test's task (e.g. in `PrivateMountNamespace.run`).
    public static func require(
        timeout: Duration, _ what: @autoclosure () -> String = "condition",
        _ condition: () throws -> Bool
    ) throws {
        guard try eventually(timeout: timeout, condition) else {
            throw TestFailure("\(what()) did not hold within \(timeout)")
        }
    }
}
