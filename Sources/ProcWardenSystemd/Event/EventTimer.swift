import CSystemd
import Glibc

/// A one-shot timer of an `EventLoop`.
public struct EventTimer {
    let source: OpaquePointer
    let clock: clockid_t
    let event: OpaquePointer

    /// Fires once, `usec` µs from now; returns the time it was set for.
    @discardableResult
    public func schedule(afterMicroseconds usec: UInt64) -> UInt64 {
        schedule(atMicroseconds: now &+ usec)
    }

    /// Fires once at `usec` on the timer's clock; returns `usec`.
    @discardableResult
    public func schedule(atMicroseconds usec: UInt64) -> UInt64 {
        sd_event_source_set_time(source, usec)
        sd_event_source_set_enabled(source, Int32(SD_EVENT_ONESHOT))
        return usec
    }

    /// sd_event_now(3) on the timer's clock: when the loop last woke up.
    public var now: UInt64 {
        var now: UInt64 = 0
        sd_event_now(event, clock, &now)
        return now
    }

    public func cancel() {
        sd_event_source_set_enabled(source, Int32(SD_EVENT_OFF))
    }
}
