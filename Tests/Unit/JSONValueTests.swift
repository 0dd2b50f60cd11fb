import Foundation
import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// JSONValue renders byte-exact, RFC 8259-valid JSON.
struct JSONValueTests {
    @Test func escapesControlCharactersQuotesAndBackslashes() {
        let value = JSONValue.string("q\"b\\n\nr\rt\t\u{1}\u{1f}\u{7f}é")
        #expect(value.text == #""q\"b\\n\nr\rt\t\u0001\u001f\u007fé""#)
    }

    @Test func invalidUTF8BecomesByteArray() {
        #expect(JSONValue.bytes(ByteString([0x61, 0xff, 0x0a])).text == "[97,255,10]")
    }

    @Test func validUTF8BytesBecomeString() {
        #expect(JSONValue.bytes(ByteString("a\nb é")).text == #""a\nb é""#)
    }

    @Test func scalarsAndContainers() {
        let value = JSONValue.object([
            ("z", .null), ("a", .bool(true)), ("f", .bool(false)),
            ("i", .int(-42)), ("u", .uint(UInt64.max)),
            ("list", .array([.int(1), .string("x"), .array([])])), ("empty", .object([])),
            ("opt", .optional(nil as String?)), ("optBytes", .optional(ByteString("p") as ByteString?)),
        ])
        #expect(
            value.text
                == #"{"z":null,"a":true,"f":false,"i":-42,"u":18446744073709551615,"list":[1,"x",[]],"empty":{},"opt":null,"optBytes":"p"}"#
        )
    }

    @Test func keysAreEscapedToo() {
        #expect(JSONValue.object([("k\"\n", .null)]).text == #"{"k\"\n":null}"#)
    }

    /// Every byte value 0–255 in a path survives a parse by a standard JSON
    /// reader and the report's byte convention.
    @Test func everyByteSurvivesRoundTrip() throws {
        let valid = ByteString((1...0x7f).map { UInt8($0) } + Array("é✓".utf8))
        let invalid = ByteString((0...255).map { UInt8($0) })
        let rendered = JSONValue.array([.bytes(valid), .bytes(invalid)]).rendered()
        #expect(!rendered.contains { $0 < 0x20 }, "no raw control byte reaches the output")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(rendered)) as? [Any])
        #expect(JSONBytes.decode(parsed[0]) == valid)
        #expect(JSONBytes.decode(parsed[1]) == invalid)
        #expect(parsed[1] is [NSNumber])
    }
}
