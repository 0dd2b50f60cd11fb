import CSystemd
import Glibc
import ProcWardenKit

/// A one-shot watch for a descriptor becoming writable (EPOLLOUT), made
/// by `EventLoop.makeWritableWatch`: off until armed, and off again after
/// it fired once, so a descriptor that stays writable cannot spin the loop.
public struct EventWatch {
    let source: OpaquePointer

    /// Fires once, the next time the descriptor is writable.
    public func arm() {
        sd_event_source_set_enabled(source, Int32(SD_EVENT_ONESHOT))
    }

    public func disarm() {
        sd_event_source_set_enabled(source, Int32(SD_EVENT_OFF))
    }
}

extension EventLoop {
    /// sd_event_add_io(3) for EPOLLOUT on `fd`, disarmed. The descriptor
    /// must stay open as long as the loop.
    public func makeWritableWatch(_ fd: Int32, _ handler: @escaping () -> Void) throws(SystemError) -> EventWatch {
        let source = try addIO(fd, events: UInt32(EPOLLOUT.rawValue), handler)
        sd_event_source_set_enabled(source, Int32(SD_EVENT_OFF))
        return EventWatch(source: source)
    }
}
