import Foundation
import Glibc
import Logging
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// Event-driven detection (SPEC §15): a real procwardend on a private bus,
/// writing to the real journal, with `IntervalSec=3600` so that no periodic
/// scan runs during a test. What is found within the 5 s deadline was found
/// by an inotify event or a new-process pass; the scans would take an hour.
@Suite(.serialized) struct EventDetectionTests {
    /// Long enough to tell an event from a scan, short enough for a loaded
    /// 2-core machine running a debug build (the 1 s figure is the
    /// benchmark's).
    static let deadline = Duration.seconds(5)

    init() throws {
        try #require(geteuid() == 0, "the daemon runs as root to see every process")
        try Journald.ensureRunning()
    }

    /// No periodic scan within a test; only the staged files' processes
    /// count (`IgnorePaths`), and nothing else may use up the alert budget.
    static func configuration(watching prefix: String, scan: [String] = [], alerts: [String] = []) -> String {
        (["[Scan]", "IntervalSec=3600", "IgnorePaths=" + AlertConfig.ignoringAllBut(prefix).joined(separator: " ")]
            + scan + ["[Hashing]", "MaxFileSize=16M", "[Alerts]", "RateLimitBurst=100000"] + alerts)
            .joined(separator: "\n")
    }

    /// The alert of `rule` about `pid` that the daemon sent after `since`
    /// (realtime µs), waiting at most `deadline`; its delay after `since`.
    static func alert(
        _ rule: AlertRule, pid: pid_t, from daemon: ProcwardendOnBus, since: UInt64,
        extra: [String] = [], timeout: Duration = deadline
    ) throws -> (record: JournalRecord, delay: Duration)? {
        let daemonPID = try #require(daemon.process?.pid)
        let matches =
            ["_PID=\(daemonPID)", "PROCWARDEN_RULE=\(rule.rawValue)", "PROCWARDEN_PID=\(pid)"] + extra
        let found = try Journald.entries(matching: matches, since: since, timeout: timeout) { !$0.isEmpty }
        guard let record = found.first else { return nil }
        return (record, .microseconds(Int64(AlertJournal.timestamp(record)) - Int64(since)))
    }

    /// A copy of sleep at `path`, made distinct by `trailer`.
    static func stage(_ path: String, _ trailer: String) throws {
        try TestFile.copy(ByteString("/usr/bin/sleep"), to: ByteString(path), appending: Array(trailer.utf8))
    }

    /// The watches the kernel shows for the daemon's inotify descriptor
    /// (`inotify wd:` lines of /proc/<pid>/fdinfo/<fd>), read apart from
    /// what the daemon says of them.
    static func kernelWatches(of pid: pid_t) -> Int? {
        for fd in TestFile.list("/proc/\(pid)/fd") {
            guard
                Self.readLink("/proc/\(pid)/fd/\(fd)") == "anon_inode:inotify",
                let info = try? TestFile.read(ByteString("/proc/\(pid)/fdinfo/\(fd)"))
            else { continue }
            return String(decoding: info, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("inotify wd:") }
                .count
        }
        return nil
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(path, &buffer, buffer.count - 1)
        return n < 0 ? nil : String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func watched(_ caller: BusCaller) throws -> UInt64? {
        BusCaller.unsigned(try caller.property(.watchedDirectories))
    }

    /// A running binary deleted, one replaced by rename, and a library that
    /// does not run but is mapped, written in place: each alerted within
    /// the deadline of the change.
    @Test func deletedReplacedAndWrittenFilesAreAlertedFromEvents() throws {
        let scratch = try ScratchDirectory("event")
        let (deleted, replaced) = (scratch("deleted"), scratch("replaced"))
        try Self.stage(deleted, "deleted")
        try Self.stage(replaced, "replaced")
        let library = ByteString(scratch("libpwz.so.1"))
        try TestFile.copy(SharedObjectTests.libz, to: library)
        let victims = try [deleted, replaced].map { try ChildProcess([$0, "600"]) }
        let mapperExe = scratch("mapper")
        try Self.stage(mapperExe, "mapper")
        let mapper = try ChildProcess(
            ByteString(mapperExe), ["mapper", "600"],
            environment: Spawn.environment(["LD_PRELOAD": library.description])
        ) { SharedObjectTests.maps($0.pid).contains(library.description) }
        defer { for child in victims + [mapper] { child.stop() } }

        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(
            on: bus,
            configuration: Self.configuration(
                watching: scratch.path + "/", alerts: ["PreloadAllow=\(library.description)"]),
            journal: "yes")
        #expect(try Self.watched(BusCaller(bus)).map { $0 > 0 } == true, "no directory watched")
        let observer = try BusObserver(address: bus.address)
        let processes = try observer.value(.processes)

        var since = WallClock.microseconds()
        try TestFile.unlink(ByteString(deleted))
        let gone = try #require(
            try Self.alert(.diskMismatch, pid: victims[0].pid, from: daemon, since: since),
            "no disk_mismatch within \(Self.deadline) of the unlink; \(daemon.stderr)")
        #expect(gone.record.single("PROCWARDEN_EXE_STATE") == "deleted")

        since = WallClock.microseconds()
        try Self.stage(scratch("replaced.new"), "replacement")
        try TestFile.rename(ByteString(scratch("replaced.new")), ByteString(replaced))
        let swapped = try #require(
            try Self.alert(.diskMismatch, pid: victims[1].pid, from: daemon, since: since),
            "no disk_mismatch within \(Self.deadline) of the rename; \(daemon.stderr)")
        // The old inode is unlinked by the rename: deleted, with the new file's digest.
        #expect(swapped.record.single("PROCWARDEN_EXE_STATE") == "deleted")
        #expect(swapped.record.single("PROCWARDEN_ON_DISK_SHA256") == ByteString(try ReferenceDigest.sha256(replaced)))

        since = WallClock.microseconds()
        let fd = open(library.description, O_WRONLY | O_APPEND)
        try #require(fd >= 0)
        let junk = [UInt8](repeating: 0x5a, count: 8192)
        #expect(write(fd, junk, junk.count) == junk.count)
        close(fd)
        let daemonPID = try #require(daemon.process?.pid)
        let changed = try Journald.entries(
            matching: ["_PID=\(daemonPID)", "PROCWARDEN_OBJECT=library", "PROCWARDEN_LIBRARY=\(library)"],
            since: since, timeout: Self.deadline
        ) { records in
            records.contains {
                ["integrity.binary_change", "integrity.binary_update"].contains($0.single("PROCWARDEN_RULE"))
            }
        }
        #expect(
            changed.contains {
                $0.single("PROCWARDEN_RULE") == "integrity.binary_change"
                    || $0.single("PROCWARDEN_RULE") == "integrity.binary_update"
            },
            "no content-change alert for \(library) within \(Self.deadline); \(daemon.stderr)")

        // Targeted scans are not scans (SPEC §8): no ScanCompleted, no
        // scan-completed entry, Processes as the last scan left it; their
        // alerts are announced as any other.
        observer.pump(for: .milliseconds(300))
        #expect(!observer.signals.contains { if case .scanCompleted = $0 { true } else { false } })
        #expect(
            observer.signals.contains {
                if case .alertRaised(_, _, _, let pid, _) = $0 { pid == UInt32(victims[0].pid) } else { false }
            })
        #expect(try observer.value(.processes) == processes)
        let summaries = try Journald.entries(
            matching: ["_PID=\(daemonPID)", "MESSAGE_ID=\(OperationalMessage.scanCompleted.messageID)"], timeout: .zero
        ) { _ in true }
        #expect(summaries.count == 1, "only the first scan's summary")
    }

    /// A memfd execution that starts after the daemon is reported by the
    /// new-process pass, not at the next scan.
    @Test func newMemfdExecutionIsAlertedFromTheNewProcessPass() throws {
        let name = "pwevent-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(
            on: bus, configuration: Self.configuration(watching: "/memfd:" + name), journal: "yes")
        let since = WallClock.microseconds()
        let target = try ChildProcess(
            ByteString(BuildProducts.memfdExec), ["pw-memfd-exec", ByteString(name), "/usr/bin/sleep", "sleep", "600"],
            until: { $0.exeLink?.hasPrefix(ByteString("/memfd:")) == true })
        defer { target.stop() }
        let found = try #require(
            try Self.alert(.memfdExec, pid: target.pid, from: daemon, since: since),
            "no memfd_exec within \(Self.deadline) of the execution; \(daemon.stderr)")
        #expect(found.record.single("PROCWARDEN_EXE_STATE") == "memfd")

        // A process that a pass has already taken in, then execs a memfd in
        // place (same pid, same start time): still found while it is young.
        let late = name + "-late"
        let shell = try ChildProcess(
            "/bin/sh",
            ["sh", "-c", ByteString("sleep 1.5; exec \(try BuildProducts.memfdExec) \(late) /usr/bin/sleep sleep 600")])
        defer { shell.stop() }
        #expect(
            Poll.eventually(timeout: .seconds(10)) { shell.exeLink?.hasPrefix(ByteString("/memfd:")) == true },
            "the shell never exec'd the memfd: \(shell.exeLink?.escaped ?? "-")")
        let execedAt = WallClock.microseconds()
        let inPlace = try #require(
            try Self.alert(.memfdExec, pid: shell.pid, from: daemon, since: execedAt - 1_000_000),
            "no memfd_exec for an exec in place; \(daemon.stderr)")
        #expect(inPlace.record.single("PROCWARDEN_MEMFD_NAME") == ByteString(late))
    }

    /// The directory of a running image renamed away and made again: the
    /// watch follows the renamed directory (the old process's image is now
    /// under its new name) and the new directory is watched for the
    /// process started from it.
    @Test func directoryRenamedAwayAndRecreatedIsStillWatched() throws {
        let scratch = try ScratchDirectory("event-dir")
        let (directory, moved) = (scratch("bin"), scratch("bin.old"))
        try TestFile.makeDirectory(ByteString(directory))
        try Self.stage(directory + "/app", "first")
        let first = try ChildProcess([directory + "/app", "600"])
        defer { first.stop() }
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(
            on: bus, configuration: Self.configuration(watching: scratch.path + "/"), journal: "yes")

        let caller = BusCaller(bus)
        let watchedBefore = try #require(try Self.watched(caller))
        try TestFile.rename(ByteString(directory), ByteString(moved))
        try TestFile.makeDirectory(ByteString(directory))
        try Self.stage(directory + "/app", "second")
        let second = try ChildProcess([directory + "/app", "600"])
        defer { second.stop() }
        // The new-process pass takes the second process in, and with it a
        // watch on the new directory; the renamed one keeps its own.
        #expect(
            Poll.eventually(timeout: Self.deadline) { (try? Self.watched(caller)) == watchedBefore + 1 },
            "no watch for the recreated directory: \(String(describing: try? Self.watched(caller)))")

        var since = WallClock.microseconds()
        try TestFile.unlink(ByteString(directory + "/app"))
        let recreated = try #require(
            try Self.alert(.diskMismatch, pid: second.pid, from: daemon, since: since),
            "no disk_mismatch for the process from the recreated directory; \(daemon.stderr)")
        #expect(recreated.record.single("PROCWARDEN_EXE") == ByteString(directory + "/app"))

        since = WallClock.microseconds()
        try TestFile.unlink(ByteString(moved + "/app"))
        let renamed = try #require(
            try Self.alert(.diskMismatch, pid: first.pid, from: daemon, since: since),
            "no disk_mismatch for the process from the renamed directory; \(daemon.stderr)")
        #expect(renamed.record.single("PROCWARDEN_EXE") == ByteString(moved + "/app"))
    }

    /// Watches follow the processes: a process from a directory of its own
    /// adds a watch, and its exit takes it away, as both the bus property
    /// and the kernel's own count say.
    @Test func watchesFollowTheProcesses() throws {
        let scratch = try ScratchDirectory("event-follow")
        let anchor = scratch("anchor")
        try Self.stage(anchor, "anchor")
        let resident = try ChildProcess([anchor, "600"])
        defer { resident.stop() }
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(
            on: bus, configuration: Self.configuration(watching: scratch.path + "/"), journal: "yes")
        let caller = BusCaller(bus)
        let daemonPID = try #require(daemon.process?.pid)
        let before = try #require(try Self.watched(caller))
        #expect(Int(before) == Self.kernelWatches(of: daemonPID))

        let own = scratch("own")
        try TestFile.makeDirectory(ByteString(own))
        try Self.stage(own + "/app", "own")
        let visitor = try ChildProcess([own + "/app", "600"])
        #expect(
            Poll.eventually(timeout: Self.deadline) { (try? Self.watched(caller)) == before + 1 },
            "the new process's directory was not watched: \(String(describing: try? Self.watched(caller)))")
        #expect(Int(before + 1) == Self.kernelWatches(of: daemonPID))

        visitor.stop()
        #expect(
            Poll.eventually(timeout: Self.deadline) { (try? Self.watched(caller)) == before },
            "the watch outlived the process: \(String(describing: try? Self.watched(caller)))")
        #expect(Int(before) == Self.kernelWatches(of: daemonPID))
    }

    /// A user's inotify watches run out (`fs.inotify.max_user_watches`
    /// lowered to one for the test, and put back after): one inotify
    /// warning, coverage partial on the bus, and the scans still find a
    /// deleted binary.
    @Test func runningOutOfWatchesWarnsAndPollingStillDetects() throws {
        let scratch = try ScratchDirectory("event-limit")
        // Two directories to watch, so that a limit of one runs out even
        // when nothing else of root's holds a watch.
        try TestFile.makeDirectory(ByteString(scratch("a")))
        try TestFile.makeDirectory(ByteString(scratch("b")))
        let exe = scratch("a/victim")
        try Self.stage(exe, "limit")
        try Self.stage(scratch("b/second"), "second")
        try Self.stage(scratch("other"), "other")
        let victim = try ChildProcess([exe, "600"])
        let second = try ChildProcess([scratch("b/second"), "600"])
        defer {
            victim.stop()
            second.stop()
        }
        let bus = try PrivateBus(policy: .shipped)
        let sysctl = ByteString("/proc/sys/fs/inotify/max_user_watches")
        let saved = try TestFile.read(sysctl)
        try TestFile.overwrite(sysctl, with: Array("1\n".utf8))
        defer { try? TestFile.overwrite(sysctl, with: saved) }

        let configuration = Self.configuration(watching: scratch.path + "/").replacingOccurrences(
            of: "IntervalSec=3600", with: "IntervalSec=1")
        let daemon = try ProcwardendOnBus(on: bus, configuration: configuration, journal: "yes")
        let daemonPID = try #require(daemon.process?.pid)
        let warnings = try Journald.entries(
            matching: ["_PID=\(daemonPID)", "PROCWARDEN_WARNING=\(WarningKind.inotify.rawValue)"],
            timeout: .seconds(10)
        ) { !$0.isEmpty }
        #expect(warnings.count == 1, "\(warnings.map { $0.single("MESSAGE")?.description ?? "" })")
        #expect(
            warnings.first?.single("MESSAGE")?.description.contains("max_user_watches") == true,
            "the warning says what to raise")
        // Partial here for the watches alone is shown below: in a sandbox
        // the machine's pid 1 may make every scan partial already.
        #expect(try BusCaller(bus).property(.coverage) as? String == Coverage.partial.rawValue)
        #expect(try Self.watched(BusCaller(bus)).map { $0 <= 1 } == true)

        // With one watch at most, one of the two deletions is found by the
        // scans alone.
        let since = WallClock.microseconds()
        try TestFile.unlink(ByteString(exe))
        try TestFile.unlink(ByteString(scratch("b/second")))
        for child in [victim, second] {
            #expect(
                try Self.alert(.diskMismatch, pid: child.pid, from: daemon, since: since, timeout: .seconds(30)) != nil,
                "the deletion of pid \(child.pid)'s binary was not found; \(daemon.stderr)")
        }
        let again = try Journald.entries(
            matching: ["_PID=\(daemonPID)", "PROCWARDEN_WARNING=\(WarningKind.inotify.rawValue)"], timeout: .zero
        ) { _ in true }
        #expect(again.count == 1, "warned once, not per scan")

        let other = try ChildProcess([scratch("other"), "600"])
        defer { other.stop() }
        // The same engine in this process: partial while the limit holds,
        // not once it is lifted.
        let records = Scanner(logger: Logger(label: "test")).scan(only: [other.pid]).processes
        let directories = WatchedFiles(records).directories.count
        try #require(directories >= 2, "the process and its libraries live in \(directories) directories")
        let watcher = try DirectoryWatcher(logger: Logger(label: "test"))
        watcher.update(fullScan: records)
        #expect(watcher.isPartial)
        #expect(watcher.watchCount <= 1)
        try TestFile.overwrite(sysctl, with: saved)
        watcher.update(fullScan: records)
        #expect(!watcher.isPartial)
        #expect(watcher.watchCount == directories)
    }

    /// 10,000 files created in a watched directory in about a second: the
    /// daemon stays up and answers, its memory stays bounded, at most one
    /// full scan comes of it (the kernel's queue may overflow), and a real
    /// change right after is still alerted within the deadline.
    @Test func eventStormIsAbsorbed() throws {
        let scratch = try ScratchDirectory("event-storm")
        let exe = scratch("resident")
        try Self.stage(exe, "storm")
        let resident = try ChildProcess([exe, "600"])
        defer { resident.stop() }
        let bus = try PrivateBus(policy: .shipped)
        let daemon = try ProcwardendOnBus(
            on: bus, configuration: Self.configuration(watching: scratch.path + "/"), journal: "yes")
        let daemonPID = try #require(daemon.process?.pid)
        let observer = try BusObserver(address: bus.address)
        let rssBefore = try #require(Self.residentKiB(daemonPID))

        let started = ContinuousClock.now
        for i in 0..<10_000 {
            let fd = open(scratch("storm-\(i)"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            try #require(fd >= 0, "create storm-\(i): \(errno)")
            close(fd)
        }
        let took = ContinuousClock.now - started
        observer.pump(for: .seconds(2))
        let scans = observer.signals.filter { if case .scanCompleted = $0 { true } else { false } }
        #expect(scans.count <= 1, "\(scans.count) scans for one storm (created in \(took))")
        #expect(kill(daemonPID, 0) == 0, "procwardend died; \(daemon.stderr)")
        #expect(try observer.property(.state).latency < .seconds(2))
        let rssAfter = try #require(Self.residentKiB(daemonPID))
        #expect(rssAfter < rssBefore + 32 * 1024, "RSS grew from \(rssBefore) KiB to \(rssAfter) KiB")

        let since = WallClock.microseconds()
        try TestFile.unlink(ByteString(exe))
        #expect(
            try Self.alert(.diskMismatch, pid: resident.pid, from: daemon, since: since) != nil,
            "no disk_mismatch within \(Self.deadline) after the storm; \(daemon.stderr)")
    }

    /// VmRSS of /proc/<pid>/status, in KiB.
    static func residentKiB(_ pid: pid_t) -> Int? {
        guard let bytes = try? TestFile.read(ByteString("/proc/\(pid)/status")) else { return nil }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line?.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }
}
