import CShims
import CSystemd
import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd

/// org.procwarden.Monitor1 on sd-bus (SPEC §9), attached to the daemon's
/// event loop. Every method handler runs in the order parse → validate →
/// authorize → act → emit; errors become named D-Bus errors in `BusError`.
///
/// The connection is optional: if the bus is down at start or goes away,
/// the daemon keeps scanning; this object says so once and reconnects.
public final class BusService {
    private let kind: BusKind
    private let daemon: Daemon
    private let loop: EventLoop
    private let logger: Logger
    private var bus: OpaquePointer?
    private var slots: [OpaquePointer] = []
    private var handlers: UnsafeMutablePointer<pw_monitor_handlers>
    private var retryTimer: EventTimer?
    private var announcedDown = false
    /// Values last announced, to emit PropertiesChanged only when they move.
    private var lastThreshold: Int
    private var lastInterval: Duration

    public init(kind: BusKind, daemon: Daemon, loop: EventLoop, logger: Logger) {
        self.kind = kind
        self.daemon = daemon
        self.loop = loop
        self.logger = logger
        self.lastThreshold = daemon.similarityThreshold
        self.lastInterval = daemon.scanInterval
        handlers = .allocate(capacity: 1)
        handlers.initialize(to: pw_monitor_handlers(
            rescan: { m, ud, e in BusService.from(ud).dispatch(m, e) { try $0.rescan($1) } },
            set_similarity_threshold: { m, ud, e in BusService.from(ud).dispatch(m, e) { try $0.setSimilarityThreshold($1) } },
            reload: { m, ud, e in BusService.from(ud).dispatch(m, e) { try $0.reload($1) } },
            reset_baseline: { m, ud, e in BusService.from(ud).dispatch(m, e) { try $0.resetBaseline($1) } },
            list_executables: { m, ud, e in BusService.from(ud).dispatch(m, e) { try $0.listExecutables($1) } },
            get_property: { _, _, _, property, reply, ud, e in
                BusService.from(ud).getProperty(String(cString: property!), reply: reply!, error: e)
            },
            userdata: nil))
        handlers.pointee.userdata = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        disconnect()
        handlers.deallocate()
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> BusService {
        Unmanaged<BusService>.fromOpaque(userdata!).takeUnretainedValue()
    }

    // MARK: - Connection

    /// Connects, exports the object and takes the name; on failure, warns
    /// once and retries every few seconds. Returns whether the name is owned.
    @discardableResult
    public func connect() -> Bool {
        guard kind != .none, bus == nil else { return bus != nil }
        do {
            try open()
            if announcedDown { logger.notice("bus connection restored; control API available again") }
            announcedDown = false
            return true
        } catch {
            disconnect()
            if !announcedDown {
                logger.warning("\(kind.rawValue) bus unavailable (\(error)); scanning and alerting go on without the control API, retrying")
                announcedDown = true
            }
            scheduleRetry()
            return false
        }
    }

    private func open() throws(SystemError) {
        var b: OpaquePointer?
        let rc = kind == .user ? sd_bus_open_user(&b) : sd_bus_open_system(&b)
        guard rc >= 0, let b else { throw SystemError("sd_bus_open", errno: -rc) }
        bus = b
        var slot: OpaquePointer?
        var r = pw_bus_add_monitor_object(b, &slot, BusNames.objectPath, BusNames.interface, handlers)
        guard r >= 0, let slot else { throw SystemError("sd_bus_add_object_vtable", errno: -r) }
        slots.append(slot)
        var matchSlot: OpaquePointer?
        r = sd_bus_match_signal(b, &matchSlot, "org.freedesktop.DBus.Local", nil, "org.freedesktop.DBus.Local",
                                "Disconnected", { _, ud, _ in
                                    BusService.from(ud).lost()
                                    return 0
                                }, Unmanaged.passUnretained(self).toOpaque())
        guard r >= 0, let matchSlot else { throw SystemError("sd_bus_match_signal", errno: -r) }
        slots.append(matchSlot)
        r = sd_bus_attach_event(b, loop.event, 0)
        guard r >= 0 else { throw SystemError("sd_bus_attach_event", errno: -r) }
        r = sd_bus_request_name(b, BusNames.service, 0)
        guard r >= 0 else { throw SystemError("sd_bus_request_name \(BusNames.service)", errno: -r) }
    }

    private func lost() {
        logger.warning("lost the \(kind.rawValue) bus; scanning goes on, reconnecting")
        announcedDown = true
        // Tear down outside the callback sd-bus is dispatching.
        retryTimer = retryTimer ?? (try? loop.makeTimer { [unowned self] in
            self.disconnect()
            self.connect()
        })
        retryTimer?.schedule(afterMicroseconds: 200_000)
    }

    private func scheduleRetry() {
        retryTimer = retryTimer ?? (try? loop.makeTimer { [unowned self] in
            self.disconnect()
            self.connect()
        })
        retryTimer?.schedule(afterMicroseconds: 2_000_000)
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

    // MARK: - Handlers

    private func dispatch(_ m: OpaquePointer?, _ busError: UnsafeMutablePointer<sd_bus_error>?,
                          _ body: (BusService, BusMessage) throws -> Int32) -> Int32 {
        do {
            return try body(self, BusMessage(raw: m!))
        } catch let error as BusError {
            return error.set(busError)
        } catch {
            return BusError.failed("\(error)").set(busError)
        }
    }

    private func replyEmpty(_ call: BusMessage) -> Int32 {
        var reply: OpaquePointer?
        let rc = sd_bus_message_new_method_return(call.raw, &reply)
        guard rc >= 0, let reply else { return rc }
        defer { sd_bus_message_unref(reply) }
        let sent = sd_bus_send(nil, reply, nil)
        return sent < 0 ? sent : 1
    }

    /// Only root may call methods: the sender's euid as the bus reports it,
    /// refusing credentials sd-bus had to read racily from /proc (augmented).
    ///
    /// On dbus-daemon (messages carry no credentials) sd-bus answers
    /// SD_BUS_CREDS_EUID with GetConnectionUnixUser: the uid the bus took
    /// from SO_PEERCRED when the caller connected, which is its euid then.
    /// That is not augmented (sd-bus reads /proc only when asked for
    /// SD_BUS_CREDS_AUGMENT), and a caller cannot change it afterwards. So
    /// root passes; nobody, or root that set only its euid to nobody before
    /// connecting, does not (BusAccessTests).
    private func authorize(_ m: BusMessage) throws(BusError) {
        var creds: OpaquePointer?
        let rc = sd_bus_query_sender_creds(m.raw, UInt64(SD_BUS_CREDS_EUID), &creds)
        guard rc >= 0, let creds else { throw .accessDenied("cannot determine the caller's identity") }
        defer { sd_bus_creds_unref(creds) }
        let augmented = sd_bus_creds_get_augmented_mask(creds)
        var euid: uid_t = 0
        guard augmented & UInt64(SD_BUS_CREDS_EUID) == 0, sd_bus_creds_get_euid(creds, &euid) >= 0 else {
            throw .accessDenied("cannot determine the caller's effective uid reliably")
        }
        guard euid == 0 else { throw .accessDenied("only root may call this method") }
    }

    private func rescan(_ m: BusMessage) throws(BusError) -> Int32 {
        try authorize(m)
        sd_bus_message_ref(m.raw)
        daemon.rescan { [weak self] result in
            defer { sd_bus_message_unref(m.raw) }
            guard let self, let summary = result.report?.summary else { return }
            self.replyRescan(to: m, summary)
        }
        emitPropertiesChanged([.state])
        return 1
    }

    private func replyRescan(to call: BusMessage, _ s: ScanSummary) {
        var reply: OpaquePointer?
        guard sd_bus_message_new_method_return(call.raw, &reply) >= 0, let reply else { return }
        defer { sd_bus_message_unref(reply) }
        let r = BusMessage(raw: reply)
        do {
            try r.open("r", "tuuuuuut")
            try r.append(s.scanID)
            for n in [s.processes, s.executables, s.hashed, s.cacheHits, s.alerts, s.suppressed] { try r.append(UInt32(clamping: n)) }
            try r.append(s.durationMicroseconds)
            try r.close()
            _ = sd_bus_send(nil, reply, nil)
        } catch {
            logger.error("cannot build the Rescan reply", metadata: ["error": "\(error.message)"])
        }
    }

    private func setSimilarityThreshold(_ m: BusMessage) throws(BusError) -> Int32 {
        let value = try m.readUInt32()
        let runtime = try m.readBool()
        guard (1...99).contains(value) else {
            throw .invalidThreshold("threshold \(value) is out of range (valid: 1–99)")
        }
        try authorize(m)
        do {
            try daemon.setSimilarityThreshold(Int(value), runtime: runtime)
        } catch {
            throw .failed("cannot change the threshold: \(error)")
        }
        emitPropertiesChanged(changedSettings)
        return replyEmpty(m)
    }

    private func reload(_ m: BusMessage) throws(BusError) -> Int32 {
        try authorize(m)
        if let error = daemon.reload() { throw .invalidConfig(error.description) }
        emitPropertiesChanged(changedSettings)
        return replyEmpty(m)
    }

    private func resetBaseline(_ m: BusMessage) throws(BusError) -> Int32 {
        let path = try m.readString()
        guard path.hasPrefix("/") else { throw .notFound("'\(path)' is not an absolute path") }
        try authorize(m)
        guard daemon.resetBaseline(path: ByteString(path)) else {
            throw .notFound("no baseline for \(path)")
        }
        return replyEmpty(m)
    }

    private func listExecutables(_ m: BusMessage) throws(BusError) -> Int32 {
        try authorize(m)
        var reply: OpaquePointer?
        guard sd_bus_message_new_method_return(m.raw, &reply) >= 0, let reply else { throw .failed("out of memory") }
        defer { sd_bus_message_unref(reply) }
        let r = BusMessage(raw: reply)
        try r.open("a", "(stssssbu)")
        for e in Inventory(daemon.lastReport?.processes ?? []).executables {
            try r.open("r", "stssssbu")
            try r.append(e.path)
            try r.append(e.size)
            try r.append(e.sha256 ?? "")
            try r.append(e.ssdeep ?? "")
            try r.append(e.state.rawValue)
            try r.append(e.onDiskSha256 ?? "")
            try r.append(e.degraded)
            try r.append(UInt32(clamping: e.processCount))
            try r.close()
        }
        try r.close()
        let rc = sd_bus_send(nil, reply, nil)
        return rc < 0 ? rc : 1
    }

    // MARK: - Properties and signals

    private func getProperty(_ name: String, reply: OpaquePointer, error busError: UnsafeMutablePointer<sd_bus_error>?) -> Int32 {
        guard let property = BusNames.Property(rawValue: name) else {
            return BusError.failed("unknown property \(name)").set(busError)
        }
        let r = BusMessage(raw: reply)
        let c = daemon.counters
        let last = c.lastScan
        do {
            switch property {
            case .version: try r.append(ProcWarden.version)
            case .similarityThreshold: try r.append(UInt32(daemon.similarityThreshold))
            case .scanIntervalUSec: try r.append(daemon.scanInterval.microseconds)
            case .state: try r.append(daemon.isScanning ? "scanning" : "idle")
            case .lastScanTimestamp: try r.append(last?.startedAtMicroseconds ?? 0)
            case .lastScanDurationUSec: try r.append(last?.durationMicroseconds ?? 0)
            case .processes: try r.append(UInt32(clamping: last?.processes ?? 0))
            case .executables: try r.append(UInt32(clamping: last?.executables ?? 0))
            case .bytesHashed: try r.append(c.bytesHashed)
            case .cacheHits: try r.append(c.cacheHits)
            case .ssdeepFailures: try r.append(c.ssdeepFailures)
            case .alertsRaised: try r.append(c.alertsRaised)
            case .alertsSuppressed: try r.append(c.alertsSuppressed)
            case .capabilities: try r.append(daemon.capabilities)
            case .coverage: try r.append(daemon.coverage.rawValue)
            }
        } catch {
            return error.set(busError)
        }
        return 1
    }

    /// After a scan: ScanCompleted and PropertiesChanged for what moves.
    public func scanCompleted(_ result: CycleResult) {
        guard let bus, let s = result.report?.summary else { return }
        emit(bus, BusNames.Signal.scanCompleted) { (m: BusMessage) throws(BusError) in
            try m.append(s.scanID)
            try m.append(UInt32(clamping: s.processes))
            try m.append(UInt32(clamping: s.executables))
            try m.append(UInt32(clamping: s.alerts))
        }
        let changed: [BusNames.Property] = [.state, .lastScanTimestamp, .lastScanDurationUSec, .processes, .executables,
                                            .bytesHashed, .cacheHits, .ssdeepFailures, .alertsRaised, .alertsSuppressed, .coverage]
        emitPropertiesChanged(changed + changedSettings)
    }

    /// Announces settings changed outside a bus call (a SIGHUP reload).
    public func settingsChanged() {
        emitPropertiesChanged(changedSettings)
    }

    /// The settings whose value differs from the one last announced: a
    /// Reload that changes nothing, or setting the current threshold again,
    /// announces nothing.
    private var changedSettings: [BusNames.Property] {
        var changed: [BusNames.Property] = []
        if daemon.similarityThreshold != lastThreshold { changed.append(.similarityThreshold) }
        if daemon.scanInterval != lastInterval { changed.append(.scanIntervalUSec) }
        return changed
    }

    public func alertDelivered(_ alert: Alert) {
        guard let bus else { return }
        emit(bus, BusNames.Signal.alertRaised) { (m: BusMessage) throws(BusError) in
            try m.append(alert.rule.rawValue)
            try m.append(alert.severity.rawValue)
            try m.append(alert[.exe] ?? "")
            try m.append(UInt32(bitPattern: alert.pid))
            try m.append(alert.message)
        }
    }

    private func emit(_ bus: OpaquePointer, _ member: String, _ fill: (BusMessage) throws(BusError) -> Void) {
        var m: OpaquePointer?
        guard sd_bus_message_new_signal(bus, &m, BusNames.objectPath, BusNames.interface, member) >= 0, let m else { return }
        defer { sd_bus_message_unref(m) }
        do {
            try fill(BusMessage(raw: m))
            _ = sd_bus_send(bus, m, nil)
        } catch {
            logger.error("cannot emit \(member)", metadata: ["error": "\(error.message)"])
        }
    }

    /// sd_bus_emit_properties_changed_strv(3).
    public func emitPropertiesChanged(_ properties: [BusNames.Property]) {
        guard let bus, !properties.isEmpty else { return }
        lastThreshold = daemon.similarityThreshold
        lastInterval = daemon.scanInterval
        var names: [UnsafeMutablePointer<CChar>?] = properties.map { strdup($0.rawValue) } + [nil]
        defer { for p in names { free(p) } }
        _ = sd_bus_emit_properties_changed_strv(bus, BusNames.objectPath, BusNames.interface, &names)
    }
}
