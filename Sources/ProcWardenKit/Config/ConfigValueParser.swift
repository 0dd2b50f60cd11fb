/// The value syntaxes of procwarden.conf, as systemd spells them. Numbers
/// that overflow saturate at `Int.max`, so they fail the range check and the
/// error still shows the value as written.
enum ConfigValueParser {
    /// A plain decimal number: digits only, no sign.
    static func integer(_ text: String) -> Int? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { accumulate($0, $1) }
    }

    /// A time span in whole seconds: `30`, `30s`, `5min`, `1h 30min`
    /// (units s/sec, m/min, h/hr, d, w and their long forms). A bare number
    /// means seconds, as in systemd. Sub-second units are not accepted.
    static func timeSpan(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        var i = 0
        var total = 0
        var components = 0
        while true {
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { break }
            guard isDigit(bytes[i]) else { return nil }
            var number = 0
            while i < bytes.count, isDigit(bytes[i]) {
                number = accumulate(number, bytes[i])
                i += 1
            }
            while i < bytes.count, isSpace(bytes[i]) { i += 1 }
            let unitStart = i
            while i < bytes.count, isLetter(bytes[i]) { i += 1 }
            guard let multiplier = timeUnits[String(decoding: bytes[unitStart..<i], as: UTF8.self)] else { return nil }
            total = saturatingAdd(total, saturatingMultiply(number, multiplier))
            components += 1
        }
        return components > 0 ? total : nil
    }

    /// A time span in milliseconds that may be fractional: `0.5`, `0.5s`,
    /// `500ms`, `2`; one component. A bare number means seconds, as in
    /// systemd; digits past the millisecond make it invalid.
    static func milliseconds(_ text: String) -> Int? {
        let trimmed = text.utf8.drop(while: isSpace).reversed().drop(while: isSpace).reversed()
        let unitStart = trimmed.firstIndex(where: isLetter) ?? trimmed.endIndex
        let scale: Int
        switch String(decoding: trimmed[unitStart...], as: UTF8.self) {
        case "", "s", "sec": scale = 1000
        case "ms", "msec": scale = 1
        default: return nil
        }
        let number = Array(trimmed[..<unitStart])
        let parts = number.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy(isDigit) }) else { return nil }
        var fraction = parts.count == 2 ? Array(parts[1]) : []
        guard parts.count == 1 || !fraction.isEmpty else { return nil }
        let places = scale == 1000 ? 3 : 0
        while fraction.count > places, fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        guard fraction.count <= places else { return nil }
        fraction += Array(repeating: UInt8(ascii: "0"), count: places - fraction.count)
        let whole = parts[0].reduce(0) { accumulate($0, $1) }
        return saturatingAdd(saturatingMultiply(whole, scale), fraction.reduce(0) { accumulate($0, $1) })
    }

    /// A size in bytes, with an optional K, M, G or T suffix (base 1024).
    static func size(_ text: String) -> Int? {
        var digits = Substring(text)
        var multiplier = 1
        if let last = digits.last, let shift = sizeSuffixes[last] {
            multiplier = 1 << shift
            digits = digits.dropLast()
        }
        guard let number = integer(String(digits)) else { return nil }
        return saturatingMultiply(number, multiplier)
    }

    /// A boolean as systemd's parse_boolean() accepts it, case-insensitively.
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "yes", "y", "true", "t", "on": true
        case "0", "no", "n", "false", "f", "off": false
        default: nil
        }
    }

    /// Whitespace-separated words. Single or double quotes keep a word with
    /// spaces together and are removed; backslashes are left alone, since
    /// fnmatch(3) gives them meaning. nil when a quote is not closed.
    static func words(_ text: String) -> [String]? {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        guard quote == nil else { return nil }
        if inWord { words.append(current) }
        return words
    }

    private static let timeUnits: [String: Int] = [
        "": 1, "s": 1, "sec": 1, "second": 1, "seconds": 1,
        "m": 60, "min": 60, "minute": 60, "minutes": 60,
        "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600,
        "d": 86_400, "day": 86_400, "days": 86_400,
        "w": 604_800, "week": 604_800, "weeks": 604_800,
    ]

    private static let sizeSuffixes: [Character: Int] = [
        "K": 10, "k": 10, "M": 20, "m": 20, "G": 30, "g": 30, "T": 40, "t": 40,
    ]

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
    private static func isSpace(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }
    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
    }

    private static func accumulate(_ number: Int, _ digit: UInt8) -> Int {
        saturatingAdd(saturatingMultiply(number, 10), Int(digit - UInt8(ascii: "0")))
    }

    private static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    private static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
