import ProcWardenKit
import ProcWardenTestSupport
import Testing

@Suite struct ConfigurationErrorTests {
    let path = "/etc/procwarden/procwarden.conf"

    func error(_ text: String) throws -> ConfigError {
        try #require(throws: ConfigError.self) { try ConfigLoader.parse(text, path: path) }
    }

    @Test func exitCodeIsEXConfig() {
        #expect(ConfigError.exitCode == 78)
    }

    @Test func outOfRangeNamesFileLineKeyValueAndRange() throws {
        let e = try error("# comment\n\n[Alerts]\n; another\n  SimilarityThreshold = 100  \n")
        #expect(e.path == path)
        #expect(e.line == 5)
        #expect(
            e.description == "/etc/procwarden/procwarden.conf:5: SimilarityThreshold=100 is out of range (valid: 1–99)")
    }

    @Test func unknownKey() throws {
        let e = try error("[Scan]\nIntervalSec=30\nScanEverySec=10\n")
        #expect(e.line == 3)
        #expect(e.problem == .unknownKey(key: "ScanEverySec", value: "10", section: .scan))
        #expect(
            e.description
                == "\(path):3: unknown key ScanEverySec=10 in [Scan] (valid: IntervalSec, EnumerationTimeoutSec, IgnorePaths, SharedObjects, NewProcessIntervalSec, Watch)"
        )
    }

    @Test func keyInTheWrongSectionSaysWhereItBelongs() throws {
        let e = try error("[Scan]\nSsdeep=no\n")
        #expect(
            e.description
                == "\(path):2: unknown key Ssdeep=no in [Scan]; it belongs in [Hashing] (valid: IntervalSec, EnumerationTimeoutSec, IgnorePaths, SharedObjects, NewProcessIntervalSec, Watch)"
        )
    }

    @Test func keysAreCaseSensitiveWithAHint() throws {
        let e = try error("[Alerts]\nsimilaritythreshold=50\n")
        #expect(e.problem == .unknownKey(key: "similaritythreshold", value: "50", section: .alerts))
        #expect(e.description.contains("did you mean SimilarityThreshold?"))
        #expect(e.description.hasPrefix("\(path):2: unknown key similaritythreshold=50 in [Alerts]"))
    }

    @Test func unknownSection() throws {
        let e = try error("[Scan]\nIntervalSec=30\n\n[Journal]\nStorage=auto\n")
        #expect(e.line == 4)
        #expect(e.problem == .unknownSection(name: "Journal"))
        #expect(
            e.description == "\(path):4: unknown section [Journal] (valid: [Scan], [Hashing], [Alerts], [Packages])")
    }

    @Test func keyOutsideASection() throws {
        let known = try error("# top\nIntervalSec=60\n[Scan]\n")
        #expect(known.problem == .keyOutsideSection(key: "IntervalSec", value: "60"))
        #expect(known.description == "\(path):2: IntervalSec=60 is outside any section (valid: under [Scan])")
        let unknown = try error("Foo=bar\n")
        #expect(
            unknown.description
                == "\(path):1: Foo=bar is outside any section (valid: after one of [Scan], [Hashing], [Alerts], [Packages])"
        )
    }

    @Test func duplicateKeyInOneFile() throws {
        let e = try error("[Scan]\nIntervalSec=30\nEnumerationTimeoutSec=5\nIntervalSec=60\n")
        #expect(e.line == 4)
        #expect(e.problem == .duplicateKey(.intervalSec, value: "60", firstLine: 2))
        #expect(
            e.description
                == "\(path):4: duplicate key IntervalSec=60, already set on line 2 (valid: 1–86400 seconds, once per file; override it in a drop-in)"
        )
    }

    @Test func duplicateKeyAcrossRepeatedSectionHeaders() throws {
        let e = try error("[Hashing]\nSsdeep=yes\n[Scan]\n[Hashing]\nSsdeep=no\n")
        #expect(e.problem == .duplicateKey(.ssdeep, value: "no", firstLine: 2))
    }

    @Test func linesThatAreNotAssignmentsOrHeaders() throws {
        let noEquals = try error("[Scan]\nIntervalSec 30\n")
        #expect(noEquals.description == "\(path):2: IntervalSec 30 is not a [Section] header or a Key=Value assignment")
        let noKey = try error("[Scan]\n=30\n")
        #expect(noKey.problem == .syntax(line: "=30"))
        let openHeader = try error("[Scan\n")
        #expect(openHeader.problem == .syntax(line: "[Scan"))
        let trailingComment = try error("[Scan] # the scan\n")
        #expect(trailingComment.line == 1)
    }

    @Test func controlCharactersInValuesStayOnOneLine() throws {
        let e = try error("[Alerts]\nSimilarityThreshold=9\u{1b}[2J\n")
        #expect(e.description == "\(path):2: SimilarityThreshold=9\\x1b[2J is not a number (valid: 1–99)")
        #expect(!e.description.contains("\u{1b}"))
    }

    @Test func errorsWithoutAFileHaveNoLocation() {
        let e = ConfigError(path: nil, problem: .outOfRange(.similarityThreshold, value: "0"))
        #expect(e.description == "SimilarityThreshold=0 is out of range (valid: 1–99)")
    }

    @Test func theFirstProblemIsReported() throws {
        let e = try error("[Alerts]\nRateLimitBurst=0\n[Nope]\n")
        #expect(e.line == 2)
        #expect(e.problem == .outOfRange(.rateLimitBurst, value: "0"))
    }

    @Test func syntaxThatSystemdAccepts() throws {
        let c = try ConfigLoader.parse(
            "\u{FEFF}[Scan]\r\n\tIntervalSec\t=\t45\r\n# x=1\r\n;y=2\r\n\r\n"
                + "IgnorePaths=/a \\\n# skipped inside a continuation\n  /b \\\n  /c\n[Alerts]\nMemfdAllow=x#y\n",
            path: path)
        #expect(c.interval == .seconds(45))
        #expect(c.ignorePaths == ["/a", "/b", "/c"])
        #expect(c.memfdAllow == ["x#y"])
    }
}
