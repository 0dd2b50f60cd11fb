import Foundation
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// etc/procwarden/procwarden.conf, the commented default configuration.
@Suite struct ConfigurationShippedFileTests {
    let path: String
    let text: String

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        path = root.appendingPathComponent("etc/procwarden/procwarden.conf").path
        text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// The `#Key=Value` lines, with the section each sits in.
    var commentedDefaults: [(section: String, key: String, line: String)] {
        var section = ""
        var result: [(String, String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("[") { section = String(line) }
            guard line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[line.index(after: line.startIndex)..<equals]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter }) else { continue }
            result.append((section, String(key), String(line.dropFirst())))
        }
        return result
    }

    @Test func parsesToTheDefaults() throws {
        #expect(try ConfigLoader.parse(text, path: path) == Configuration())
        #expect(try ConfigLoader(mainPath: path, requireMainFile: true).load() == Configuration())
    }

    @Test func listsEveryKeyOnceInItsSection() {
        let listed = commentedDefaults
        #expect(listed.map(\.key) == ConfigKey.allCases.map(\.name))
        for entry in listed {
            let key = ConfigKey(rawValue: entry.key)
            #expect(key.map { $0.section.header } == entry.section, "\(entry.key) is under \(entry.section)")
        }
        for section in ConfigSection.allCases {
            #expect(text.components(separatedBy: "\n").filter { $0 == section.header }.count == 1)
        }
    }

    @Test func everyCommentedDefaultEqualsTheCodesDefault() throws {
        // Uncommented and parsed over a configuration where every field differs
        // from its default: only a line that sets exactly the default restores it.
        let changed = ConfigurationFixture.everythingChanged
        let d = Configuration()
        #expect(
            changed.interval != d.interval && changed.enumerationTimeout != d.enumerationTimeout
                && changed.ignorePaths != d.ignorePaths && changed.ssdeep != d.ssdeep
                && changed.ssdeepEngine != d.ssdeepEngine
                && changed.hashBudget != d.hashBudget && changed.hashTimeout != d.hashTimeout
                && changed.maxFileSize != d.maxFileSize && changed.hashWorkers != d.hashWorkers
                && changed.similarityThreshold != d.similarityThreshold && changed.dedupWindow != d.dedupWindow
                && changed.rateLimitInterval != d.rateLimitInterval && changed.rateLimitBurst != d.rateLimitBurst
                && changed.memfdAllow != d.memfdAllow && changed.maxBaselines != d.maxBaselines
                && changed.scanSummaryEvery != d.scanSummaryEvery)

        var uncommented = ""
        for entry in commentedDefaults {
            let single = "\(entry.section)\n\(entry.line)\n"
            let key = try #require(ConfigKey(rawValue: entry.key))
            let alone = try ConfigLoader.parse(single, path: path, over: changed)
            #expect(alone != changed, "\(entry.line) changes nothing")
            if let number = ConfigurationFixture.number(key, in: alone) {
                #expect(Optional(number) == ConfigurationFixture.number(key, in: d), "\(entry.line)")
            }
            uncommented += single
        }
        #expect(try ConfigLoader.parse(uncommented, path: path, over: changed) == d)
    }
}
