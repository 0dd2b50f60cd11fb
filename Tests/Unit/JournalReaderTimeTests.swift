import Foundation
import Glibc
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@testable import procwardenctl

/// `JournalTime`, the parser of `--since`/`--until`, against values worked
/// out independently with Foundation's Calendar in explicit time zones. The
/// parser uses libc's local time, so each case sets TZ (POSIX rule strings,
/// which need no tzdata) for its duration.
@Suite(.serialized) struct JournalReaderTimeTests {
    static let second: UInt64 = 1_000_000
    /// 2026-11-26 15:58:43.238468 UTC.
    static let now: UInt64 = 1_795_708_723_238_468

    static func withTZ<T>(_ tz: String, _ body: () throws -> T) rethrows -> T {
        let saved = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", tz, 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        return try body()
    }

    /// µs since the epoch of a wall-clock time at a fixed UTC offset.
    static func micros(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, offset: Int) -> UInt64
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: offset)!
        let date = calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))!
        return UInt64(date.timeIntervalSince1970) * second
    }

    @Test func relativeTimes() {
        let minute = 60 * Self.second
        let hour = 60 * minute
        let day = 24 * hour
        let cases: [(String, UInt64)] = [
            ("now", Self.now),
            ("-1h", Self.now - hour),
            ("+5s", Self.now + 5 * Self.second),
            ("-30min", Self.now - 30 * minute),
            ("-30m", Self.now - 30 * minute),
            ("-1h 30min", Self.now - hour - 30 * minute),
            ("-1h30min", Self.now - hour - 30 * minute),
            ("1h 30min ago", Self.now - hour - 30 * minute),
            ("5min left", Self.now + 5 * minute),
            ("-1.5h", Self.now - hour - 30 * minute),
            ("-90", Self.now - 90 * Self.second),
            ("-2d", Self.now - 2 * day),
            ("-2 days", Self.now - 2 * day),
            ("-1w", Self.now - 7 * day),
            ("-500ms", Self.now - 500_000),
            ("-250us", Self.now - 250),
            ("-1M", Self.now - 2_629_800 * Self.second),
            ("-1y", Self.now - 31_557_600 * Self.second),
            ("  -1h  ", Self.now - hour),
            ("@1700000000", 1_700_000_000 * Self.second),
            ("@1700000000.5", 1_700_000_000 * Self.second + 500_000),
            ("@1700000000.000001", 1_700_000_000 * Self.second + 1),
        ]
        for (text, expected) in cases {
            #expect(JournalTime.parse(text, now: Self.now) == expected, "\(text)")
        }
        #expect(JournalTime.parse("-100y", now: Self.now) == 0, "clamped at the epoch")
    }

    @Test func calendarTimesAreLocal() {
        let offset = 5 * 3600 + 1800
        Self.withTZ("IST-5:30") {
            let cases: [(String, UInt64)] = [
                ("2026-11-26 10:00:00", Self.micros(2026, 11, 26, 10, 0, 0, offset: offset)),
                ("2026-11-26 10:00", Self.micros(2026, 11, 26, 10, 0, 0, offset: offset)),
                ("2026-11-26 23:59:59", Self.micros(2026, 11, 26, 23, 59, 59, offset: offset)),
                ("2026-11-26", Self.micros(2026, 11, 26, offset: offset)),
                ("2026-11-26T10:00:00", Self.micros(2026, 11, 26, 10, offset: offset)),
                ("2026-11-26 10:00:00.25", Self.micros(2026, 11, 26, 10, offset: offset) + 250_000),
                ("2026-1-5 7:05", Self.micros(2026, 1, 5, 7, 5, offset: offset)),
                ("2024-02-29", Self.micros(2024, 2, 29, offset: offset)),
                ("2026-11-26 10:00:00 UTC", Self.micros(2026, 11, 26, 10, offset: 0)),
                ("2026-11-26T10:00:00Z", Self.micros(2026, 11, 26, 10, offset: 0)),
                // now is 2026-11-26 21:28:43 at +05:30.
                ("10:00", Self.micros(2026, 11, 26, 10, offset: offset)),
                ("22:15:30", Self.micros(2026, 11, 26, 22, 15, 30, offset: offset)),
                ("today", Self.micros(2026, 11, 26, offset: offset)),
                ("yesterday", Self.micros(2026, 11, 25, offset: offset)),
                ("tomorrow", Self.micros(2026, 11, 27, offset: offset)),
            ]
            for (text, expected) in cases {
                #expect(JournalTime.parse(text, now: Self.now) == expected, "\(text)")
            }
        }
        // The same text means another instant in another zone.
        let utc = Self.withTZ("UTC0") { JournalTime.parse("2026-11-26 10:00", now: Self.now) }
        #expect(utc == Self.micros(2026, 11, 26, 10, offset: 0))
    }

    /// Each date gets the offset in force on it, and "yesterday" is a
    /// calendar day (23 hours long across the spring change), not now − 24h.
    @Test func daylightSavingTime() {
        Self.withTZ("EST5EDT,M3.2.0,M11.1.0") {
            #expect(JournalTime.parse("2026-07-01 12:00", now: Self.now) == Self.micros(2026, 7, 1, 16, offset: 0))
            #expect(JournalTime.parse("2026-12-01 12:00", now: Self.now) == Self.micros(2026, 12, 1, 17, offset: 0))
            // 2026-03-09 12:00 EDT; DST began 2026-03-08 at 02:00.
            let afterChange = Self.micros(2026, 3, 9, 16, offset: 0)
            #expect(JournalTime.parse("today", now: afterChange) == Self.micros(2026, 3, 9, 4, offset: 0))
            #expect(JournalTime.parse("yesterday", now: afterChange) == Self.micros(2026, 3, 8, 5, offset: 0))
        }
    }

    @Test(arguments: [
        "", "xyz", "the day before", "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-11-32",
        "25:00", "10:60", "10:00:61", "10:0", "-", "+", "-1x", "-1h foo", "ago", "@", "@abc", "@-5", "@1.1234567",
        "2026-11-26 10", "10:00:00.1234567", "10:00.5", "26-11-2026", "2026/11/26", "20261126", "nowish",
    ])
    func rejects(text: String) {
        #expect(JournalTime.parse(text, now: Self.now) == nil)
    }

    @Test func formatIsLocalAndReadsBack() {
        Self.withTZ("IST-5:30") {
            let instant = Self.micros(2026, 11, 26, 9, 5, 7, offset: 5 * 3600 + 1800) + 123_456
            #expect(JournalTime.format(instant) == "2026-11-26 09:05:07")
            #expect(JournalTime.parse(JournalTime.format(instant), now: Self.now) == instant - 123_456)
        }
        Self.withTZ("UTC0") { #expect(JournalTime.format(0) == "1970-01-01 00:00:00") }
    }

    @Test func formatSpan() {
        let cases: [(UInt64, String)] = [
            (0, "0us"), (999, "999us"), (94_022, "94ms"), (1_000_000, "1s"), (1_234_000, "1.234s"),
            (1_500_000, "1.5s"), (1_050_000, "1.05s"), (30_000_000, "30s"), (90_000_000, "1min 30s"),
            (3_600_000_000, "1h"), (90_061_000_000, "1d 1h 1min 1s"),
        ]
        for (span, text) in cases { #expect(Formatting.span(microseconds: span) == text, "\(span)") }
    }
}
