import ProcWardenKit
import Testing

/// The one number and escape formatting funnel.
struct FormattingTests {
    static let fixedPointCases: [(UInt64, UInt64, Int, String)] = [
        (0, 1_000_000, 3, "0.000"),
        (1_234_567, 1_000_000, 3, "1.235"),
        (1_234_499, 1_000_000, 3, "1.234"),
        (999_500, 1_000_000, 3, "1.000"),
        (999_499, 1_000_000, 3, "0.999"),
        (5_000, 1_000_000, 2, "0.01"),
        (4_999, 1_000_000, 2, "0.00"),
        (150 * 1_048_576 / 100, 1_048_576, 2, "1.50"),
        (7, 2, 0, "4"),
        (UInt64.max, 1_000_000, 3, "18446744073709.552"),
    ]

    @Test(arguments: fixedPointCases)
    func fixedPointRoundsHalfUp(value: UInt64, unit: UInt64, digits: Int, expected: String) {
        #expect(Formatting.fixedPoint(value, unit: unit, fractionDigits: digits) == expected)
    }

    /// Config lines and strings the daemon already escaped: controls become
    /// escapes, backslashes are left alone so `\xff` from the daemon stays.
    @Test(arguments: [
        ("plain", "plain"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("\u{1b}[2J", "\\x1b[2J"),
        ("\u{7f}\u{85}", "\\x7f\\x85"),
        ("/tmp/\\xff", "/tmp/\\xff"),
        ("é", "é"),
    ])
    func controlCharactersEscaped(text: String, expected: String) {
        #expect(text.controlCharactersEscaped == expected)
    }
}
