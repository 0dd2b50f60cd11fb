import ProcWardenKit
import ProcWardenSystemd
import Testing

/// How an error message quotes a caller's string (SPEC §9: at most 200
/// bytes of it), and which scalars are noncharacters.
@Suite struct BusErrorQuotingTests {
    @Test func shortStringsAreQuotedWhole() {
        #expect(BusError.quoting("/usr/bin/sshd") == "/usr/bin/sshd")
        #expect(BusError.quoting(String(repeating: "a", count: 200)) == String(repeating: "a", count: 200))
        #expect(BusError.quoting("/a\nb\u{1B}") == "/a\\nb\\x1b")
    }

    @Test func longStringsAreCutAt200BytesWithTheirLength() {
        let long = String(repeating: "a", count: 1 << 20)
        #expect(BusError.quoting(long) == String(repeating: "a", count: 200) + "… (1048576 bytes)")
        // Two-byte characters: the cut never splits one.
        let wide = "a" + String(repeating: "é", count: 300)
        #expect(BusError.quoting(wide) == "a" + String(repeating: "é", count: 99) + "… (601 bytes)")
    }

    @Test func noncharacters() {
        for value: UInt32 in [0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF] {
            #expect(BusMessage.isNoncharacter(Unicode.Scalar(value)!), "\(value)")
        }
        for value: UInt32 in [0x41, 0xFDCF, 0xFDF0, 0xFFFD, 0x1FFFD, 0x10000] {
            #expect(!BusMessage.isNoncharacter(Unicode.Scalar(value)!), "\(value)")
        }
    }
}
