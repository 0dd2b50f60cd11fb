import ProcWardenKit

/// What the org.procwarden.Monitor1 vtable (Sources/CShims/bus_vtable.c)
/// calls, one member per vtable slot. The daemon implements it; this module
/// only carries calls and replies.
///
/// A method handler either replies through `call` before it returns or
/// keeps a `DeferredBusReply`; a thrown `BusError` becomes the named D-Bus
/// error reply.
public protocol MonitorObjectHandlers: AnyObject {
    func rescan(_ call: BusCall) throws(BusError)
    func setSimilarityThreshold(_ call: BusCall) throws(BusError)
    func reload(_ call: BusCall) throws(BusError)
    func resetBaseline(_ call: BusCall) throws(BusError)
    func listExecutables(_ call: BusCall) throws(BusError)
    func listObjects(_ call: BusCall) throws(BusError)
    func listRestartNeeded(_ call: BusCall) throws(BusError)
    /// Appends the property's value to `reply`.
    func property(_ property: BusNames.Property, into reply: BusMessage) throws(BusError)
}
