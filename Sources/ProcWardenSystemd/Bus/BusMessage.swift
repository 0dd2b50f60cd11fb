import CSystemd
import Glibc
import ProcWardenKit

/// Typed reading and writing of sd-bus messages through the non-variadic
/// sd_bus_message_append_basic(3) / sd_bus_message_read_basic(3).
public struct BusMessage {
    public let raw: OpaquePointer

    public init(raw: OpaquePointer) { self.raw = raw }

    public func append(_ value: UInt64) throws(BusError) {
        var v = value
        try check(sd_bus_message_append_basic(raw, Self.type("t"), &v), "append t")
    }

    public func append(_ value: UInt32) throws(BusError) {
        var v = value
        try check(sd_bus_message_append_basic(raw, Self.type("u"), &v), "append u")
    }

    public func append(_ value: Bool) throws(BusError) {
        var v: Int32 = value ? 1 : 0
        try check(sd_bus_message_append_basic(raw, Self.type("b"), &v), "append b")
    }

    /// D-Bus strings must be valid UTF-8 without NUL; other bytes are sent in
    /// their escaped form (`\xNN`), as the terminal output shows them.
    public func append(_ value: String) throws(BusError) {
        try check(value.withCString { sd_bus_message_append_basic(raw, Self.type("s"), $0) }, "append s")
    }

    public func append(_ value: ByteString) throws(BusError) {
        try append(value.utf8String.flatMap { $0.contains("\0") ? nil : $0 } ?? value.escaped)
    }

    public func open(_ type: Character, _ contents: String) throws(BusError) {
        try check(sd_bus_message_open_container(raw, Self.type(type), contents), "open container")
    }

    public func close() throws(BusError) {
        try check(sd_bus_message_close_container(raw), "close container")
    }

    public func readUInt64() throws(BusError) -> UInt64 {
        var v: UInt64 = 0
        try check(sd_bus_message_read_basic(raw, Self.type("t"), &v), "read t")
        return v
    }

    public func enter(_ type: Character, _ contents: String) throws(BusError) {
        try check(sd_bus_message_enter_container(raw, Self.type(type), contents), "enter container")
    }

    /// Enters the next container; false at the end of the enclosing array.
    public func enterIfPresent(_ type: Character, _ contents: String) throws(BusError) -> Bool {
        let rc = sd_bus_message_enter_container(raw, Self.type(type), contents)
        try check(rc, "enter container")
        return rc > 0
    }

    public func exit() throws(BusError) {
        try check(sd_bus_message_exit_container(raw), "exit container")
    }

    public func readUInt32() throws(BusError) -> UInt32 {
        var v: UInt32 = 0
        try check(sd_bus_message_read_basic(raw, Self.type("u"), &v), "read u")
        return v
    }

    public func readBool() throws(BusError) -> Bool {
        var v: Int32 = 0
        try check(sd_bus_message_read_basic(raw, Self.type("b"), &v), "read b")
        return v != 0
    }

    /// A string argument. sd-bus refuses to read a string with Unicode
    /// noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), which the D-Bus
    /// specification and dbus-daemon let through: that is the caller's
    /// mistake, `invalidArgument`, and so is such a string when sd-bus does
    /// read it.
    public func readString() throws(BusError) -> String {
        var p: UnsafePointer<CChar>?
        let rc = sd_bus_message_read_basic(raw, Self.type("s"), &p)
        if rc == -EBADMSG {
            throw .invalidArgument(
                "a string argument is not valid UTF-8 or holds Unicode noncharacters (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF)")
        }
        try check(rc, "read s")
        let string = p.map { String(cString: $0) } ?? ""
        if let bad = string.unicodeScalars.first(where: Self.isNoncharacter) {
            throw .invalidArgument(
                "'\(BusError.quoting(string))' holds the Unicode noncharacter U+\(String(bad.value, radix: 16, uppercase: true))"
            )
        }
        return string
    }

    /// U+FDD0–U+FDEF and the last two code points of every plane.
    public static func isNoncharacter(_ scalar: Unicode.Scalar) -> Bool {
        (0xFDD0...0xFDEF).contains(scalar.value) || scalar.value & 0xFFFE == 0xFFFE
    }

    public static func type(_ c: Character) -> CChar { CChar(c.asciiValue!) }

    private func check(_ rc: Int32, _ what: String) throws(BusError) {
        do { try SystemCall.negativeErrno(what) { rc } } catch { throw .failed(error.description) }
    }
}
