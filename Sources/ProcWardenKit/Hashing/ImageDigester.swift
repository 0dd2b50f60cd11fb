import Glibc

/// Computes SHA-256 and ssdeep of an open file in one read pass: each buffer
/// goes to OpenSSL and to the ssdeep engine before the next read.
public struct ImageDigester: Sendable {
    /// The ssdeep engine; nil when `Ssdeep=no`.
    public var fuzzy: (any FuzzyHashing)?
    public var chunkSize: Int

    public init(fuzzy: (any FuzzyHashing)? = Configuration.defaults.ssdeepEngine.hashing, chunkSize: Int = 1 << 20) {
        self.fuzzy = fuzzy
        self.chunkSize = chunkSize
    }

    public enum Outcome: Sendable, Equatable {
        case digest(ImageDigest, bytesRead: UInt64)
        case unhashed(UnhashedReason, bytesRead: UInt64)

        public var bytesRead: UInt64 {
            switch self {
            case .digest(_, let n), .unhashed(_, let n): n
            }
        }
    }

    /// Reads `fd` from offset 0 with pread(2) until EOF. `size` is st_size,
    /// the total length the ssdeep engine is started with. Between reads it gives up with
    /// `.timeout` past `deadline` and with `.pending` once `shouldStop` says so.
    /// `ssdeep: false` (a file over `MaxFileSize`) computes SHA-256 alone;
    /// `md5: true` (a packaged file) adds MD5 to the same pass.
    public func digest(
        fd: Int32, size: UInt64, buffer: UnsafeMutableRawBufferPointer, ssdeep wantSsdeep: Bool = true,
        md5 wantMD5: Bool = false, deadline: ContinuousClock.Instant? = nil, shouldStop: () -> Bool = { false }
    ) -> Outcome {
        guard let sha = EVPHasher() else { return .unhashed(.readError, bytesRead: 0) }
        let md5 = wantMD5 ? EVPHasher(md5: true) : nil
        if wantMD5 && md5 == nil { return .unhashed(.readError, bytesRead: 0) }
        let engine = wantSsdeep ? fuzzy : nil
        var fuzzyState = engine?.start(totalLength: size)
        var fuzzyFailed = engine != nil && fuzzyState == nil
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        let chunk = min(chunkSize, buffer.count)
        var offset: UInt64 = 0
        while true {
            if shouldStop() { return .unhashed(.pending, bytesRead: offset) }
            if let deadline, ContinuousClock.now >= deadline { return .unhashed(.timeout, bytesRead: offset) }
            let n: Int
            do {
                n = try SystemCall.valueOrErrno("pread") { pread(fd, buffer.baseAddress, chunk, off_t(offset)) }
            } catch {
                return .unhashed(.readError, bytesRead: offset)
            }
            if n == 0 { break }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            guard sha.update(slice), md5?.update(slice) ?? true else { return .unhashed(.readError, bytesRead: offset) }
            if let state = fuzzyState, !state.update(slice) {
                fuzzyState = nil
                fuzzyFailed = true
            }
            offset += UInt64(n)
        }
        guard let sha256 = sha.finishHex() else { return .unhashed(.readError, bytesRead: offset) }
        var ssdeep: String? = nil
        if let state = fuzzyState {
            ssdeep = state.finish()
            if ssdeep == nil { fuzzyFailed = true }
        }
        let digest = ImageDigest(
            sha256: sha256, ssdeep: ssdeep, degraded: fuzzyFailed, tooLargeForSsdeep: !wantSsdeep && fuzzy != nil,
            md5: md5?.finishHex())
        return .digest(digest, bytesRead: offset)
    }

    /// Convenience for tests and benchmarks: digests a whole fd with a fresh buffer.
    public func digest(fd: Int32) -> Outcome {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .unhashed(.readError, bytesRead: 0) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        return digest(fd: fd, size: UInt64(max(0, st.st_size)), buffer: buffer)
    }
}
