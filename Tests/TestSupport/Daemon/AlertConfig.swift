import ProcWardenKit

/// A procwarden.conf for one test. `IgnorePaths` is set to every path that
/// does not start with the test's own prefix, so the daemon hashes and
/// alerts on the test's processes only: whatever else runs on the machine
/// (other tests' deleted images, a sandbox's memfd processes, a compiler
/// being rebuilt) neither takes rate-limit tokens nor sets the exit code.
public enum AlertConfig {
    /// fnmatch(3) globs (no flags, so `*` also matches `/`) that together
    /// match exactly the absolute paths not starting with `prefix`:
    /// `/[!t]*`, `/t[!m]*`, … The prefix must be absolute and plain text
    /// without glob characters.
    public static func ignoringAllBut(_ prefix: String) -> [String] {
        precondition(
            prefix.hasPrefix("/") && !prefix.contains { "*?[]\\! \t\"'".contains($0) },
            "prefix \(prefix) is not absolute or holds glob characters")
        let characters = Array(prefix)
        return characters.indices.dropFirst().map { i in String(characters[..<i]) + "[!" + String(characters[i]) + "]*"
        }
    }

    /// The default `UntrustedCodePaths` without /tmp, where
    /// `ScratchDirectory` stages the binaries of tests about other rules.
    public static let untrustedCodePathsForTests = Configuration.defaults.untrustedCodePaths.filter { $0 != "/tmp/*" }

    /// `UntrustedCodePaths=` set to `untrustedCodePathsForTests`, for a
    /// test's own `[Alerts]` section.
    public static var untrustedCodePathsLine: String {
        ConfigKey.untrustedCodePaths.name + "=" + untrustedCodePathsForTests.joined(separator: " ")
    }

    /// `configuration` with `untrustedCodePathsLine` in an `[Alerts]`
    /// section of its own at the end, unless it sets `UntrustedCodePaths`:
    /// what the daemon helpers run with, since tests stage under /tmp.
    public static func withTestUntrustedCodePaths(_ configuration: String) -> String {
        if configuration.contains(ConfigKey.untrustedCodePaths.name + "=") { return configuration }
        let separator = configuration.isEmpty || configuration.hasSuffix("\n") ? "" : "\n"
        return configuration + separator + "[Alerts]\n" + untrustedCodePathsLine + "\n"
    }

    /// Writes the file at `path`: `[Scan] IgnorePaths` narrowed to
    /// `prefix`, then any other `Key=Value` lines per section.
    /// `UntrustedCodePaths` is `untrustedCodePathsForTests` unless `alerts`
    /// sets it.
    public static func write(
        to path: String, watching prefix: String,
        scan: [String] = [], alerts: [String] = []
    ) throws {
        var text = "[Scan]\nIgnorePaths=" + ignoringAllBut(prefix).joined(separator: " ") + "\n"
        text += scan.map { $0 + "\n" }.joined()
        text += "[Alerts]\n" + alerts.map { $0 + "\n" }.joined()
        if !alerts.contains(where: { $0.hasPrefix(ConfigKey.untrustedCodePaths.name + "=") }) {
            text += untrustedCodePathsLine + "\n"
        }
        if TestFile.exists(ByteString(path)) { try TestFile.unlink(ByteString(path)) }
        try TestFile.write(Array(text.utf8), to: ByteString(path), mode: 0o644)
    }
}
