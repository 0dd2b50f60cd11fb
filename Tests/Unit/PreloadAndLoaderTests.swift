import ProcWardenTestSupport
import Testing

@testable import ProcWardenKit

/// LD_PRELOAD from environ, preload lists, and the program a loader runs.
@Suite struct PreloadAndLoaderTests {
    static func nulJoined(_ items: [String]) -> [UInt8] {
        items.map { Array($0.utf8) }.joined(separator: [0]).map { $0 } + [0]
    }

    @Test func ldPreloadFromEnviron() {
        let environ = Self.nulJoined([
            "PATH=/bin", "LD_PRELOAD=/tmp/evil.so:/usr/lib/libjemalloc.so.2", "X=LD_PRELOAD=no",
        ])
        #expect(Preload.value(inEnviron: environ) == "/tmp/evil.so:/usr/lib/libjemalloc.so.2")
        #expect(Preload.value(inEnviron: Self.nulJoined(["LD_PRELOAD="])) == nil, "empty is unset")
        #expect(Preload.value(inEnviron: Self.nulJoined(["XLD_PRELOAD=/a.so"])) == nil)
        #expect(Preload.value(inEnviron: []) == nil)
        let twice = Self.nulJoined(["LD_PRELOAD=/first.so", "LD_PRELOAD=/second.so"])
        #expect(Preload.value(inEnviron: twice) == "/first.so")
    }

    @Test func preloadListsSplitAtSpacesColonsAndWhiteSpace() {
        #expect(Preload.objects(in: "/a.so:/b.so /c.so") == ["/a.so", "/b.so", "/c.so"])
        #expect(Preload.objects(in: "\n/etc/x.so\t\n  /y.so::\n") == ["/etc/x.so", "/y.so"])
        #expect(Preload.objects(in: "  ").isEmpty)
    }

    @Test func loadersByName() {
        for path in [
            "/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
            "/lib/ld-linux-aarch64.so.1", "/lib/ld-musl-x86_64.so.1", "/lib/ld-linux.so.2",
        ] {
            #expect(LoadedProgram.isLoader(ByteString(path)), "\(path)")
        }
        for path in ["/usr/bin/ld", "/usr/bin/ld.gold", "/tmp/ld-linux", "/usr/lib/libc.so.6", "/"] {
            #expect(!LoadedProgram.isLoader(ByteString(path)), "\(path)")
        }
    }

    @Test func programAfterTheLoadersOptions() {
        let cwd: ByteString = "/home/u"
        func program(_ args: [String]) -> ByteString? {
            LoadedProgram.program(inCmdline: Self.nulJoined(args), cwd: cwd)
        }
        #expect(program(["/lib64/ld-linux-x86-64.so.2", "./payload", "-x"]) == "/home/u/./payload")
        #expect(program(["ld.so", "/tmp/p"]) == "/tmp/p")
        #expect(
            program(["ld.so", "--library-path", "/tmp/lib", "--preload", "/tmp/a.so", "--inhibit-cache", "/tmp/p"])
                == "/tmp/p")
        #expect(program(["ld.so", "--argv0", "sshd", "--", "--weird-name"]) == "/home/u/--weird-name")
        #expect(program(["ld.so", "--help"]) == nil)
        #expect(program(["ld.so"]) == nil)
        #expect(LoadedProgram.program(inCmdline: [], cwd: cwd) == nil)
        #expect(LoadedProgram.program(inCmdline: Self.nulJoined(["ld.so", "rel"]), cwd: nil) == nil)
        #expect(LoadedProgram.program(inCmdline: Self.nulJoined(["ld.so", "rel"]), cwd: "/") == "/rel")
    }
}
