import Glibc
import ProcWardenSystemd

/// Timestamps as `journalctl --since/--until` takes them (systemd.time(7)),
/// in the local time zone unless the text ends in ` UTC` or `Z`, and the
/// inverse rendering for output lines.
///
/// Accepted forms: `now`, `today`, `yesterday`, `tomorrow` (local midnight);
/// `-1h`, `+30min`, `-1h 30min`, `5min ago`, `5min left`; `@1700000000[.5]`
/// (seconds since the epoch); `2026-11-26 10:00:00[.123456]`,
/// `2026-11-26 10:00`, `2026-11-26` (midnight), `2026-11-26T10:00:00`;
/// `10:00:00` and `10:00` (today).
public enum JournalTime {
    /// Microseconds since the epoch for `text`, relative to `now` (µs since
    /// the epoch); nil when the text is not one of the accepted forms or
    /// names a date that does not exist. Calendar times go through
    /// mktime(3) (local, with the DST rule of that date) or timegm(3).
    public static func parse(_ text: String, now: UInt64) -> UInt64? {
        let t = trimmed(text)
        switch t {
        case "now": return now
        case "today": return midnight(of: now, addingDays: 0)
        case "yesterday": return midnight(of: now, addingDays: -1)
        case "tomorrow": return midnight(of: now, addingDays: 1)
        default: break
        }
        if t.hasPrefix("@") { return epoch(String(t.dropFirst())) }
        if t.hasPrefix("-") { return span(String(t.dropFirst())).flatMap { subtract(now, $0) } }
        if t.hasPrefix("+") { return span(String(t.dropFirst())).flatMap { add(now, $0) } }
        if t.hasSuffix(" ago") { return span(String(t.dropLast(4))).flatMap { subtract(now, $0) } }
        if t.hasSuffix(" left") { return span(String(t.dropLast(5))).flatMap { add(now, $0) } }
        return calendarTime(t, now: now)
    }

    /// `YYYY-MM-DD HH:MM:SS` in local time (localtime_r(3)), the form
    /// `parse` reads back.
    public static func format(_ microseconds: UInt64) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var broken = tm()
        guard localtime_r(&seconds, &broken) != nil else { return "@\(microseconds / 1_000_000)" }
        return "\(broken.tm_year + 1900)-\(two(broken.tm_mon + 1))-\(two(broken.tm_mday)) "
            + "\(two(broken.tm_hour)):\(two(broken.tm_min)):\(two(broken.tm_sec))"
    }

    // MARK: - Relative times

    /// Units of systemd.time(7); `m` is minutes and `M` months, as there.
    private static let units: [String: Double] = {
        var table: [String: Double] = [:]
        let second = 1_000_000.0
        let groups: [([String], Double)] = [
            (["us", "usec", "µs"], 1),
            (["ms", "msec"], 1_000),
            (["s", "sec", "second", "seconds"], second),
            (["m", "min", "minute", "minutes"], 60 * second),
            (["h", "hr", "hour", "hours"], 3_600 * second),
            (["d", "day", "days"], 86_400 * second),
            (["w", "week", "weeks"], 7 * 86_400 * second),
            (["M", "month", "months"], 2_629_800 * second),
            (["y", "year", "years"], 31_557_600 * second),
        ]
        for (names, value) in groups { for name in names { table[name] = value } }
        return table
    }()

    /// `1h 30min`, `1h30min`, `90` (seconds), `1.5h`: µs.
    static func span(_ text: String) -> UInt64? {
        let chars = Array(trimmed(text))
        var i = 0
        var total = 0.0
        var parts = 0
        while i < chars.count {
            while i < chars.count, chars[i] == " " { i += 1 }
            guard i < chars.count else { break }
            let numberStart = i
            while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "." { i += 1 }
            guard i > numberStart, let number = Double(String(chars[numberStart..<i])) else { return nil }
            while i < chars.count, chars[i] == " " { i += 1 }
            let unitStart = i
            while i < chars.count, chars[i].isLetter { i += 1 }
            let unit = String(chars[unitStart..<i])
            guard let scale = unit.isEmpty ? units["s"] : units[unit] else { return nil }
            total += number * scale
            parts += 1
        }
        guard parts > 0, total.isFinite, total < Double(UInt64.max / 2) else { return nil }
        return UInt64(total.rounded())
    }

    private static func add(_ a: UInt64, _ b: UInt64) -> UInt64? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    private static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 { a > b ? a - b : 0 }

    /// `@seconds[.fraction]`.
    private static func epoch(_ text: String) -> UInt64? {
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = pieces.first, !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
            let seconds = UInt64(whole), seconds < UInt64.max / 1_000_000
        else { return nil }
        guard pieces.count == 2 else { return seconds * 1_000_000 }
        guard let fraction = microseconds(fraction: pieces[1]) else { return nil }
        return seconds * 1_000_000 + fraction
    }

    /// Up to six decimal digits after the point, as µs.
    private static func microseconds(fraction: Substring) -> UInt64? {
        guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return UInt64(fraction + String(repeating: "0", count: 6 - fraction.count))
    }

    // MARK: - Calendar times

    /// `[YYYY-MM-DD][ |T][HH:MM[:SS[.ffffff]]][ UTC|Z]`, at least one of the two parts.
    private static func calendarTime(_ text: String, now: UInt64) -> UInt64? {
        var t = Substring(text)
        var utc = false
        if t.hasSuffix(" UTC") {
            utc = true
            t = t.dropLast(4)
        } else if t.hasSuffix("Z") {
            utc = true
            t = t.dropLast()
        }
        var datePart: Substring?
        var timePart: Substring?
        if let separator = t.firstIndex(where: { $0 == " " || $0 == "T" }) {
            datePart = t[..<separator]
            timePart = t[t.index(after: separator)...]
        } else if t.contains("-") {
            datePart = t
        } else {
            timePart = t
        }

        var broken = tm()
        if let datePart {
            let fields = datePart.split(separator: "-", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].count == 4,
                let year = number(fields[0], digits: 4...4), let month = number(fields[1], digits: 1...2),
                let day = number(fields[2], digits: 1...2),
                (1...12).contains(month), (1...31).contains(day)
            else { return nil }
            broken.tm_year = Int32(year - 1900)
            broken.tm_mon = Int32(month - 1)
            broken.tm_mday = Int32(day)
        } else {
            var seconds = time_t(now / 1_000_000)
            var today = tm()
            guard (utc ? gmtime_r(&seconds, &today) : localtime_r(&seconds, &today)) != nil else { return nil }
            broken.tm_year = today.tm_year
            broken.tm_mon = today.tm_mon
            broken.tm_mday = today.tm_mday
        }

        var fraction: UInt64 = 0
        if let timePart {
            var clock = timePart
            if let dot = clock.firstIndex(of: ".") {
                guard let f = microseconds(fraction: clock[clock.index(after: dot)...]) else { return nil }
                fraction = f
                clock = clock[..<dot]
            }
            let fields = clock.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(fields.count),
                let hour = number(fields[0], digits: 1...2), let minute = number(fields[1], digits: 2...2),
                hour < 24, minute < 60
            else { return nil }
            var second = 0
            if fields.count == 3 {
                guard let s = number(fields[2], digits: 2...2), s < 61 else { return nil }
                second = s
            } else if fraction != 0 {
                return nil
            }
            broken.tm_hour = Int32(hour)
            broken.tm_min = Int32(minute)
            broken.tm_sec = Int32(second)
        }

        let wanted = (broken.tm_year, broken.tm_mon, broken.tm_mday)
        broken.tm_isdst = -1
        let seconds = utc ? timegm(&broken) : mktime(&broken)
        // mktime/timegm normalise 2026-02-30 to March 2: such dates do not exist.
        guard seconds >= 0, (broken.tm_year, broken.tm_mon, broken.tm_mday) == wanted else { return nil }
        return UInt64(seconds) * 1_000_000 + fraction
    }

    /// Local midnight `days` days from the day of `now`.
    private static func midnight(of now: UInt64, addingDays days: Int32) -> UInt64? {
        var seconds = time_t(now / 1_000_000)
        var broken = tm()
        guard localtime_r(&seconds, &broken) != nil else { return nil }
        broken.tm_hour = 0
        broken.tm_min = 0
        broken.tm_sec = 0
        broken.tm_mday += days
        broken.tm_isdst = -1
        let result = mktime(&broken)
        return result >= 0 ? UInt64(result) * 1_000_000 : nil
    }

    private static func number(_ text: Substring, digits: ClosedRange<Int>) -> Int? {
        guard digits.contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }

    private static func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
