import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

@Suite struct JournalModeTests {
    @Test func parsesTheThreeModes() throws {
        #expect(try JournalMode(parsing: "auto") == .auto)
        #expect(try JournalMode(parsing: "yes") == .yes)
        #expect(try JournalMode(parsing: "no") == .no)
    }

    @Test(arguments: ["", "Yes", "true", "journal", "no\n"])
    func rejectsOtherValuesInOneLine(_ value: String) {
        #expect(throws: InvalidJournalMode(value: value)) { try JournalMode(parsing: value) }
        let text = InvalidJournalMode(value: value).description
        #expect(!text.contains("\n"))
        #expect(text.hasSuffix("use auto, yes or no"))
    }

    @Test func onlyAutoEchoesAndOnlyToATerminal() {
        #expect(JournalMode.auto.echoesAlerts(toTerminal: true))
        #expect(!JournalMode.auto.echoesAlerts(toTerminal: false))
        #expect(!JournalMode.yes.echoesAlerts(toTerminal: true))
        #expect(!JournalMode.no.echoesAlerts(toTerminal: true))
    }
}
