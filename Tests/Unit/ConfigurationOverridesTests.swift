import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// SettingsOverridesStore: D-Bus settings persisted in the state directory.
@Suite struct ConfigurationOverridesTests {
    @Test func noFileMeansNoOverrides() throws {
        let fixture = try ConfigurationFixture()
        let (store, warning) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        #expect(warning == nil)
        #expect(store.effective.isEmpty)
        #expect(store.path == fixture.path("settings.json"))
        #expect(store.applied(to: Configuration()) == Configuration())
        #expect(try fixture.entries() == [])
    }

    @Test func persistentChangeSurvivesReload() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(65, runtime: false)
        #expect(store.effective.similarityThreshold == 65)
        #expect(try fixture.entries() == ["settings.json"], "no temporary file is left behind")
        #expect(try fixture.read("settings.json").contains(#""SimilarityThreshold" : 65"#))

        let (reloaded, warning) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        #expect(warning == nil)
        #expect(reloaded.persisted == SettingsOverrides(similarityThreshold: 65))
        var file = Configuration()
        file.similarityThreshold = 90
        file.rateLimitBurst = 3
        let applied = reloaded.applied(to: file)
        #expect(applied.similarityThreshold == 65)
        #expect(applied.rateLimitBurst == 3)
    }

    @Test func theFileIsPrivateToTheDaemon() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(50, runtime: false)
        var info = stat()
        #expect(stat(store.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
    }

    @Test func runtimeChangeIsNotPersisted() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(40, runtime: true)
        #expect(store.effective.similarityThreshold == 40)
        #expect(store.applied(to: Configuration()).similarityThreshold == 40)
        #expect(store.persisted.isEmpty)
        #expect(try fixture.entries() == [])
        let (restarted, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        #expect(restarted.effective.isEmpty)
    }

    @Test func runtimeShadowsPersistedUntilRestartAndALaterPersistentChangeWins() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(70, runtime: false)
        try store.setSimilarityThreshold(30, runtime: true)
        #expect(store.effective.similarityThreshold == 30)
        #expect(
            try SettingsOverridesStore.load(stateDirectory: fixture.directory).store.effective.similarityThreshold == 70
        )
        try store.setSimilarityThreshold(75, runtime: false)
        #expect(store.effective.similarityThreshold == 75)
        #expect(store.runtime.isEmpty)
    }

    @Test func invalidThresholdChangesNothing() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(70, runtime: false)
        for bad in [0, 100, -5] {
            for runtime in [false, true] {
                let error = try #require(throws: ConfigError.self) {
                    try store.setSimilarityThreshold(bad, runtime: runtime)
                }
                #expect(error.description == "SimilarityThreshold=\(bad) is out of range (valid: 1–99)")
            }
        }
        #expect(store.effective.similarityThreshold == 70)
        #expect(
            try SettingsOverridesStore.load(stateDirectory: fixture.directory).store.persisted.similarityThreshold == 70
        )
    }

    @Test func aFailedWriteChangesNothing() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.path("missing"))
        #expect(throws: SystemError.self) { try store.setSimilarityThreshold(60, runtime: false) }
        #expect(store.effective.isEmpty)
    }

    @Test(arguments: [
        ("not json", "{\"version\":1,", "not valid JSON"),
        ("empty", "", "not valid JSON"),
        ("future version", #"{"version":2,"settings":{"SimilarityThreshold":60}}"#, "unknown version 2, expected 1"),
        ("no version", #"{"settings":{"SimilarityThreshold":60}}"#, "missing version"),
        (
            "wrong type", #"{"version":1,"settings":{"SimilarityThreshold":"60"}}"#,
            "wrong type at settings.SimilarityThreshold"
        ),
        (
            "out of range", #"{"version":1,"settings":{"SimilarityThreshold":100}}"#,
            "SimilarityThreshold=100 is out of range (valid: 1–99)"
        ),
        ("not an object", "[1,2]", "wrong type"),
    ])
    func unusableFileIsMovedAsideNeverDeleted(name: String, content: String, reason: String) throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("settings.json", content)
        let (store, warning) = try SettingsOverridesStore.load(stateDirectory: fixture.directory, now: 1_700_000_000)
        #expect(store.effective.isEmpty)
        let aside = fixture.path("settings.json.corrupt-1700000000")
        #expect(
            warning
                == "settings file \(fixture.path("settings.json")) is unusable (\(reason)); it moved aside to \(aside); starting without persisted overrides",
            "\(name)")
        #expect(try fixture.entries() == ["settings.json.corrupt-1700000000"])
        #expect(try fixture.read("settings.json.corrupt-1700000000") == content)
    }

    @Test func aSecondCorruptFileInTheSameSecondKeepsTheFirst() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("settings.json", "first")
        _ = try SettingsOverridesStore.load(stateDirectory: fixture.directory, now: 42)
        try fixture.write("settings.json", "second")
        let (_, warning) = try SettingsOverridesStore.load(stateDirectory: fixture.directory, now: 42)
        #expect(warning?.contains("settings.json.corrupt-42.1") == true)
        #expect(try fixture.entries() == ["settings.json.corrupt-42", "settings.json.corrupt-42.1"])
        #expect(try fixture.read("settings.json.corrupt-42") == "first")
        #expect(try fixture.read("settings.json.corrupt-42.1") == "second")
    }

    @Test func afterMovingAsideANewValuePersists() throws {
        let fixture = try ConfigurationFixture()
        try fixture.write("settings.json", "garbage")
        var (store, warning) = try SettingsOverridesStore.load(stateDirectory: fixture.directory, now: 7)
        #expect(warning != nil)
        try store.setSimilarityThreshold(55, runtime: false)
        #expect(try fixture.read("settings.json.corrupt-7") == "garbage")
        #expect(
            try SettingsOverridesStore.load(stateDirectory: fixture.directory).store.persisted.similarityThreshold == 55
        )
    }

    @Test func anUnreadableFileIsAnErrorNotMovedAside() throws {
        let fixture = try ConfigurationFixture()
        try fixture.makeDirectory("settings.json")
        let error = try #require(throws: SystemError.self) {
            try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        }
        #expect(error.errno == EISDIR)
        #expect(try fixture.entries() == ["settings.json"])
    }

    @Test func theWrittenDocumentIsVersioned() throws {
        let fixture = try ConfigurationFixture()
        var (store, _) = try SettingsOverridesStore.load(stateDirectory: fixture.directory)
        try store.setSimilarityThreshold(12, runtime: false)
        #expect(
            try fixture.read("settings.json") == """
                {
                  "settings" : {
                    "SimilarityThreshold" : 12
                  },
                  "version" : 1
                }

                """)
    }
}
