import Glibc
import ProcWardenKit
import ProcWardenTestSupport
import Testing

/// A warm scan reuses a process's mappings while its exe and virtual size
/// are unchanged (`ObjectClassifier.mapsRereadEvery`). Real python
/// processes change their mappings on a signal: a dlopen is seen at the
/// next scan; an equal-size swap by munmap and mmap at the latest when the
/// maps are read again.
@Suite(.serialized)
struct MapsRereadTests {
    static let libz: ByteString = "/usr/lib/x86_64-linux-gnu/libz.so.1"

    /// python3 copied into `scratch`, running `script` (argv[1…] after it)
    /// until it prints "ready"; each SIGUSR1 runs `step()` once and prints
    /// "step".
    static func python(_ scratch: ScratchDirectory, _ script: String, _ arguments: [ByteString]) throws
        -> ChildProcess
    {
        let python = scratch.appending("python3")
        try TestFile.copy("/usr/bin/python3", to: python)
        let program = """
            import ctypes, mmap, os, signal, sys, time
            \(script)
            signal.signal(signal.SIGUSR1, lambda *_: (step(), print("step", flush=True)))
            print("ready", flush=True)
            while True:
                time.sleep(60)
            """
        return try ChildProcess(python, ["python3", "-c", ByteString(program)] + arguments) {
            $0.stdout.contains("ready")
        }
    }

    static func step(_ child: ChildProcess) throws {
        let before = child.stdout.components(separatedBy: "step").count
        child.signal(SIGUSR1)
        try #require(
            Poll.eventually(timeout: .seconds(10)) { child.stdout.components(separatedBy: "step").count > before })
    }

    static func untrusted(_ alerts: [Alert], _ path: ByteString) -> [Alert] {
        alerts.filter { $0.rule == .untrustedCode && $0[.library] == path }
    }

    /// dlopen grows the process: the next scan reads its maps again.
    @Test func aLibraryLoadedAfterAScanIsSeenAtTheNext() throws {
        let scratch = try ScratchDirectory("maps-dlopen")
        let drop = try scratch.makeDirectory("drop")
        let library = ByteString(drop + "/libpwz.so.1")
        try TestFile.copy(Self.libz, to: library)
        var settings = RuleHarness.testSettings
        settings.untrustedCodePaths = [drop + "/*"]
        let harness = RuleHarness(watching: scratch.path + "/", settings: settings)
        let child = try Self.python(scratch, "def step(): ctypes.CDLL(sys.argv[1])", [library])
        defer { child.stop() }

        for _ in 0..<3 {
            let (_, quiet) = try harness.cycle()
            #expect(Self.untrusted(quiet, library).isEmpty, "\(quiet.map(\.message))")
        }
        try Self.step(child)
        let (_, alerts) = try harness.cycle()
        #expect(Self.untrusted(alerts, library).count == 1, "\(alerts.map(\.message))")
    }

    /// A file mapped executable is swapped for another of the same size
    /// (munmap, then mmap at the same length): the virtual size does not
    /// move, so the swap shows once the maps are read again, within
    /// `mapsRereadEvery` scans.
    @Test func anEqualSizeSwapIsSeenWithinTheRereadBound() throws {
        let scratch = try ScratchDirectory("maps-swap")
        let drop = try scratch.makeDirectory("drop")
        let trusted = scratch.appending("libtrusted.so")
        let untrusted = ByteString(drop + "/libswap.so")
        try TestFile.copy(Self.libz, to: trusted)
        try TestFile.copy(Self.libz, to: untrusted)
        var settings = RuleHarness.testSettings
        settings.untrustedCodePaths = [drop + "/*"]
        let harness = RuleHarness(watching: scratch.path + "/", settings: settings)
        let script = """
            def exec_map(path):
                with open(path, "rb") as f:
                    return mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ | mmap.PROT_EXEC, flags=mmap.MAP_PRIVATE)
            held = [exec_map(sys.argv[1])]
            def step():
                held[0].close()
                held[0] = exec_map(sys.argv[2])
            """
        let child = try Self.python(scratch, script, [trusted, untrusted])
        defer { child.stop() }
        let statBefore = try #require(LiveStat(pid: child.pid)?.virtualSize)

        // Enough scans that every process's maps were read at least once
        // from the cache side of the bound.
        for _ in 0..<ObjectClassifier.mapsRereadEvery {
            let (_, quiet) = try harness.cycle()
            #expect(Self.untrusted(quiet, untrusted).isEmpty, "\(quiet.map(\.message))")
        }
        try Self.step(child)
        #expect(LiveStat(pid: child.pid)?.virtualSize == statBefore, "precondition: the swap kept the virtual size")
        var scans = 0
        var seen = false
        while scans < ObjectClassifier.mapsRereadEvery, !seen {
            scans += 1
            let (_, alerts) = try harness.cycle()
            seen = !Self.untrusted(alerts, untrusted).isEmpty
        }
        #expect(seen, "not seen within \(ObjectClassifier.mapsRereadEvery) scans")
    }
}
