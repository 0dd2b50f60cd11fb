import Glibc
import Logging
import ProcWardenKit
import ProcWardenSystemd
import ProcWardenTestSupport
import Testing

/// The one warning path (SPEC §7): a warning is one journal entry with
/// `PROCWARDEN_WARNING=<kind>`, plus one stderr line unless stderr is
/// journald's own stream, so the same text is never journaled twice.
@Suite(.serialized) struct WarningPathTests {
    init() throws {
        try Journald.ensureRunning()
    }

    @Test func journalStreamMatchesTheDescriptorsDeviceAndInodeOnly() throws {
        let scratch = try ScratchDirectory("journal-stream")
        let path = try scratch.write("stream", "")
        let fd = open(path, O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var st = stat()
        try #require(fstat(fd, &st) == 0)
        #expect(JournalStream.matches("\(st.st_dev):\(st.st_ino)", descriptor: fd))
        #expect(!JournalStream.matches("\(st.st_dev):\(st.st_ino + 1)", descriptor: fd))
        #expect(!JournalStream.matches("\(st.st_dev &+ 1):\(st.st_ino)", descriptor: fd))
        #expect(!JournalStream.matches("\(st.st_dev)", descriptor: fd))
        #expect(!JournalStream.matches("x:y", descriptor: fd))
    }

    /// One entry in the real journal with the kind, the text and PRIORITY 4;
    /// one readable line on stderr when stderr is not journald's stream,
    /// none when it is.
    @Test(arguments: [false, true])
    func aWarningIsOneEntryAndAStderrLineUnlessStderrIsTheJournal(stderrIsJournal: Bool) throws {
        let stderr = try StderrFile()
        let token = UInt64.random(in: 1...UInt64.max)
        let kind = "test-\(token)"
        let logger = Logger(label: "procwardend") { _ in
            JournalLogHandler(
                mode: .yes, output: NonBlockingOutput(descriptor: stderr.fd), stderrIsJournal: stderrIsJournal)
        }

        logger.warning("state directory is not writable", metadata: [JournalLogHandler.warningKey: "\(kind)"])

        let entries = try Journald.entries(matching: "PROCWARDEN_WARNING=\(kind)")
        #expect(entries.count == 1)
        #expect(entries.first?.single("MESSAGE") == "state directory is not writable")
        #expect(entries.first?.single("PRIORITY") == "4")
        #expect(entries.first?.single("SYSLOG_IDENTIFIER") == "procwardend")
        let lines = try stderr.text().split(separator: "\n")
        #expect(lines == (stderrIsJournal ? [] : ["procwardend: warning: state directory is not writable"]))
    }

    /// Metadata other than the kind stays in the one line; hostile text
    /// cannot make a second field or line.
    @Test func metadataAndHostileTextStayInOneFieldAndOneLine() throws {
        let stderr = try StderrFile()
        let token = UInt64.random(in: 1...UInt64.max)
        let logger = Logger(label: "procwardend") { _ in
            JournalLogHandler(mode: .yes, output: NonBlockingOutput(descriptor: stderr.fd), stderrIsJournal: false)
        }

        logger.error(
            "cannot save state\nPROCWARDEN_RULE=integrity.memfd_exec",
            metadata: [JournalLogHandler.warningKey: "test-\(token)", "error": "EROFS"])

        let entries = try Journald.entries(matching: "PROCWARDEN_WARNING=test-\(token)")
        try #require(entries.count == 1)
        #expect(
            entries[0].single("MESSAGE") == "cannot save state\nPROCWARDEN_RULE=integrity.memfd_exec (error: EROFS)")
        #expect(entries[0].single("PRIORITY") == "3")
        #expect(entries[0].single("PROCWARDEN_RULE") == nil)
        let text = try stderr.text()
        #expect(text == "procwardend: error: cannot save state\\nPROCWARDEN_RULE=integrity.memfd_exec (error: EROFS)\n")
    }

    /// `--journal no`: the entry goes to stderr in the NAME=value layout,
    /// once, and no second readable line repeats it.
    @Test func journalModeNoWritesTheEntryOnceToStderr() throws {
        let stderr = try StderrFile()
        let logger = Logger(label: "procwardend") { _ in
            JournalLogHandler(mode: .no, output: NonBlockingOutput(descriptor: stderr.fd), stderrIsJournal: false)
        }

        logger.warning("settings file unreadable", metadata: [JournalLogHandler.warningKey: "settings"])

        let text = try stderr.text()
        #expect(text.ranges(of: "settings file unreadable").count == 1, "\(text)")
        #expect(text.contains("PROCWARDEN_WARNING=settings\n"))
        #expect(text.contains("MESSAGE=settings file unreadable\n"))
    }

    /// The daemon under systemd's journal stream: its capability warning is
    /// one journal entry and never a stderr line (which journald would
    /// store a second time).
    @Test func theDaemonWarnsOnceInTheJournalAndNotOnItsJournalStream() throws {
        try #require(geteuid() == 0, "starts the daemon as nobody")
        let scratch = try ScratchDirectory("warning-stream")
        let launch = try Procwardend(in: scratch, config: "[Scan]\nIntervalSec=3600\n", stateOwner: 65534)
        // The stream's DEV:INO as systemd sets it: those of the daemon's own
        // stderr, read after the redirection.
        let wrapper = [
            "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
            "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$@\"", "sh",
        ]
        let (daemon, since) = try launch.start(prefix: wrapper)
        defer { daemon.stop() }
        let warnings = try Journald.entries(matching: ["_PID=\(daemon.pid)"], since: since) {
            $0.contains { $0.single("PROCWARDEN_WARNING") == "capabilities" }
        }.filter { $0.single("PROCWARDEN_WARNING") == "capabilities" }
        #expect(warnings.count == 1, "\(daemon.stderr)")
        #expect(warnings.first?.single("MESSAGE")?.description.contains("coverage is partial") == true)
        #expect(!daemon.stderr.contains("warning:"), "\(daemon.stderr)")
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: .seconds(5)) == 0, "\(daemon.stderr)")
    }
}

/// A scratch file standing in for stderr: the handler writes to `fd`.
private final class StderrFile {
    let scratch: ScratchDirectory
    let path: String
    let fd: Int32

    init() throws {
        scratch = try ScratchDirectory("warning-path")
        path = try scratch.write("stderr", "")
        fd = open(path, O_WRONLY | O_APPEND)
        guard fd >= 0 else { throw TestFailure("open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func text() throws -> String { String(decoding: try TestFile.read(ByteString(path)), as: UTF8.self) }
}
