/// The one place numbers become text for people: log lines, journal
/// messages, the summary line and procwardenctl's output.
public enum Formatting {
    /// `value / unit` rounded to `fractionDigits` decimals, without floating
    /// point: `(1_234_567, 1_000_000, 3)` → `1.235`.
    public static func fixedPoint(_ value: UInt64, unit: UInt64, fractionDigits: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        var whole = value / unit
        // The remainder is below `unit`, so this stays small for any unit
        // the callers use (µs per second, bytes per MiB).
        var fraction = (value % unit * scale + unit / 2) / unit
        if fraction == scale {
            whole += 1
            fraction = 0
        }
        guard fractionDigits > 0 else { return String(whole) }
        let digits = String(fraction)
        return "\(whole)." + String(repeating: "0", count: fractionDigits - digits.count) + digits
    }

    /// A duration as systemd writes it: `1.234s`, `30s`, `5min`, `2h 5min`.
    public static func span(microseconds: UInt64) -> String {
        if microseconds < 1_000 { return "\(microseconds)us" }
        if microseconds < 1_000_000 {
            return "\(microseconds / 1_000)ms"
        }
        if microseconds < 60_000_000 {
            let millis = microseconds / 1_000
            var text = "\(millis / 1_000)"
            if millis % 1_000 > 0 {
                var digits = String(millis % 1_000 + 1_000).dropFirst()
                while digits.last == "0" { digits = digits.dropLast() }
                text += "." + digits
            }
            return text + "s"
        }
        var rest = microseconds / 1_000_000
        var parts: [String] = []
        for (unit, length) in [("d", UInt64(86_400)), ("h", 3_600), ("min", 60), ("s", 1)] where rest >= length {
            parts.append("\(rest / length)\(unit)")
            rest %= length
        }
        return parts.joined(separator: " ")
    }
}
