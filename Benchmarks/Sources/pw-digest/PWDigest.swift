import ArgumentParser
import BenchSupport
import Glibc
import ProcWardenKit

/// bench-compare's side of the digest comparison: prints what the daemon's
/// digester computes for each file, as `<sha256> <ssdeep> <path>`, so it can be
/// timed next to sha256sum and ssdeep on the same files.
@main
struct PWDigest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pw-digest",
        abstract: "Print the SHA-256 and ssdeep digests of files, read once as procwardend does."
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case combined, sha256, ssdeep
    }

    @Option(help: "Which digests to compute: combined (one read, both digests), sha256 or ssdeep.")
    var mode: Mode = .combined

    @Option(
        help: "The ssdeep engine: native or libfuzzy (SsdeepEngine=).",
        transform: { value in
            guard let engine = SsdeepEngine(rawValue: value) else {
                throw ValidationError("--engine takes \(SsdeepEngine.validValues), not '\(value)'")
            }
            return engine
        })
    var engine: SsdeepEngine = Configuration.defaults.ssdeepEngine

    @Flag(help: "Add MD5 to the combined read, as for a file a package owns (prints it after the path).")
    var md5 = false

    @Option(help: "Bytes per pread(2); defaults to the daemon's chunk size.")
    var chunkSize: Int = ImageDigester().chunkSize

    @Argument(help: "Files to digest.")
    var files: [String]

    func validate() throws {
        guard chunkSize > 0 else { throw ValidationError("--chunk-size must be positive") }
        guard !files.isEmpty else { throw ValidationError("name at least one file") }
        guard !md5 || mode == .combined else { throw ValidationError("--md5 goes with --mode combined") }
    }

    func run() throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        for path in files {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw failure("cannot open \(path): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
                throw failure("\(path) is not a regular file")
            }
            let size = UInt64(st.st_size)
            switch mode {
            case .combined, .sha256:
                let digester = ImageDigester(fuzzy: mode == .combined ? engine.hashing : nil, chunkSize: chunkSize)
                guard case .digest(let digest, _) = digester.digest(fd: fd, size: size, buffer: buffer, md5: md5),
                    !digest.degraded
                else {
                    throw failure("cannot digest \(path)")
                }
                print("\(digest.sha256) \(digest.ssdeep ?? "-") \(path)" + (digest.md5.map { " \($0)" } ?? ""))
            case .ssdeep:
                guard
                    let ssdeep = FuzzyDigester(fuzzy: engine.hashing, chunkSize: chunkSize).digest(
                        fd: fd, size: size, buffer: buffer)
                else {
                    throw failure("cannot digest \(path)")
                }
                print("- \(ssdeep) \(path)")
            }
        }
    }

    /// Printed by ArgumentParser as a one-line `Error: …`, exit status 1.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func failure(_ message: String) -> Failure { Failure(description: message) }
}
