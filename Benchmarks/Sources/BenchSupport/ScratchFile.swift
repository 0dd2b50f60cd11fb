import Glibc
import ProcWardenKit

/// An anonymous temporary file of pseudo-random bytes (xorshift64*, fixed
/// seed), open for pread(2). It is unlinked as soon as it is created, so an
/// interrupted benchmark leaves nothing in the temporary directory. Writing it
/// leaves it in the page cache, so digests of it measure hashing, not the disk.
public final class ScratchFile {
    public let fd: Int32
    public let size: Int

    /// Creates the file with mkstemp(3) under `directory` ($TMPDIR or /tmp).
    public init(
        size: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15,
        directory: String = ScratchFile.temporaryDirectory
    ) throws(SystemError) {
        var template = Array("\(directory)/pw-bench-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { p in
            let fd = mkstemp(p.baseAddress!)
            if fd >= 0 { unlink(p.baseAddress!) }
            return fd
        }
        guard fd >= 0 else { throw SystemError("mkstemp \(directory)") }
        self.fd = fd
        self.size = size

        var state = seed | 1
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { block.deallocate() }
        var written = 0
        while written < size {
            let words = block.bindMemory(to: UInt64.self)
            for i in words.indices {
                state ^= state >> 12
                state ^= state << 25
                state ^= state >> 27
                words[i] = state &* 0x2545_F491_4F6C_DD1D
            }
            let n = min(block.count, size - written)
            guard write(fd, block.baseAddress, n) == n else {
                let error = SystemError("write scratch file")
                close(fd)
                throw error
            }
            written += n
        }
    }

    deinit { close(fd) }

    public static var temporaryDirectory: String {
        if let dir = getenv("TMPDIR"), dir.pointee != 0 { return String(cString: dir) }
        return "/tmp"
    }
}
