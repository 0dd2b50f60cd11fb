import CSystemd
import Glibc
import ProcWardenKit

/// One incoming method call: its arguments, the caller's identity and the
/// reply. A handler that answers later keeps the call with `deferReply()`.
public struct BusCall {
    /// The call's arguments, read in order.
    public let arguments: BusMessage

    init(_ message: OpaquePointer) { arguments = BusMessage(raw: message) }

    /// Refuses callers whose effective uid is not 0, as the bus reports it
    /// with sd_bus_query_sender_creds(3), and credentials sd-bus had to read
    /// racily from /proc (augmented).
    ///
    /// On dbus-daemon (messages carry no credentials) sd-bus answers
    /// SD_BUS_CREDS_EUID with GetConnectionUnixUser: the uid the bus took
    /// from SO_PEERCRED when the caller connected, which is its euid then.
    /// That is not augmented (sd-bus reads /proc only when asked for
    /// SD_BUS_CREDS_AUGMENT), and a caller cannot change it afterwards. So
    /// root passes; nobody, or root that set only its euid to nobody before
    /// connecting, does not (BusAccessTests).
    public func requireRoot() throws(BusError) {
        var creds: OpaquePointer?
        let rc = sd_bus_query_sender_creds(arguments.raw, UInt64(SD_BUS_CREDS_EUID), &creds)
        guard rc >= 0, let creds else { throw .accessDenied("cannot determine the caller's identity") }
        defer { sd_bus_creds_unref(creds) }
        let augmented = sd_bus_creds_get_augmented_mask(creds)
        var euid: uid_t = 0
        guard augmented & UInt64(SD_BUS_CREDS_EUID) == 0, sd_bus_creds_get_euid(creds, &euid) >= 0 else {
            throw .accessDenied("cannot determine the caller's effective uid reliably")
        }
        guard euid == 0 else { throw .accessDenied("only root may call this method") }
    }

    /// Sends the method return, filled by `fill` (nothing for an empty reply).
    public func reply(_ fill: (BusMessage) throws(BusError) -> Void = { _ in }) throws(BusError) {
        var created: OpaquePointer?
        do {
            try SystemCall.negativeErrno("sd_bus_message_new_method_return") {
                sd_bus_message_new_method_return(arguments.raw, &created)
            }
        } catch {
            throw .failed("cannot create the reply: \(String(cString: strerror(error.errno)))")
        }
        let reply = created!
        defer { sd_bus_message_unref(reply) }
        try fill(BusMessage(raw: reply))
        do {
            try SystemCall.negativeErrno("sd_bus_send") { sd_bus_send(nil, reply, nil) }
        } catch {
            throw .failed("cannot send the reply: \(String(cString: strerror(error.errno)))")
        }
    }

    /// Keeps the call alive for an answer after the handler returns.
    public func deferReply() -> DeferredBusReply { DeferredBusReply(self) }
}

/// A method call answered later (Rescan replies when its scan ends). The
/// message is referenced until `reply` runs or the value is dropped.
public final class DeferredBusReply {
    private let call: BusCall

    fileprivate init(_ call: BusCall) {
        sd_bus_message_ref(call.arguments.raw)
        self.call = call
    }

    deinit { sd_bus_message_unref(call.arguments.raw) }

    public func reply(_ fill: (BusMessage) throws(BusError) -> Void) throws(BusError) {
        try call.reply(fill)
    }
}
