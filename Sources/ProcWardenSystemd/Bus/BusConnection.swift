import CShims
import CSystemd
import Glibc
import Logging
import ProcWardenKit

/// The org.procwarden.Monitor1 object on sd-bus (SPEC §9), attached to the
/// daemon's event loop: the connection, the exported vtable, the well-known
/// name, signals and PropertiesChanged. What the calls do is the
/// `MonitorObjectHandlers`' business.
///
/// The connection is optional: if the bus is down at start or goes away,
/// the daemon keeps scanning; this object says so once and reconnects.
public final class BusConnection {
    private let kind: BusKind
    private let loop: EventLoop
    private let logger: Logger
    private weak var handlers: (any MonitorObjectHandlers)?
    private var bus: OpaquePointer?
    private var slots: [OpaquePointer] = []
    private var vtableHandlers: UnsafeMutablePointer<pw_monitor_handlers>
    private var retryTimer: EventTimer?
    private var announcedDown = false

    public init(kind: BusKind, loop: EventLoop, logger: Logger) {
        self.kind = kind
        self.loop = loop
        self.logger = logger
        vtableHandlers = .allocate(capacity: 1)
        vtableHandlers.initialize(
            to: pw_monitor_handlers(
                rescan: { m, ud, e in BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.rescan(c) }
                },
                set_similarity_threshold: { m, ud, e in
                    BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.setSimilarityThreshold(c) }
                },
                reload: { m, ud, e in BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.reload(c) }
                },
                reset_baseline: { m, ud, e in
                    BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.resetBaseline(c) }
                },
                list_executables: { m, ud, e in
                    BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.listExecutables(c) }
                },
                list_objects: { m, ud, e in
                    BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.listObjects(c) }
                },
                list_restart_needed: { m, ud, e in
                    BusConnection.from(ud).dispatch(m, e) { h, c throws(BusError) in try h.listRestartNeeded(c) }
                },
                get_property: { _, _, _, property, reply, ud, e in
                    BusConnection.from(ud).getProperty(String(cString: property!), reply: reply!, error: e)
                },
                userdata: nil))
        vtableHandlers.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        disconnect()
        vtableHandlers.deallocate()
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> BusConnection {
        Unmanaged<BusConnection>.fromOpaque(userdata!).takeUnretainedValue()
    }

    /// Whether the object is exported and the name owned.
    public var isConnected: Bool { bus != nil }

    // MARK: - Connection

    /// Connects, exports the object for `handlers` and takes the name; on
    /// failure, warns once and retries every few seconds. Returns whether
    /// the name is owned.
    @discardableResult
    public func connect(_ handlers: any MonitorObjectHandlers) -> Bool {
        self.handlers = handlers
        return connect()
    }

    @discardableResult
    private func connect() -> Bool {
        guard kind != .none, bus == nil else { return bus != nil }
        do {
            try open()
            if announcedDown { logger.notice("bus connection restored; control API available again") }
            announcedDown = false
            return true
        } catch {
            disconnect()
            if !announcedDown {
                logger.warning(
                    "\(kind.rawValue) bus unavailable (\(error)); scanning and alerting go on without the control API, retrying"
                )
                announcedDown = true
            }
            scheduleRetry(afterMicroseconds: 2_000_000)
            return false
        }
    }

    private func open() throws(SystemError) {
        var opened: OpaquePointer?
        try SystemCall.negativeErrno("sd_bus_open") {
            kind == .user ? sd_bus_open_user(&opened) : sd_bus_open_system(&opened)
        }
        let b = opened!
        bus = b
        var slot: OpaquePointer?
        try SystemCall.negativeErrno("sd_bus_add_object_vtable") {
            pw_bus_add_monitor_object(b, &slot, BusNames.objectPath, BusNames.interface, vtableHandlers)
        }
        slots.append(slot!)
        var matchSlot: OpaquePointer?
        try SystemCall.negativeErrno("sd_bus_match_signal") {
            sd_bus_match_signal(
                b, &matchSlot, BusNames.Local.name, nil, BusNames.Local.name, BusNames.Local.disconnected,
                { _, ud, _ in
                    BusConnection.from(ud).lost()
                    return 0
                }, Unmanaged.passUnretained(self).toOpaque())
        }
        slots.append(matchSlot!)
        try SystemCall.negativeErrno("sd_bus_attach_event") { sd_bus_attach_event(b, loop.event, 0) }
        try SystemCall.negativeErrno("sd_bus_request_name \(BusNames.service)") {
            sd_bus_request_name(b, BusNames.service, 0)
        }
    }

    private func lost() {
        logger.warning("lost the \(kind.rawValue) bus; scanning goes on, reconnecting")
        announcedDown = true
        // Torn down outside the callback sd-bus is dispatching.
        scheduleRetry(afterMicroseconds: 200_000)
    }

    private func scheduleRetry(afterMicroseconds delay: UInt64) {
        retryTimer =
            retryTimer
            ?? (try? loop.makeTimer { [unowned self] in
                self.disconnect()
                self.connect()
            })
        retryTimer?.schedule(afterMicroseconds: delay)
    }

    private func disconnect() {
        for slot in slots { sd_bus_slot_unref(slot) }
        slots.removeAll()
        if let bus {
            sd_bus_detach_event(bus)
            sd_bus_flush_close_unref(bus)
        }
        bus = nil
    }

    // MARK: - Calls

    private func dispatch(
        _ m: OpaquePointer?, _ busError: UnsafeMutablePointer<sd_bus_error>?,
        _ body: (any MonitorObjectHandlers, BusCall) throws(BusError) -> Void
    ) -> Int32 {
        guard let handlers else { return BusError.failed("the daemon is shutting down").set(busError) }
        do {
            try body(handlers, BusCall(m!))
            return 1
        } catch {
            return error.set(busError)
        }
    }

    private func getProperty(_ name: String, reply: OpaquePointer, error busError: UnsafeMutablePointer<sd_bus_error>?)
        -> Int32
    {
        guard let property = BusNames.Property(rawValue: name), let handlers else {
            return BusError.failed("unknown property \(name)").set(busError)
        }
        do {
            try handlers.property(property, into: BusMessage(raw: reply))
            return 1
        } catch {
            return error.set(busError)
        }
    }

    // MARK: - Signals

    /// Emits signal `member` of the interface, its arguments filled by `fill`;
    /// nothing while disconnected.
    public func emit(_ member: String, _ fill: (BusMessage) throws(BusError) -> Void) {
        guard let bus else { return }
        var m: OpaquePointer?
        guard sd_bus_message_new_signal(bus, &m, BusNames.objectPath, BusNames.interface, member) >= 0, let m else {
            return
        }
        defer { sd_bus_message_unref(m) }
        do {
            try fill(BusMessage(raw: m))
            _ = sd_bus_send(bus, m, nil)
        } catch {
            logger.error("cannot emit \(member)", metadata: ["error": "\(error.message)"])
        }
    }

    /// sd_bus_emit_properties_changed_strv(3); nothing while disconnected.
    public func emitPropertiesChanged(_ properties: [BusNames.Property]) {
        guard let bus, !properties.isEmpty else { return }
        var names: [UnsafeMutablePointer<CChar>?] = properties.map { strdup($0.rawValue) } + [nil]
        defer { for p in names { free(p) } }
        _ = sd_bus_emit_properties_changed_strv(bus, BusNames.objectPath, BusNames.interface, &names)
    }
}

extension BusConnection {
    /// A reply or signal that could not be built or sent; the caller gets
    /// no answer and its call times out, so it is logged.
    public func logFailure(_ what: String, _ error: BusError) {
        logger.error("\(what)", metadata: ["error": "\(error.message)"])
    }
}
