import ArgumentParser
import Glibc
import ProcWardenKit

/// bench-compare's dpkg index measure (issue 13): builds `DpkgIndex` for
/// a root's database (`/` by default) `runs` times and prints the best
/// build time and the growth of the peak RSS (getrusage(2) ru_maxrss) that
/// the first build caused, as `ms <best> kib <growth> paths <owned lookups>`.
@main struct PWDpkg: ParsableCommand {
    @Argument(help: "The root whose var/lib/dpkg is read.") var root = "/"
    @Option(help: "Builds, best of.") var runs = 5

    func run() throws {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let before = usage.ru_maxrss
        var best = Duration.seconds(3600)
        var owned = 0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let index = DpkgIndex(root: root)
            // The first lookup builds the index; the rest are what a scan asks.
            owned =
                ["/usr/bin/ls", "/bin/ls", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/bin/sleep"].filter {
                    index.owner(of: ByteString($0)) != nil
                }.count
            best = min(best, ContinuousClock.now - start)
            withExtendedLifetime(index) {}
        }
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let (seconds, attoseconds) = best.components
        let microseconds = Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
        let ms = "\(microseconds / 1000).\(microseconds % 1000 / 100)"
        print("ms \(ms) kib \(usage.ru_maxrss - before) paths \(owned)")
    }
}
