import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// `procwardenctl --help` and every verb's `--help`, from the built binary,
/// against the files in Snapshots/. `PW_RECORD_SNAPSHOTS=1` rewrites them
/// (and fails the run, so that recording is never mistaken for passing).
@Suite struct CtlHelpSnapshotTests {
    static let directory: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Snapshots"
    }()

    static var recording: Bool { getenv("PW_RECORD_SNAPSHOTS").map { String(cString: $0) == "1" } ?? false }

    /// Help is wrapped to COLUMNS; pin it.
    static let environment = ["COLUMNS": "80"]

    static func help(_ arguments: [String]) throws -> String {
        let run = try ToolRun.product("procwardenctl", arguments, environment: environment)
        try #require(run.succeeded && run.stderr.isEmpty, "\(run.summary)")
        return run.stdoutText
    }

    static func verbs() throws -> [String] {
        let verbs = CtlHelp.subcommands(try help(["--help"]))
        try #require(verbs.count >= 9, "verbs found in --help: \(verbs)")
        return verbs
    }

    static func snapshotName(_ verb: String?) -> String {
        "procwardenctl" + (verb.map { "-" + $0 } ?? "") + ".help.txt"
    }

    static func compare(_ actual: String, with name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = directory + "/" + name
        if recording {
            _ = mkdir(directory, 0o755)
            try DurableFile.write(Array(actual.utf8), to: path, mode: 0o644)
            Issue.record("recorded \(path); run again without PW_RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
            return
        }
        let stored = try DurableFile.read(path).map { String(decoding: $0, as: UTF8.self) }
        let expected = try #require(
            stored, "no snapshot \(path); record it with PW_RECORD_SNAPSHOTS=1",
            sourceLocation: sourceLocation)
        guard actual != expected else { return }
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, e.count)
        Issue.record(
            """
            \(name) differs from the snapshot at line \(line + 1):
              snapshot: \(line < e.count ? String(e[line]) : "<end>")
              binary:   \(line < a.count ? String(a[line]) : "<end>")
            If the change is intended, re-record with PW_RECORD_SNAPSHOTS=1.
            """, sourceLocation: sourceLocation)
    }

    @Test func rootHelp() throws {
        try Self.compare(try Self.help(["--help"]), with: Self.snapshotName(nil))
    }

    @Test func everyVerbsHelp() throws {
        for verb in try Self.verbs() {
            try Self.compare(try Self.help([verb, "--help"]), with: Self.snapshotName(verb))
        }
    }

    /// `help VERB` and `VERB --help` are the same screen.
    @Test func helpVerbIsVerbHelp() throws {
        for verb in try Self.verbs() {
            #expect(try Self.help(["help", verb]) == (try Self.help([verb, "--help"])), "\(verb)")
        }
    }

    /// A snapshot for a verb that no longer exists is an error too.
    @Test func noStaleSnapshots() throws {
        let expected = Set([Self.snapshotName(nil)] + (try Self.verbs()).map { Self.snapshotName($0) })
        var found: Set<String> = []
        let dir = try #require(opendir(Self.directory), "cannot open \(Self.directory)")
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".help.txt") { found.insert(name) }
        }
        #expect(found == expected)
    }
}
