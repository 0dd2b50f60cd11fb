import CSystemd
import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// The test's own sd-bus client connection to a `PrivateBus`, as root: it
/// records every signal sent from /org/procwarden/Monitor1 (a match
/// installed synchronously with AddMatch, so nothing sent after `init` is
/// missed), reads properties and times calls. Signals are parsed here with
/// raw sd-bus calls, independently of the daemon's own message code.
public final class BusObserver {
    public enum Signal: Equatable {
        case scanCompleted(scanID: UInt64, processes: UInt32, executables: UInt32, alerts: UInt32)
        case alertRaised(rule: String, severity: String, executable: String, pid: UInt32, message: String)
        case propertiesChanged(interface: String, changed: [String: BusValue], invalidated: [String])
        case other(interface: String, member: String)
    }

    private let bus: OpaquePointer
    private var slot: OpaquePointer?
    public private(set) var signals: [Signal] = []

    /// sd_bus_new(3) on `address`, as a bus client (Hello), plus the match.
    public init(address: String) throws {
        var b: OpaquePointer?
        guard sd_bus_new(&b) >= 0, let b else { throw SystemError("sd_bus_new") }
        bus = b
        var rc = sd_bus_set_address(b, address)
        if rc >= 0 { rc = sd_bus_set_bus_client(b, 1) }
        if rc >= 0 { rc = sd_bus_start(b) }
        if rc >= 0 {
            rc = sd_bus_match_signal(
                b, &slot, nil, BusNames.objectPath, nil, nil,
                { m, userdata, _ in
                    Unmanaged<BusObserver>.fromOpaque(userdata!).takeUnretainedValue().record(m!)
                    return 0
                }, Unmanaged.passUnretained(self).toOpaque())
        }
        guard rc >= 0 else {
            sd_bus_unref(b)
            throw SystemError("connect to \(address)", errno: -rc)
        }
    }

    deinit {
        sd_bus_slot_unref(slot)
        sd_bus_flush_close_unref(bus)
    }

    // MARK: - Signals

    /// Dispatches incoming messages for `duration`.
    public func pump(for duration: Duration) {
        let deadline = ContinuousClock.now + duration
        _ = pump(until: deadline) { false }
    }

    /// Dispatches until `condition` holds over the recorded signals, or
    /// `timeout` passes; returns whether it held.
    @discardableResult
    public func waitFor(timeout: Duration, _ condition: ([Signal]) -> Bool) -> Bool {
        pump(until: ContinuousClock.now + timeout) { condition(self.signals) }
    }

    private func pump(until deadline: ContinuousClock.Instant, _ done: () -> Bool) -> Bool {
        while true {
            if done() { return true }
            let r = sd_bus_process(bus, nil)
            if r < 0 { return done() }
            if r > 0 { continue }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return done() }
            sd_bus_wait(bus, left.microseconds)
        }
    }

    public var scanCompletedIDs: [UInt64] {
        signals.compactMap { if case .scanCompleted(let id, _, _, _) = $0 { id } else { nil } }
    }

    /// The values announced for `property` in PropertiesChanged, in order.
    public func announced(_ property: BusNames.Property) -> [BusValue] {
        signals.compactMap {
            if case .propertiesChanged(BusNames.interface, let changed, _) = $0 {
                changed[property.rawValue]
            } else {
                nil
            }
        }
    }

    private func record(_ m: OpaquePointer) {
        let interface = sd_bus_message_get_interface(m).map { String(cString: $0) } ?? ""
        let member = sd_bus_message_get_member(m).map { String(cString: $0) } ?? ""
        do {
            switch (interface, member) {
            case (BusNames.interface, BusNames.Signal.scanCompleted):
                signals.append(
                    .scanCompleted(
                        scanID: try readT(m), processes: try readU(m), executables: try readU(m),
                        alerts: try readU(m)))
            case (BusNames.interface, BusNames.Signal.alertRaised):
                signals.append(
                    .alertRaised(
                        rule: try readS(m), severity: try readS(m), executable: try readS(m),
                        pid: try readU(m), message: try readS(m)))
            case ("org.freedesktop.DBus.Properties", "PropertiesChanged"):
                signals.append(try readPropertiesChanged(m))
            default:
                signals.append(.other(interface: interface, member: member))
            }
        } catch {
            signals.append(.other(interface: interface, member: "\(member) (unparsable: \(error))"))
        }
    }

    private func readPropertiesChanged(_ m: OpaquePointer) throws -> Signal {
        let interface = try readS(m)
        var changed: [String: BusValue] = [:]
        try check(sd_bus_message_enter_container(m, CChar(UInt8(ascii: "a")), "{sv}"))
        while try check(sd_bus_message_enter_container(m, CChar(UInt8(ascii: "e")), "sv")) > 0 {
            let name = try readS(m)
            changed[name] = try readVariant(m)
            try check(sd_bus_message_exit_container(m))
        }
        try check(sd_bus_message_exit_container(m))
        var invalidated: [String] = []
        try check(sd_bus_message_enter_container(m, CChar(UInt8(ascii: "a")), "s"))
        while sd_bus_message_at_end(m, 0) == 0 { invalidated.append(try readS(m)) }
        try check(sd_bus_message_exit_container(m))
        return .propertiesChanged(interface: interface, changed: changed, invalidated: invalidated)
    }

    // MARK: - Calls

    /// sd_bus_get_property(3) of a Monitor1 property, and how long it took.
    public func property(_ p: BusNames.Property) throws -> (value: BusValue, latency: Duration) {
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        let start = ContinuousClock.now
        let rc = sd_bus_get_property(
            bus, BusNames.service, BusNames.objectPath, BusNames.interface, p.rawValue,
            &error, &reply, p.signature)
        let latency = ContinuousClock.now - start
        guard rc >= 0, let reply else { throw SystemError("Get \(p.rawValue): \(Self.describe(error))", errno: -rc) }
        defer { sd_bus_message_unref(reply) }
        // sd_bus_get_property(3) returns the reply already inside the variant.
        return (try readBasic(reply, p.signature), latency)
    }

    public func value(_ p: BusNames.Property) throws -> BusValue { try property(p).value }

    /// Introspect on the daemon's object; the XML and how long it took.
    public func introspect() throws -> (xml: String, latency: Duration) {
        var call: OpaquePointer?
        guard
            sd_bus_message_new_method_call(
                bus, &call, BusNames.service, BusNames.objectPath,
                "org.freedesktop.DBus.Introspectable", "Introspect") >= 0,
            let call
        else { throw SystemError("new Introspect call") }
        defer { sd_bus_message_unref(call) }
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var reply: OpaquePointer?
        let start = ContinuousClock.now
        let rc = sd_bus_call(bus, call, 0, &error, &reply)
        let latency = ContinuousClock.now - start
        guard rc >= 0, let reply else { throw SystemError("Introspect: \(Self.describe(error))", errno: -rc) }
        defer { sd_bus_message_unref(reply) }
        return (try readS(reply), latency)
    }

    /// org.freedesktop.DBus.NameHasOwner(org.procwarden.Monitor1); false
    /// when the bus cannot be asked.
    public func monitorHasOwner() -> Bool {
        var call: OpaquePointer?
        guard
            sd_bus_message_new_method_call(
                bus, &call, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameHasOwner") >= 0, let call
        else { return false }
        defer { sd_bus_message_unref(call) }
        guard BusNames.service.withCString({ sd_bus_message_append_basic(call, CChar(UInt8(ascii: "s")), $0) }) >= 0
        else { return false }
        var reply: OpaquePointer?
        guard sd_bus_call(bus, call, 2_000_000, nil, &reply) >= 0, let reply else { return false }
        defer { sd_bus_message_unref(reply) }
        var owned: Int32 = 0
        return sd_bus_message_read_basic(reply, CChar(UInt8(ascii: "b")), &owned) >= 0 && owned != 0
    }

    // MARK: - Reading

    @discardableResult
    private func check(_ rc: Int32) throws -> Int32 {
        guard rc >= 0 else { throw SystemError("reading a message", errno: -rc) }
        return rc
    }

    private func readS(_ m: OpaquePointer) throws -> String {
        var p: UnsafePointer<CChar>?
        try check(sd_bus_message_read_basic(m, CChar(UInt8(ascii: "s")), &p))
        return p.map { String(cString: $0) } ?? ""
    }

    private func readU(_ m: OpaquePointer) throws -> UInt32 {
        var v: UInt32 = 0
        try check(sd_bus_message_read_basic(m, CChar(UInt8(ascii: "u")), &v))
        return v
    }

    private func readT(_ m: OpaquePointer) throws -> UInt64 {
        var v: UInt64 = 0
        try check(sd_bus_message_read_basic(m, CChar(UInt8(ascii: "t")), &v))
        return v
    }

    private func readVariant(_ m: OpaquePointer) throws -> BusValue {
        var type: CChar = 0
        var contents: UnsafePointer<CChar>?
        try check(sd_bus_message_peek_type(m, &type, &contents))
        let signature = contents.map { String(cString: $0) } ?? ""
        try check(sd_bus_message_enter_container(m, CChar(UInt8(ascii: "v")), signature))
        let value = try readBasic(m, signature)
        try check(sd_bus_message_exit_container(m))
        return value
    }

    private func readBasic(_ m: OpaquePointer, _ signature: String) throws -> BusValue {
        switch signature {
        case "s": .string(try readS(m))
        case "u": .uint32(try readU(m))
        case "t": .uint64(try readT(m))
        default: throw SystemError("unexpected type \(signature)", errno: EBADMSG)
        }
    }

    private static func describe(_ error: sd_bus_error) -> String {
        "\(error.name.map { String(cString: $0) } ?? "-"): \(error.message.map { String(cString: $0) } ?? "")"
    }
}
