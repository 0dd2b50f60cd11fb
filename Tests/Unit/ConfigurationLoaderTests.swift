import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

@Suite struct ConfigurationLoaderTests {
    @Test func missingMainFileAndDropInDirectoryMeanDefaults() throws {
        let fixture = try ConfigurationFixture()
        let loader = ConfigLoader(mainPath: fixture.path("procwarden.conf"))
        #expect(try loader.load() == Configuration())
        #expect(try loader.files() == [fixture.path("procwarden.conf")])
    }

    @Test func missingMainFileIsAnErrorWhenRequired() throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("typo.conf")
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader(mainPath: main, requireMainFile: true).load()
        }
        #expect(error.description == "\(main): cannot read: No such file or directory")
    }

    @Test func mainFileIsApplied() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let c = try ConfigLoader(mainPath: main, requireMainFile: true).load()
        var expected = Configuration()
        expected.similarityThreshold = 70
        #expect(c == expected)
    }

    @Test func dropInsOverrideTheMainFileInLexicalOrder() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write(
            "procwarden.conf",
            """
            [Scan]
            IntervalSec=10
            EnumerationTimeoutSec=9
            [Alerts]
            SimilarityThreshold=70
            RateLimitBurst=7
            """)
        // Written in the opposite order to their names, so creation order cannot pass for lexical order.
        try fixture.write("procwarden.conf.d/20-late.conf", "[Alerts]\nSimilarityThreshold=60\n")
        try fixture.write(
            "procwarden.conf.d/10-early.conf",
            "[Alerts]\nSimilarityThreshold=50\nRateLimitBurst=8\n[Scan]\nIntervalSec=20\n")
        let loader = ConfigLoader(mainPath: main)
        #expect(
            try loader.dropInFiles() == [
                fixture.path("procwarden.conf.d/10-early.conf"),
                fixture.path("procwarden.conf.d/20-late.conf"),
            ])
        let c = try loader.load()
        #expect(c.similarityThreshold == 60)
        #expect(c.rateLimitBurst == 8)
        #expect(c.interval == .seconds(20))
        #expect(c.enumerationTimeout == .seconds(9))
    }

    @Test func lexicalOrderIsByteOrderNotNumeric() throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        try fixture.write("procwarden.conf.d/9.conf", "[Alerts]\nSimilarityThreshold=9\n")
        try fixture.write("procwarden.conf.d/10.conf", "[Alerts]\nSimilarityThreshold=10\n")
        try fixture.write("procwarden.conf.d/Z.conf", "[Alerts]\nRateLimitBurst=26\n")
        try fixture.write("procwarden.conf.d/a.conf", "[Alerts]\nRateLimitBurst=1\n")
        let c = try ConfigLoader(mainPath: main).load()
        #expect(c.similarityThreshold == 9)
        #expect(c.rateLimitBurst == 1)
    }

    @Test func onlyVisibleConfFilesAreDropIns() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let bad = "[Alerts]\nSimilarityThreshold=this would fail\n"
        for name in ["50-x.conf.bak", "50-x.conf~", "README", ".50-hidden.conf", ".conf", "50-x.conf.dpkg-old", "conf"]
        {
            try fixture.write("procwarden.conf.d/\(name)", bad)
        }
        try fixture.makeDirectory("procwarden.conf.d/sub.d")
        try fixture.write("procwarden.conf.d/60-real.conf", "[Alerts]\nRateLimitBurst=5\n")
        let loader = ConfigLoader(mainPath: main)
        #expect(try loader.dropInFiles() == [fixture.path("procwarden.conf.d/60-real.conf")])
        let c = try loader.load()
        #expect(c.similarityThreshold == 70)
        #expect(c.rateLimitBurst == 5)
    }

    @Test func listsAppendAcrossFilesAndAnEmptyAssignmentResets() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write(
            "procwarden.conf", "[Alerts]\nMemfdAllow=runc_cloned:* crun:*\n[Scan]\nIgnorePaths=/opt/a/*\n")
        try fixture.write("procwarden.conf.d/10-add.conf", "[Alerts]\nMemfdAllow=youki:*\n")
        try fixture.write("procwarden.conf.d/20-replace.conf", "[Scan]\nIgnorePaths=\nIgnorePaths=/opt/b/*\n")
        let c = try ConfigLoader(mainPath: main).load()
        #expect(c.memfdAllow == ["runc_cloned:*", "crun:*", "youki:*"])
        #expect(c.ignorePaths == ["/opt/b/*"])
    }

    @Test func aDropInAloneReplacesTheListDefault() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("procwarden.conf.d/10.conf", "[Alerts]\nMemfdAllow=crun:*\n")
        #expect(try ConfigLoader(mainPath: fixture.path("procwarden.conf")).load().memfdAllow == ["crun:*"])
    }

    @Test func theSameKeyMayAppearOnceInEachFile() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Hashing]\nSsdeep=no\n")
        try fixture.write("procwarden.conf.d/a.conf", "[Hashing]\nSsdeep=yes\n")
        try fixture.write("procwarden.conf.d/b.conf", "[Hashing]\nSsdeep=no\nHashWorkers=2\nHashWorkers=3\n")
        let error = try #require(throws: ConfigError.self) { try ConfigLoader(mainPath: main).load() }
        #expect(
            error.description
                == "\(fixture.path("procwarden.conf.d/b.conf")):4: duplicate key HashWorkers=3, already set on line 3 (valid: auto or 1–64, once per file; override it in a drop-in)"
        )
    }

    @Test func aBadDropInNamesItsOwnFileAndLine() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let dropIn = try fixture.write("procwarden.conf.d/50-bad.conf", "# tuned\n[Hashing]\n\nMaxFileSize=128G\n")
        let error = try #require(throws: ConfigError.self) { try ConfigLoader(mainPath: main).load() }
        #expect(error.description == "\(dropIn):4: MaxFileSize=128G is out of range (valid: 1K–64G)")
    }

    @Test func aDirectoryInPlaceOfTheMainFileIsUnreadable() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.makeDirectory("procwarden.conf")
        let error = try #require(throws: ConfigError.self) { try ConfigLoader(mainPath: main).load() }
        #expect(error.path == main)
        #expect(error.line == nil)
        #expect(error.problem == .unreadable(reason: "Is a directory"))
        #expect(error.description == "\(main): cannot read: Is a directory")
    }

    @Test func aDirectoryNamedLikeADropInIsUnreadable() throws {
        let fixture = try ConfigurationFixture()
        let dir = try fixture.makeDirectory("procwarden.conf.d/10-dir.conf")
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader(mainPath: fixture.path("procwarden.conf")).load()
        }
        #expect(error.description == "\(dir): cannot read: Is a directory")
    }

    @Test func aFileInPlaceOfTheDropInDirectoryIsUnreadable() throws {
        let fixture = try ConfigurationFixture()
        let notDir = try fixture.write("procwarden.conf.d", "[Scan]\n")
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader(mainPath: fixture.path("procwarden.conf")).load()
        }
        #expect(error.description == "\(notDir): cannot read: Not a directory")
    }

    @Test func aDanglingDropInSymlinkIsUnreadable() throws {
        let fixture = try ConfigurationFixture()
        try fixture.makeDirectory("procwarden.conf.d")
        let link = fixture.path("procwarden.conf.d/10-gone.conf")
        #expect(symlink(fixture.path("nowhere.conf"), link) == 0)
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader(mainPath: fixture.path("procwarden.conf")).load()
        }
        #expect(error.description == "\(link): cannot read: No such file or directory")
    }

    @Test func aFIFOInPlaceOfTheMainFileDoesNotHang() throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        #expect(mkfifo(main, 0o600) == 0)
        // No writer: a non-blocking open reads end-of-file at once.
        #expect(try ConfigLoader(mainPath: main).load() == Configuration())
    }

    @Test func aMaskedDropInReadsAsEmpty() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        try fixture.makeDirectory("procwarden.conf.d")
        #expect(symlink("/dev/null", fixture.path("procwarden.conf.d/10-null.conf")) == 0)
        #expect(try ConfigLoader(mainPath: main).load().similarityThreshold == 70)
    }

    @Test func anOversizedFileIsRefused() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Scan]\n" + String(repeating: "# padding\n", count: 110_000))
        let error = try #require(throws: ConfigError.self) { try ConfigLoader(mainPath: main).load() }
        #expect(error.description == "\(main): cannot read: File too large")
    }

    @Test func invalidUTF8IsEscapedAndABadValueNotACrash() throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        try DurableFile.write(Array("[Alerts]\nSimilarityThreshold=7".utf8) + [0xff, 0x0a], to: main)
        let error = try #require(throws: ConfigError.self) { try ConfigLoader(mainPath: main).load() }
        #expect(error.line == 2)
        #expect(error.problem == .invalidValue(.similarityThreshold, value: "7\\xff", reason: "is not a number"))
    }
}
