import ProcWardenKit
import ProcWardenTestSupport
import Testing

@Suite struct ConfigurationKeyTests {
    @Test func defaultsAreTheSpecs() {
        let c = Configuration()
        #expect(c.interval == .seconds(30))
        #expect(c.enumerationTimeout == .seconds(5))
        #expect(c.ignorePaths == [])
        #expect(c.ssdeep == true)
        #expect(c.hashBudget == .seconds(30))
        #expect(c.hashTimeout == .seconds(10))
        #expect(c.maxFileSize == 512 * 1024 * 1024)
        #expect(c.hashWorkers == nil)
        #expect(c.similarityThreshold == 80)
        #expect(c.dedupWindow == .seconds(300))
        #expect(c.rateLimitInterval == .seconds(60))
        #expect(c.rateLimitBurst == 100)
        #expect(c.memfdAllow == ["runc_cloned:*"])
        #expect(c.maxHashSize == 4 << 30)
        #expect(c.memfdAllowImages == ["/usr/bin/runc", "/usr/sbin/runc", "/usr/bin/crun", "/usr/sbin/crun"])
        #expect(c.maxBaselines == 65_536)
        #expect(c.scanSummaryEvery == .seconds(3600))
        #expect(c.sharedObjects == true)
        #expect(c.newProcessInterval == .milliseconds(500))
        #expect(c.watch == true)
        #expect(c.untrustedCodePaths == ["/tmp/*", "/var/tmp/*", "/dev/shm/*", "/run/user/*"])
        #expect(c.untrustedCodeAllow == [])
        #expect(c.preloadAllow == [])
        #expect(c.memfdMapAllow == ["doublemapper*"])
    }

    @Test func sectionsHoldTheSpecsKeys() {
        #expect(
            ConfigSection.scan.keys.map(\.name) == [
                "IntervalSec", "EnumerationTimeoutSec", "IgnorePaths", "SharedObjects", "NewProcessIntervalSec",
                "Watch",
            ])
        #expect(
            ConfigSection.hashing.keys.map(\.name) == [
                "Ssdeep", "SsdeepEngine", "HashBudgetSec", "HashTimeoutSec", "MaxFileSize", "MaxHashSize",
                "HashWorkers",
            ])
        #expect(
            ConfigSection.alerts.keys.map(\.name) == [
                "SimilarityThreshold", "DedupWindowSec", "RateLimitIntervalSec", "RateLimitBurst",
                "MemfdAllow", "MemfdAllowImages", "MaxBaselines", "ScanSummaryEverySec",
                "UntrustedCodePaths", "UntrustedCodeAllow", "PreloadAllow", "MemfdMapAllow",
            ])
    }

    /// MaxHashSize is at least MaxFileSize (SPEC §5): set together in either
    /// order they are accepted; raising MaxFileSize alone raises the default
    /// MaxHashSize with it; a MaxHashSize set below MaxFileSize is refused
    /// at the line that broke the rule.
    @Test func maxHashSizeIsAtLeastMaxFileSize() throws {
        for text in ["MaxFileSize=8G\nMaxHashSize=16G\n", "MaxHashSize=16G\nMaxFileSize=8G\n"] {
            let c = try ConfigLoader.parse("[Hashing]\n" + text, path: "/test/procwarden.conf")
            #expect(c.maxFileSize == 8 << 30 && c.maxHashSize == 16 << 30)
        }
        let raised = try ConfigurationFixture.assign(.maxFileSize, "64G")
        #expect(raised.maxHashSize == 64 << 30)
        let hashAll = try ConfigurationFixture.assign(.maxHashSize, "64G")
        #expect(hashAll.maxHashSize == 64 << 30 && hashAll.maxFileSize == 512 << 20)
        let below = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.maxHashSize, "1M") }
        #expect(below.line == 2)
        #expect(
            below.description
                == "/test/procwarden.conf:2: MaxHashSize=1M leaves MaxHashSize=1048576 below MaxFileSize=536870912 (valid: MaxFileSize–64G)"
        )
        let later = try #require(throws: ConfigError.self) {
            try ConfigLoader.parse("[Hashing]\nMaxHashSize=1G\nMaxFileSize=2G\n", path: "/test/procwarden.conf")
        }
        #expect(later.line == 3)
        #expect(throws: ConfigError.self) { try ConfigurationFixture.assign(.maxHashSize, "65G") }
    }

    @Test func memfdAllowImagesTakesAbsolutePaths() throws {
        let c = try ConfigurationFixture.assign(.memfdAllowImages, "/opt/runc/bin/runc /usr/local/bin/crun")
        #expect(c.memfdAllowImages == ["/opt/runc/bin/runc", "/usr/local/bin/crun"])
        #expect(try ConfigurationFixture.assign(.memfdAllowImages, "").memfdAllowImages == [])
        let relative = try #require(throws: ConfigError.self) {
            try ConfigurationFixture.assign(.memfdAllowImages, "runc")
        }
        #expect(
            relative.problem
                == .invalidValue(.memfdAllowImages, value: "runc", reason: "contains runc, which does not start with /")
        )
    }

    /// The path lists take absolute globs; the first assignment replaces the
    /// default, so a test can point UntrustedCodePaths at its own scratch area.
    @Test func untrustedCodeListsTakeAbsoluteGlobs() throws {
        let c = try ConfigLoader.parse(
            "[Alerts]\nUntrustedCodePaths=/srv/scratch/*\nUntrustedCodePaths=/opt/drop/*\nUntrustedCodeAllow=/tmp/ok\n"
                + "PreloadAllow=/usr/lib/*/libjemalloc.so*\nMemfdMapAllow=\n",
            path: "/test/procwarden.conf")
        #expect(c.untrustedCodePaths == ["/srv/scratch/*", "/opt/drop/*"])
        #expect(c.untrustedCodeAllow == ["/tmp/ok"])
        #expect(c.preloadAllow == ["/usr/lib/*/libjemalloc.so*"])
        #expect(c.memfdMapAllow == [])
        for key in [ConfigKey.untrustedCodePaths, .untrustedCodeAllow, .preloadAllow] {
            let relative = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(key, "tmp/*") }
            #expect(
                relative.problem
                    == .invalidValue(key, value: "tmp/*", reason: "contains tmp/*, which does not start with /"))
        }
        #expect(try ConfigurationFixture.assign(.sharedObjects, "no").sharedObjects == false)
        #expect(throws: ConfigError.self) { try ConfigurationFixture.assign(.sharedObjects, "maybe") }
    }

    /// The spec's ranges, written out here so a changed range in the code fails.
    static let specRanges: [(ConfigKey, ClosedRange<Int>)] = [
        (.intervalSec, 1...86_400), (.enumerationTimeoutSec, 1...600),
        (.hashBudgetSec, 1...3600), (.hashTimeoutSec, 1...3600),
        (.maxFileSize, 1024...68_719_476_736), (.hashWorkers, 1...64),
        (.similarityThreshold, 1...99), (.dedupWindowSec, 0...86_400),
        (.rateLimitIntervalSec, 1...3600), (.rateLimitBurst, 1...100_000),
        (.maxBaselines, 16...10_000_000), (.scanSummaryEverySec, 0...86_400),
    ]

    @Test(arguments: specRanges)
    func boundariesAreAcceptedAndOnePastRejected(key: ConfigKey, range: ClosedRange<Int>) throws {
        #expect(key.range == range)
        for accepted in [range.lowerBound, range.upperBound] {
            let c = try ConfigurationFixture.assign(key, String(accepted))
            #expect(ConfigurationFixture.number(key, in: c) == accepted, "\(key.name)=\(accepted)")
        }
        let above = try #require(throws: ConfigError.self) {
            try ConfigurationFixture.assign(key, String(range.upperBound + 1))
        }
        #expect(above.problem == .outOfRange(key, value: String(range.upperBound + 1)))
        #expect(
            above.description
                == "/test/procwarden.conf:2: \(key.name)=\(range.upperBound + 1) is out of range (valid: \(key.validValues))"
        )
        if range.lowerBound > 0 {
            let below = try #require(throws: ConfigError.self) {
                try ConfigurationFixture.assign(key, String(range.lowerBound - 1))
            }
            #expect(below.problem == .outOfRange(key, value: String(range.lowerBound - 1)))
        } else {
            // Below 0 there is no number to write: a sign is not a number.
            let below = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(key, "-1") }
            #expect(
                below.problem == .invalidValue(key, value: "-1", reason: "is not a time span such as 30, 30s or 5min"))
        }
    }

    @Test(arguments: ConfigKey.allCases)
    func wrongTypeIsRejected(key: ConfigKey) throws {
        // A word is a valid memfd glob (MemfdAllow, MemfdMapAllow); for every other key it is the wrong type.
        guard key != .memfdAllow else {
            #expect(try ConfigurationFixture.assign(key, "twelve").memfdAllow == ["twelve"])
            return
        }
        guard key != .memfdMapAllow else {
            #expect(try ConfigurationFixture.assign(key, "twelve").memfdMapAllow == ["twelve"])
            return
        }
        let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(key, "twelve") }
        guard case .invalidValue(key, "twelve", let reason) = error.problem else {
            Issue.record("unexpected problem \(error.problem)")
            return
        }
        #expect(
            error.description == "/test/procwarden.conf:2: \(key.name)=twelve \(reason) (valid: \(key.validValues))")
    }

    @Test func numbersOverflowingIntAreOutOfRangeNotCrashes() throws {
        let huge = "99999999999999999999999999"
        for key in [ConfigKey.similarityThreshold, .intervalSec, .maxFileSize] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(key, huge) }
            #expect(error.problem == .outOfRange(key, value: huge))
        }
        #expect(throws: ConfigError.self) { try ConfigurationFixture.assign(.maxFileSize, "99999999999999999G") }
    }

    @Test(arguments: [
        ("1K", 1024), ("1k", 1024), ("4096", 4096), ("512K", 512 << 10), ("512M", 512 << 20),
        ("3G", 3 << 30), ("64G", 64 << 30), ("1024", 1024), ("1g", 1 << 30),
    ])
    func sizeSuffixesAreBase1024(text: String, bytes: Int) throws {
        #expect(try ConfigurationFixture.assign(.maxFileSize, text).maxFileSize == UInt64(bytes))
    }

    @Test func sizesOutsideOneKToSixtyFourGAreRejected() throws {
        for text in ["1023", "65G", "1T", "65537M"] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.maxFileSize, text) }
            #expect(error.description.hasSuffix("MaxFileSize=\(text) is out of range (valid: 1K–64G)"))
        }
        for text in ["1.5G", "12X", "G", "", "-1K", "5 M", "1KB"] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.maxFileSize, text) }
            #expect(
                error.problem
                    == .invalidValue(.maxFileSize, value: text, reason: "is not a size such as 4096, 512K, 512M or 2G"))
        }
    }

    @Test(arguments: [
        ("45", 45), ("45s", 45), ("45sec", 45), ("5min", 300), ("5m", 300), ("1h", 3600),
        ("1d", 86_400), ("1min 30s", 90), ("1min30s", 90), ("2 min", 120), ("1hr 1s", 3601),
    ])
    func timeSpansTakeSystemdUnits(text: String, seconds: Int) throws {
        #expect(try ConfigurationFixture.assign(.intervalSec, text).interval == .seconds(seconds))
    }

    @Test func timeSpansOutsideTheRangeOrWithSubsecondUnitsAreRejected() throws {
        let tooLong = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.intervalSec, "1d 1s") }
        #expect(tooLong.problem == .outOfRange(.intervalSec, value: "1d 1s"))
        #expect(tooLong.description.hasSuffix("IntervalSec=1d 1s is out of range (valid: 1–86400 seconds)"))
        for text in ["500ms", "1.5s", "5 fortnights", "s", "", "min5"] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.intervalSec, text) }
            #expect(
                error.problem
                    == .invalidValue(.intervalSec, value: text, reason: "is not a time span such as 30, 30s or 5min"))
        }
    }

    /// The one key that takes fractions of a second (SPEC §5: 0.1–60, or 0).
    @Test func newProcessIntervalTakesFractionsAndMilliseconds() throws {
        for (text, milliseconds) in [
            ("0.5", 500), ("0.5s", 500), ("500ms", 500), ("2", 2000), ("0", 0), ("0.1", 100), ("60", 60_000),
            (" 1.25 ", 1250), ("0.100", 100), ("60000ms", 60_000),
        ] {
            let c = try ConfigurationFixture.assign(.newProcessIntervalSec, text)
            #expect(c.newProcessInterval == .milliseconds(milliseconds), "\(text)")
        }
        for text in ["0.05", "99ms", "60.001", "61"] {
            let error = try #require(throws: ConfigError.self) {
                try ConfigurationFixture.assign(.newProcessIntervalSec, text)
            }
            #expect(error.problem == .outOfRange(.newProcessIntervalSec, value: text), "\(text)")
            #expect(error.description.hasSuffix("is out of range (valid: 0 (off) or 0.1–60 seconds)"))
        }
        for text in ["", ".5", "1.", "0.0005", "1.5ms", "-1", "1e3", "0.5 s x", "fast"] {
            let error = try #require(throws: ConfigError.self) {
                try ConfigurationFixture.assign(.newProcessIntervalSec, text)
            }
            #expect(
                error.problem
                    == .invalidValue(
                        .newProcessIntervalSec, value: text, reason: "is not a time span such as 0.5, 500ms or 2s"),
                "\(text)")
        }
        #expect(try ConfigurationFixture.assign(.watch, "no").watch == false)
    }

    @Test func hashWorkersTakesAuto() throws {
        #expect(try ConfigurationFixture.assign(.hashWorkers, "auto").hashWorkers == nil)
        #expect(try ConfigurationFixture.assign(.hashWorkers, "AUTO").hashWorkers == nil)
        #expect(try ConfigurationFixture.assign(.hashWorkers, "7").hashWorkers == 7)
        let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.hashWorkers, "0") }
        #expect(error.description == "/test/procwarden.conf:2: HashWorkers=0 is out of range (valid: auto or 1–64)")
        let base = ConfigurationFixture.everythingChanged
        #expect(base.hashWorkers != nil)
        #expect(try ConfigLoader.parse("[Hashing]\nHashWorkers=auto\n", path: "/x", over: base).hashWorkers == nil)
    }

    @Test func ssdeepEngineIsNativeOrLibfuzzy() throws {
        #expect(Configuration().ssdeepEngine == .native)
        #expect(try ConfigurationFixture.assign(.ssdeepEngine, "libfuzzy").ssdeepEngine == .libfuzzy)
        let base = ConfigurationFixture.everythingChanged
        #expect(
            try ConfigLoader.parse("[Hashing]\nSsdeepEngine=native\n", path: "/x", over: base).ssdeepEngine == .native)
        for text in ["Native", "fast", "", "libfuzzy2"] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.ssdeepEngine, text) }
            #expect(
                error.description
                    == "/test/procwarden.conf:2: SsdeepEngine=\(text) is not an ssdeep engine (valid: native or libfuzzy)"
            )
        }
    }

    @Test(arguments: ["yes", "YES", "y", "true", "True", "t", "on", "1"])
    func trueBooleans(text: String) throws {
        let base = ConfigurationFixture.everythingChanged
        #expect(try ConfigLoader.parse("[Hashing]\nSsdeep=\(text)\n", path: "/x", over: base).ssdeep == true)
    }

    @Test(arguments: ["no", "No", "n", "false", "f", "off", "OFF", "0"])
    func falseBooleans(text: String) throws {
        #expect(try ConfigurationFixture.assign(.ssdeep, text).ssdeep == false)
    }

    @Test func badBooleansNameTheValidValues() throws {
        for text in ["2", "maybe", "", "yes please"] {
            let error = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.ssdeep, text) }
            #expect(error.description == "/test/procwarden.conf:2: Ssdeep=\(text) is not a boolean (valid: yes or no)")
        }
    }

    @Test func globListsSplitOnSpacesAndKeepQuotedSpaces() throws {
        let c = try ConfigurationFixture.assign(
            .ignorePaths, #"/usr/lib/jvm/*   /opt/*/bin/java "/srv/my app/*" '/a b'"#)
        #expect(c.ignorePaths == ["/usr/lib/jvm/*", "/opt/*/bin/java", "/srv/my app/*", "/a b"])
        #expect(c.scanLimits.ignorePaths == c.ignorePaths)
        #expect(
            try ConfigurationFixture.assign(.memfdAllow, #"crun:* runc_cloned:* \[x\]"#).memfdAllow
                == ["crun:*", "runc_cloned:*", #"\[x\]"#])
    }

    @Test func badGlobListsAreRejected() throws {
        let relative = try #require(throws: ConfigError.self) {
            try ConfigurationFixture.assign(.ignorePaths, "/ok usr/bin/*")
        }
        #expect(
            relative.description
                == "/test/procwarden.conf:2: IgnorePaths=/ok usr/bin/* contains usr/bin/*, which does not start with / (valid: space-separated globs, each starting with /)"
        )
        let unclosed = try #require(throws: ConfigError.self) {
            try ConfigurationFixture.assign(.memfdAllow, #""crun:*"#)
        }
        #expect(unclosed.problem == .invalidValue(.memfdAllow, value: #""crun:*"#, reason: "has an unclosed quote"))
        let empty = try #require(throws: ConfigError.self) { try ConfigurationFixture.assign(.memfdAllow, #"a "" b"#) }
        #expect(empty.problem == .invalidValue(.memfdAllow, value: #"a "" b"#, reason: "contains an empty glob"))
    }

    @Test func listsFirstAssignmentReplacesDefaultThenAppendsAndEmptyResets() throws {
        let replaced = try ConfigLoader.parse("[Alerts]\nMemfdAllow=crun:*\n", path: "/x")
        #expect(replaced.memfdAllow == ["crun:*"])
        let appended = try ConfigLoader.parse("[Alerts]\nMemfdAllow=crun:*\nMemfdAllow=youki:* x\n", path: "/x")
        #expect(appended.memfdAllow == ["crun:*", "youki:*", "x"])
        let emptied = try ConfigLoader.parse("[Alerts]\nMemfdAllow=\n", path: "/x")
        #expect(emptied.memfdAllow == [])
        let reset = try ConfigLoader.parse("[Alerts]\nMemfdAllow=a\nMemfdAllow=\nMemfdAllow=b\n", path: "/x")
        #expect(reset.memfdAllow == ["b"])
        let paths = try ConfigLoader.parse("[Scan]\nIgnorePaths=/a\nIgnorePaths=/b\n", path: "/x")
        #expect(paths.ignorePaths == ["/a", "/b"])
    }

    @Test func scanLimitsCarryTheScanAndHashingKeys() throws {
        let c = try ConfigLoader.parse(
            """
            [Scan]
            EnumerationTimeoutSec=7
            IgnorePaths=/opt/*
            [Hashing]
            Ssdeep=no
            SsdeepEngine=libfuzzy
            HashBudgetSec=2min
            HashTimeoutSec=3
            MaxFileSize=2G
            HashWorkers=5
            """, path: "/x")
        let limits = c.scanLimits
        #expect(limits.enumerationTimeout == .seconds(7))
        #expect(limits.ssdeepEngine == .libfuzzy)
        #expect(limits.ignorePaths == ["/opt/*"])
        #expect(limits.ssdeep == false)
        #expect(limits.hashBudget == .seconds(120))
        #expect(limits.hashTimeout == .seconds(3))
        #expect(limits.maxFileSize == 2 << 30)
        #expect(limits.hashWorkers == 5)
        #expect(Configuration().scanLimits == ScanLimits())
    }
}
