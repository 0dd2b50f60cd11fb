import Glibc

/// Regular files of the system's program and library directories, the real
/// inputs the daemon digests.
public enum SystemFiles {
    public static let directories = ["/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu"]

    /// Every regular file (symlinks not followed) directly under
    /// `directories`, sorted by path, with its size.
    public static func all(maximumSize: Int) -> [(path: String, size: Int)] {
        var files: [(String, Int)] = []
        for directory in directories {
            guard let dir = opendir(directory) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = directory + "/" + name
                var st = stat()
                guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= maximumSize else {
                    continue
                }
                files.append((path, Int(st.st_size)))
            }
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// A seeded shuffle of `all`, taken while the sizes add up to `budget`.
    public static func sample(budget: Int, maximumSize: Int, seed: UInt64) -> [(path: String, size: Int)] {
        var rng = SplitMix64(seed: seed)
        var total = 0
        return all(maximumSize: maximumSize).shuffled(using: &rng).filter { file in
            guard total + file.size <= budget else { return false }
            total += file.size
            return true
        }
    }

    /// The file's contents, or nil when it cannot be read whole.
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        let complete = bytes.withUnsafeMutableBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = pread(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(offset))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        return complete ? bytes : nil
    }
}
