import Foundation
import Glibc
import ProcWardenKit

/// A scratch directory for configuration and state files, removed when the
/// fixture goes away, plus helpers shared by the Configuration*Tests suites.
public final class ConfigurationFixture {
    public let scratch: ScratchDirectory
    public var directory: String { scratch.path }

    public init() throws {
        scratch = try ScratchDirectory("config", mode: 0o700)
    }

    public func path(_ name: String) -> String { directory + "/" + name }

    /// Writes `text` to `name` inside the directory, creating parents.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let full = path(name)
        let parent = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    @discardableResult
    public func makeDirectory(_ name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        return path(name)
    }

    public func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path(name))), as: UTF8.self)
    }

    public func entries() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// One file setting `key` to `value` in the key's section, parsed over
    /// the defaults.
    public static func assign(_ key: ConfigKey, _ value: String) throws(ConfigError) -> Configuration {
        try ConfigLoader.parse("[\(key.section.rawValue)]\n\(key.name)=\(value)\n", path: "/test/procwarden.conf")
    }

    /// The value of a numeric key, read from the field the test expects it
    /// in (seconds for time spans, bytes for sizes, nil for `auto`).
    public static func number(_ key: ConfigKey, in configuration: Configuration) -> Int? {
        func seconds(_ d: Duration) -> Int { Int(d.components.seconds) }
        switch key {
        case .intervalSec: return seconds(configuration.interval)
        case .enumerationTimeoutSec: return seconds(configuration.enumerationTimeout)
        case .hashBudgetSec: return seconds(configuration.hashBudget)
        case .hashTimeoutSec: return seconds(configuration.hashTimeout)
        case .dedupWindowSec: return seconds(configuration.dedupWindow)
        case .rateLimitIntervalSec: return seconds(configuration.rateLimitInterval)
        case .scanSummaryEverySec: return seconds(configuration.scanSummaryEvery)
        case .maxFileSize: return Int(configuration.maxFileSize)
        case .maxHashSize: return Int(configuration.maxHashSize)
        case .hashWorkers: return configuration.hashWorkers
        case .similarityThreshold: return configuration.similarityThreshold
        case .rateLimitBurst: return configuration.rateLimitBurst
        case .maxBaselines: return configuration.maxBaselines
        case .ignorePaths, .sharedObjects, .watch, .newProcessIntervalSec, .ssdeep, .ssdeepEngine, .memfdAllow,
            .memfdAllowImages, .untrustedCodePaths,
            .untrustedCodeAllow, .preloadAllow, .memfdMapAllow, .verify, .verifyOtherRoots:
            return nil
        }
    }

    /// A configuration with every field away from its default.
    public static var everythingChanged: Configuration {
        var c = Configuration()
        c.interval = .seconds(31)
        c.enumerationTimeout = .seconds(6)
        c.ignorePaths = ["/changed/*"]
        c.newProcessInterval = .milliseconds(1500)
        c.watch = false
        c.ssdeep = false
        c.ssdeepEngine = .libfuzzy
        c.hashBudget = .seconds(31)
        c.hashTimeout = .seconds(11)
        c.maxFileSize = 1 << 20
        c.maxHashSize = 2 << 20
        c.hashWorkers = 3
        c.similarityThreshold = 81
        c.dedupWindow = .seconds(301)
        c.rateLimitInterval = .seconds(61)
        c.rateLimitBurst = 101
        c.memfdAllow = ["changed:*"]
        c.memfdAllowImages = ["/changed/runc"]
        c.maxBaselines = 65_537
        c.scanSummaryEvery = .seconds(3601)
        c.sharedObjects = false
        c.untrustedCodePaths = ["/changed/tmp/*"]
        c.untrustedCodeAllow = ["/changed/tmp/ok"]
        c.preloadAllow = ["/changed/lib/*"]
        c.memfdMapAllow = ["changed*"]
        c.verifyPackages = false
        c.verifyOtherRoots = true
        return c
    }
}
