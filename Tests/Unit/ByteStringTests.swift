import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// `ByteString.escaped`: one terminal-safe line whatever the bytes.
struct ByteStringTests {
    @Test(
        arguments: [
            ([UInt8]("plain /usr/bin/x".utf8), "plain /usr/bin/x"),
            (Array("a\nb".utf8), "a\\nb"),
            (Array("a\tb".utf8), "a\\tb"),
            (Array("back\\slash".utf8), "back\\\\slash"),
            ([0x61, 0xff, 0x62], "a\\xffb"),
            ([0x1b, 0x5b, 0x32, 0x4a], "\\x1b[2J"),
            ([0x0d, 0x00, 0x7f], "\\x0d\\x00\\x7f"),
            (Array("é → ✓".utf8), "é → ✓"),
            // C1 controls (U+0080–U+009F) are valid UTF-8 but act on terminals.
            ([0xc2, 0x85], "\\xc2\\x85"),
            // A truncated sequence, an overlong encoding and a lone continuation byte.
            ([0x78, 0xe2, 0x82], "x\\xe2\\x82"),
            ([0xc0, 0xaf], "\\xc0\\xaf"),
            ([0x80], "\\x80"),
            // A surrogate half encoded in UTF-8 is not valid UTF-8.
            ([0xed, 0xa0, 0x80], "\\xed\\xa0\\x80"),
        ] as [([UInt8], String)])
    func escaped(bytes: [UInt8], expected: String) {
        let escaped = ByteString(bytes).escaped
        #expect(escaped == expected)
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || (0x7f..<0xa0).contains($0.value) })
    }

    @Test func suffixAndPrefix() {
        let path: ByteString = "/tmp/x (deleted)"
        #expect(path.hasSuffix(" (deleted)"))
        #expect(!ByteString("/tmp/x (deleted) y").hasSuffix(" (deleted)"))
        #expect(!ByteString("d)").hasSuffix(" (deleted)"))
        #expect(path.hasPrefix("/tmp/"))
        #expect(!ByteString("/memfd").hasPrefix("/memfd:"))
    }

    @Test func utf8String() {
        #expect(ByteString("é").utf8String == "é")
        #expect(ByteString([0x61, 0xff]).utf8String == nil)
    }
}
