import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Synchronization
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

    /// SPEC §5: a FIFO, socket or directory at the main path is an error
    /// naming the file, whether the path is the default or `--config`.
    @Test(arguments: SpecialFile.allCases, [false, true])
    func aSpecialFileInPlaceOfTheMainFileIsAnError(special: SpecialFile, required: Bool) throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        try special.make(at: main)
        try fixture.write("procwarden.conf.d/50-local.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let error = try #require(
            try Self.loadResult(ConfigLoader(mainPath: main, requireMainFile: required), unblocking: main)
                .failure)
        #expect(error.path == main)
        #expect(error.line == nil)
        #expect(error.problem == .notRegularFile(kind: special.kind))
        #expect(error.description == "\(main): not a regular file (\(special.kind))")
    }

    @Test(arguments: SpecialFile.allCases)
    func aSpecialFileNamedLikeADropInIsAnError(special: SpecialFile) throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        try fixture.write("procwarden.conf.d/10-good.conf", "[Alerts]\nRateLimitBurst=5\n")
        let dropIn = fixture.path("procwarden.conf.d/50-special.conf")
        try special.make(at: dropIn)
        let error = try #require(try Self.loadResult(ConfigLoader(mainPath: main), unblocking: dropIn).failure)
        #expect(error.description == "\(dropIn): not a regular file (\(special.kind))")
    }

    /// The error names the path the loader was given, not the link's target.
    @Test func aDropInSymlinkToAFIFOIsAnErrorNamingTheDropIn() throws {
        let fixture = try ConfigurationFixture()
        let fifo = fixture.path("elsewhere.fifo")
        try SpecialFile.fifo.make(at: fifo)
        try fixture.makeDirectory("procwarden.conf.d")
        let dropIn = fixture.path("procwarden.conf.d/50-link.conf")
        try SpecialFile.link(to: fifo, at: dropIn)
        let error = try #require(
            try Self.loadResult(ConfigLoader(mainPath: fixture.path("procwarden.conf")), unblocking: fifo).failure)
        #expect(error.description == "\(dropIn): not a regular file (fifo)")
    }

    /// A FIFO with a writer that never writes: a blocking read would wait
    /// for ever.
    @Test func aFIFOWithAnIdleWriterDoesNotBlockEither() throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        try SpecialFile.fifo.make(at: main)
        let writer = open(main, O_RDWR | O_CLOEXEC)
        try #require(writer >= 0)
        defer { close(writer) }
        // A reader blocked in read(2) wakes when the writer closes, below.
        let outcome = Self.load(ConfigLoader(mainPath: main, requireMainFile: true), within: .seconds(10)) {}
        let result = try #require(outcome, "the loader blocked on the FIFO")
        #expect(result.failure?.description == "\(main): not a regular file (fifo)")
    }

    /// Other devices are not /dev/null: an error, and never read (/dev/zero
    /// would read until the size limit).
    @Test func aDropInSymlinkToAnotherDeviceIsAnError() throws {
        let fixture = try ConfigurationFixture()
        try fixture.makeDirectory("procwarden.conf.d")
        let dropIn = fixture.path("procwarden.conf.d/50-zero.conf")
        try SpecialFile.link(to: "/dev/zero", at: dropIn)
        let error = try #require(throws: ConfigError.self) {
            try ConfigLoader(mainPath: fixture.path("procwarden.conf")).load()
        }
        #expect(error.description == "\(dropIn): not a regular file (character device)")
    }

    /// A FIFO where the drop-in directory should be: opendir(3) opens with
    /// O_DIRECTORY|O_NONBLOCK, so it fails at once.
    @Test func aFIFOInPlaceOfTheDropInDirectoryIsAnError() throws {
        let fixture = try ConfigurationFixture()
        let directory = fixture.path("procwarden.conf.d")
        try SpecialFile.fifo.make(at: directory)
        let error = try #require(
            try Self.loadResult(ConfigLoader(mainPath: fixture.path("procwarden.conf")), unblocking: directory)
                .failure)
        #expect(error.description == "\(directory): cannot read: Not a directory")
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

    /// SPEC §5: a drop-in that is a symlink to /dev/null is masked, as in
    /// systemd: no error, no settings. There is one drop-in directory, so
    /// it has no lower-priority namesake to hide; it reads as nothing.
    @Test func aDropInSymlinkedToDevNullIsMasked() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let early = try fixture.write("procwarden.conf.d/10-early.conf", "[Alerts]\nRateLimitBurst=5\n")
        try fixture.makeDirectory("procwarden.conf.d")
        let masked = fixture.path("procwarden.conf.d/20-null.conf")
        try SpecialFile.mask(at: masked)
        let loaded = try ConfigLoader(mainPath: main).loadListingFiles()
        #expect(loaded.configuration.similarityThreshold == 70)
        #expect(loaded.configuration.rateLimitBurst == 5)
        #expect(loaded.applied == [main, early])
        #expect(loaded.masked == [masked])
    }

    /// Masking a drop-in drops its settings: the same drop-in, once a
    /// regular file, then a /dev/null symlink.
    @Test func maskingADropInDropsItsSettings() throws {
        let fixture = try ConfigurationFixture()
        let main = try fixture.write("procwarden.conf", "[Alerts]\nSimilarityThreshold=70\n")
        let dropIn = try fixture.write("procwarden.conf.d/50-local.conf", "[Alerts]\nSimilarityThreshold=60\n")
        let loader = ConfigLoader(mainPath: main)
        #expect(try loader.load().similarityThreshold == 60)
        #expect(unlink(dropIn) == 0)
        try SpecialFile.mask(at: dropIn)
        #expect(try loader.load().similarityThreshold == 70)
        #expect(try loader.loadListingFiles().masked == [dropIn])
    }

    /// Our choice where the spec is silent: /dev/null as the main file
    /// (e.g. `--config /dev/null`) is masked too and means the defaults;
    /// the drop-ins still apply.
    @Test(arguments: [false, true])
    func devNullAsTheMainFileMeansDefaults(required: Bool) throws {
        let fixture = try ConfigurationFixture()
        let main = fixture.path("procwarden.conf")
        try SpecialFile.mask(at: main)
        let dropIn = try fixture.write("procwarden.conf.d/50-local.conf", "[Alerts]\nSimilarityThreshold=60\n")
        let loaded = try ConfigLoader(mainPath: main, requireMainFile: required).loadListingFiles()
        var expected = Configuration()
        expected.similarityThreshold = 60
        #expect(loaded.configuration == expected)
        #expect(loaded.applied == [dropIn])
        #expect(loaded.masked == [main])
        #expect(try ConfigLoader(mainPath: "/dev/null", requireMainFile: true).load() == Configuration())
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

    /// What `load()` gave, waited for at most 10 s on a thread of its own;
    /// a test failure if it blocked, after which `fifo` is opened for
    /// writing and closed so the blocked thread sees end of file and ends.
    static func loadResult(
        _ loader: ConfigLoader, unblocking fifo: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Result<Configuration, ConfigError> {
        let outcome = load(loader, within: .seconds(10)) { SpecialFile.releaseReaders(of: fifo) }
        return try #require(outcome, "the loader blocked on \(fifo)", sourceLocation: sourceLocation)
    }

    /// `load()` on a detached thread: its result, or nil if it has not
    /// returned within `timeout`; then `unblock` runs and the thread is
    /// waited for a further 10 s so it does not outlive the test's files.
    static func load(
        _ loader: ConfigLoader, within timeout: Duration, unblock: () -> Void
    ) -> Result<Configuration, ConfigError>? {
        let box = ResultBox()
        do {
            try DetachedThread.start { box.set(Result { () throws(ConfigError) in try loader.load() }) }
        } catch {
            return .failure(ConfigError(path: nil, problem: .unreadable(reason: "\(error)")))
        }
        if Poll.eventually(timeout: timeout, every: .milliseconds(5), { box.get() != nil }) { return box.get() }
        unblock()
        _ = Poll.eventually(timeout: .seconds(10), every: .milliseconds(5)) { box.get() != nil }
        return nil
    }

    final class ResultBox: Sendable {
        private let value = Mutex<Result<Configuration, ConfigError>?>(nil)
        func set(_ result: Result<Configuration, ConfigError>) { value.withLock { $0 = result } }
        func get() -> Result<Configuration, ConfigError>? { value.withLock { $0 } }
    }
}

extension Result {
    /// The error of a failure; nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
