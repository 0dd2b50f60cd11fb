import CSystemd
import Glibc
import ProcWardenKit

/// The daemon's main loop on sd-event(3), as systemd's own small daemons
/// run: signals through signalfd, timers, fd readiness and the bus connection
/// all dispatch here, on one thread.
public final class EventLoop {
    public let event: OpaquePointer
    private var handlers: [Handler] = []
    private var sources: [OpaquePointer] = []

    final class Handler {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// sd_event_new(3).
    public init() throws(SystemError) {
        var e: OpaquePointer?
        try SystemCall.negativeErrno("sd_event_new") { sd_event_new(&e) }
        event = e!
    }

    deinit {
        for s in sources { sd_event_source_unref(s) }
        sd_event_unref(event)
    }

    private func retain(_ handler: @escaping () -> Void) -> UnsafeMutableRawPointer {
        let h = Handler(handler)
        handlers.append(h)
        return Unmanaged.passUnretained(h).toOpaque()
    }

    /// Blocks `signals` for the whole process (threads started later inherit
    /// the mask) so they arrive only through sd_event_add_signal's signalfd.
    public static func blockSignals(_ signals: [Int32]) {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// sd_event_add_signal(3); the signal must be blocked first.
    public func onSignal(_ signal: Int32, _ handler: @escaping () -> Void) throws(SystemError) {
        var source: OpaquePointer?
        try SystemCall.negativeErrno("sd_event_add_signal(\(signal))") {
            sd_event_add_signal(
                event, &source, signal,
                { _, _, userdata in
                    Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().run()
                    return 0
                }, retain(handler))
        }
        sources.append(source!)
    }

    /// sd_event_add_io(3) for EPOLLIN.
    public func onReadable(_ fd: Int32, _ handler: @escaping () -> Void) throws(SystemError) {
        _ = try addIO(fd, events: UInt32(EPOLLIN.rawValue), handler)
    }

    /// sd_event_add_io(3); the source lives as long as the loop.
    func addIO(_ fd: Int32, events: UInt32, _ handler: @escaping () -> Void) throws(SystemError) -> OpaquePointer {
        var source: OpaquePointer?
        try SystemCall.negativeErrno("sd_event_add_io") {
            sd_event_add_io(
                event, &source, fd, events,
                { _, _, _, userdata in
                    Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().run()
                    return 0
                }, retain(handler))
        }
        sources.append(source!)
        return source!
    }

    /// A one-shot timer on `clock`, disarmed until scheduled. It fires up to
    /// `accuracyMicroseconds` late so that wakeups can be coalesced; 0 means
    /// sd-event's default of 250 ms.
    public func makeTimer(
        clock: clockid_t = CLOCK_MONOTONIC, accuracyMicroseconds: UInt64 = 0,
        _ handler: @escaping () -> Void
    ) throws(SystemError) -> EventTimer {
        var source: OpaquePointer?
        try SystemCall.negativeErrno("sd_event_add_time") {
            sd_event_add_time(
                event, &source, clock, UInt64.max, accuracyMicroseconds,
                { _, _, userdata in
                    Unmanaged<Handler>.fromOpaque(userdata!).takeUnretainedValue().run()
                    return 0
                }, retain(handler))
        }
        let timer = source!
        sources.append(timer)
        sd_event_source_set_enabled(timer, Int32(SD_EVENT_OFF))
        return EventTimer(source: timer, clock: clock, event: event)
    }

    /// sd_event_loop(3): dispatches until `exit(_:)`.
    public func run() -> Int32 { sd_event_loop(event) }

    /// sd_event_exit(3).
    public func exit(_ code: Int32) { sd_event_exit(event, code) }
}
