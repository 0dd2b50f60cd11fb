import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// systemd/procwarden.catalog: parsed here, then compiled and used by the
/// real journalctl.
@Suite(.serialized) struct CatalogTests {
    static let catalogPath: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)  // Tests/Integration/Journal/CatalogTests.swift
        return parts.joined(separator: "/") + "/systemd/procwarden.catalog"
    }()

    static let expectedIDs = Set(AlertRule.allCases.map(\.messageID) + OperationalMessage.allCases.map(\.messageID))

    struct Entry {
        var id: String
        var headers: [String: String]
        var body: [String]
    }

    static func parse() throws -> [Entry] {
        let fd = open(catalogPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(catalogPath)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let n = read(fd, &chunk, chunk.count), n > 0 { bytes += chunk[0..<n] }
        var entries: [Entry] = []
        var inHeaders = false
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("-- ") {
                entries.append(Entry(id: String(line.dropFirst(3)), headers: [:], body: []))
                inHeaders = true
            } else if inHeaders {
                if line.isEmpty {
                    inHeaders = false
                    continue
                }
                let parts = line.split(separator: ":", maxSplits: 1)
                try #require(parts.count == 2, "header line \(line)")
                entries[entries.count - 1].headers[String(parts[0])] = parts[1].trimmingPrefix(" ").description
            } else if !entries.isEmpty {
                entries[entries.count - 1].body.append(String(line))
            } else {
                try #require(line.isEmpty, "text before the first entry: \(line)")
            }
        }
        return entries
    }

    @Test func everyMessageIDHasExactlyOneCompleteEntry() throws {
        let entries = try Self.parse()
        #expect(entries.count == Self.expectedIDs.count)
        #expect(Set(entries.map(\.id)) == Self.expectedIDs)
        for entry in entries {
            #expect(entry.headers["Subject"].map { !$0.isEmpty } == true, "\(entry.id)")
            #expect(entry.headers["Defined-By"] == "procwarden", "\(entry.id)")
            #expect(entry.headers["Support"].map { !$0.isEmpty } == true, "\(entry.id)")
            #expect(entry.headers["Documentation"] == "man:procwardend(8)", "\(entry.id)")
            #expect(entry.body.contains { !$0.isEmpty }, "\(entry.id)")
        }
    }

    /// journalctl only substitutes `@NAME@` made of A-Z and `_`; a field name
    /// with a digit would print verbatim, and an unknown one is a typo.
    @Test func substitutionsNameKnownFieldsJournalctlCanSubstitute() throws {
        let known = Set(AlertField.allCases.map(\.rawValue) + OperationalField.allCases.map(\.rawValue))
        var seen = 0
        for entry in try Self.parse() {
            let text = ([entry.headers["Subject"] ?? ""] + entry.body).joined(separator: "\n")
            for token in text.split(separator: "@", omittingEmptySubsequences: false).enumerated()
            where token.offset % 2 == 1 {
                let name = String(token.element)
                #expect(name.allSatisfy { ("A"..."Z").contains($0) || $0 == "_" }, "\(entry.id): @\(name)@")
                #expect(known.contains(name), "\(entry.id): @\(name)@")
                seen += 1
            }
        }
        #expect(seen > 8)
    }

    @Test func journalctlCompilesAndListsEveryID() throws {
        let scratch = try Self.compiledCatalogRoot()
        let root = scratch.path
        let list = try ToolRun.run(["journalctl", "--root=\(root)", "--list-catalog"])
        try #require(list.succeeded, "\(list.summary)")
        let ids = list.stdoutText.split(separator: "\n").map { String($0.prefix(32)) }
        #expect(ids.count == Self.expectedIDs.count)
        #expect(Set(ids) == Self.expectedIDs)
        #expect(list.stdoutText.split(separator: "\n").allSatisfy { $0.dropFirst(33).hasPrefix("procwarden: ") })
    }

    /// `journalctl -x` on real entries, with the compiled catalog bind-mounted
    /// over /var/lib/systemd/catalog in a private mount namespace (unshare -m),
    /// which is where journalctl looks whatever --root says.
    @Test func journalctlExplainsEntriesWithTheirFieldsSubstituted() throws {
        try Journald.ensureRunning()
        let scratch = try Self.compiledCatalogRoot()
        let root = scratch.path
        let writer = JournalWriter(mode: .yes, echoAlerts: false, logger: Logger(label: "test.catalog"))
        let token = TestAlerts.uniqueKey()
        var subjects: [String] = []
        for rule in AlertRule.allCases {
            #expect(
                writer.send(TestAlerts.make(rule, pid: 4242, comm: ByteString(token), exe: "/usr/bin/pwtest"))
                    == .journal)
        }
        subjects += [
            "Process 4242 runs an executable that is no longer on disk as /usr/bin/pwtest",
            "Process 4242 runs an executable from an anonymous memfd",
            "Executable /usr/bin/pwtest changed to something dissimilar",
            "Executable /usr/bin/pwtest was updated",
            "Hash coverage degraded for /usr/bin/pwtest",
            "Process 4242 is hidden by a mount over its /proc entry",
            "Process 4242 maps a shared object that is no longer on disk as /usr/lib/libpwtest.so.1",
            "Process 4242 runs code from an untrusted location",
            "Process 4242 preloads /tmp/libpwtest.so",
        ]
        // journald's socket queues only net.unix.max_dgram_qlen datagrams
        // (10 by default): let it take the alerts before sending more.
        #expect(
            try Journald.entries(matching: "PROCWARDEN_COMM=\(token)", count: AlertRule.allCases.count).count
                == AlertRule.allCases.count)
        let number = UInt64.random(in: 1_000_000...UInt64(Int64.max))
        var summary = ScanSummary()
        summary.scanID = number
        summary.processes = 312
        summary.alerts = 2
        #expect(writer.send(.scanCompleted(summary)) == .journal)
        #expect(
            writer.send(.suppressed(deferred: [.binaryUpdate: 7], dropped: [:], queued: Int(number % 1_000_000_000)))
                == .journal)
        #expect(
            writer.send(.started(capabilities: "cap_sys_ptrace=ep", mode: token, journalMode: .yes, coverage: .partial))
                == .journal)
        subjects += [
            "procwardend scan completed: 312 processes, 2 alerts",
            "procwardend held back 7 alerts by its rate limit",
            "procwardend \(ProcWarden.version) started",
        ]
        let matches =
            "PROCWARDEN_COMM='\(token)' + PROCWARDEN_SCAN_ID=\(number) + "
            + "PROCWARDEN_QUEUED=\(number % 1_000_000_000) + PROCWARDEN_MODE='\(token)'"
        #expect(try Journald.entries(matching: "PROCWARDEN_MODE=\(token)").count == 1)

        let command =
            "mount --bind '\(root)/var/lib/systemd/catalog' /var/lib/systemd/catalog && "
            + "journalctl -x --no-pager -o short \(matches)"
        let run = try ToolRun.run(["unshare", "-m", "--propagation", "private", "sh", "-c", command])
        try #require(run.succeeded, "\(run.summary)")
        for subject in subjects { #expect(run.stdoutText.contains("Subject: \(subject)"), "\(subject)") }
        #expect(run.stdoutText.contains("(\(token), uid 0) is running"))
        #expect(run.stdoutText.contains("only 42 similar to the"))
        #expect(run.stdoutText.contains("started as \(token) with the"))
        #expect(!run.stdoutText.contains("@PROCWARDEN_"))
    }

    /// A temporary root with the catalog in usr/lib/systemd/catalog, compiled
    /// by `journalctl --root=DIR --update-catalog`.
    static func compiledCatalogRoot() throws -> ScratchDirectory {
        let scratch = try ScratchDirectory("catalog", mode: 0o700)
        let root = scratch.path
        let install = try ToolRun.run([
            "install", "-D", "-m", "0644", catalogPath,
            "\(root)/usr/lib/systemd/catalog/procwarden.catalog",
        ])
        try #require(install.succeeded, "\(install.summary)")
        let update = try ToolRun.run(["journalctl", "--root=\(root)", "--update-catalog"])
        try #require(update.succeeded, "\(update.summary)")
        try #require(update.stderr.isEmpty, "journalctl complained: \(update.stderrText)")
        return scratch
    }
}
