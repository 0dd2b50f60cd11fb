import Glibc
import ProcWardenKit

/// Distinct executables to start sleepers from: copies of sleep(1), each with
/// a different amount of trailing padding, so each has its own inode and its
/// own digests. The kernel ignores bytes past the ELF segments.
public final class SleeperImages {
    public let directory: String
    public let paths: [String]

    /// Copies `source` `count` times into a fresh mkdtemp(3) directory.
    public init(
        count: Int = 3, source: String = "/bin/sleep",
        directory parent: String = ScratchFile.temporaryDirectory
    ) throws(SystemError) {
        var template = Array("\(parent)/pw-bench-images-XXXXXX".utf8CString)
        guard
            let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!).map { String(cString: $0) } })
        else {
            throw SystemError("mkdtemp \(parent)")
        }
        let directory = made
        self.directory = directory
        let original = try Self.contents(of: source)
        var paths: [String] = []
        for i in 0..<count {
            let path = "\(directory)/pw-sleep-\(i)"
            let padding = [UInt8](repeating: UInt8(truncatingIfNeeded: i + 1), count: 4096 * (i + 1) + i)
            do {
                try Self.write(original + padding, to: path)
            } catch {
                for p in paths { unlink(p) }
                rmdir(directory)
                throw error
            }
            paths.append(path)
        }
        self.paths = paths
    }

    deinit {
        for path in paths { unlink(path) }
        rmdir(directory)
    }

    private static func contents(of path: String) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        defer { close(fd) }
        var out: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read \(path)")
            }
            if n == 0 { return out }
            out += block[..<n]
        }
    }

    private static func write(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw SystemError("create \(path)") }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw SystemError("write \(path)") }
    }
}
