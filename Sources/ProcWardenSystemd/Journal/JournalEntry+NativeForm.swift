import ProcWardenKit

extension JournalEntry {
    /// The entry as one datagram of journald's native protocol
    /// (systemd-journald.service(8)): `NAME=value\n` for a value without a
    /// newline; for a value with one, `NAME\n`, the value's length as a
    /// 64-bit little-endian integer, the value's bytes unchanged, `\n`.
    /// So no value, whatever it holds, can start another field.
    public var nativeForm: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(fields.reduce(0) { $0 + $1.name.rawValue.utf8.count + $1.value.bytes.count + 10 })
        for field in fields {
            out += field.name.rawValue.utf8
            let value = field.value.bytes
            if value.contains(UInt8(ascii: "\n")) {
                out.append(UInt8(ascii: "\n"))
                withUnsafeBytes(of: UInt64(value.count).littleEndian) { out += $0 }
            } else {
                out.append(UInt8(ascii: "="))
            }
            out += value
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}
