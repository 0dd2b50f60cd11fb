import Glibc
import ProcWardenKit

/// ssdeep alone over an open file: ImageDigester's pread(2) loop without the
/// SHA-256 half, driven through the public `FuzzyHashing` seam. The baseline
/// that says what the combined digest costs over ssdeep by itself.
public struct FuzzyDigester: Sendable {
    public var fuzzy: any FuzzyHashing
    public var chunkSize: Int

    public init(fuzzy: any FuzzyHashing = LibFuzzy(), chunkSize: Int = ImageDigester().chunkSize) {
        self.fuzzy = fuzzy
        self.chunkSize = chunkSize
    }

    /// The ssdeep digest of `fd` from offset 0 to EOF, or nil on a read or
    /// libfuzzy failure.
    public func digest(fd: Int32, size: UInt64, buffer: UnsafeMutableRawBufferPointer) -> String? {
        guard let state = fuzzy.start(totalLength: size) else { return nil }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        let chunk = min(chunkSize, buffer.count)
        var offset: UInt64 = 0
        while true {
            let n = pread(fd, buffer.baseAddress, chunk, off_t(offset))
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            guard state.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) else { return nil }
            offset += UInt64(n)
        }
        return state.finish()
    }
}
