extension FixedWidthInteger {
    /// Parses ASCII decimal digits, rejecting anything else (no sign, no spaces).
    init?(decimal bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        var value: Self = 0
        for b in bytes {
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Self(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = s
        }
        self = value
    }
}

extension UInt64 {
    /// Parses lower-case ASCII hex digits, as /proc prints device numbers.
    init?(hex bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var v: UInt64 = 0
        for b in bytes {
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            default: return nil
            }
            v = v << 4 | UInt64(d)
        }
        self = v
    }
}
