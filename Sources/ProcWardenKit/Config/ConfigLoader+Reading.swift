import Glibc

extension ConfigLoader {
    /// What reading one configuration path found.
    enum FileContent: Equatable {
        case text(String)
        /// Nothing at the path, and the file is not required.
        case missing
        /// /dev/null, directly or through a symlink: masked, as systemd does.
        case masked
    }

    /// The device number of /dev/null, makedev(1, 3), fixed by Linux
    /// (Documentation/admin-guide/devices.txt).
    static let nullDevice: dev_t = 0x103

    /// Reads the file at `path` whole, refusing anything but a regular file
    /// or /dev/null (SPEC §5).
    ///
    /// stat(2) comes first, so a FIFO, socket, device or directory is named
    /// without being opened: opening a device can have side effects and a
    /// socket cannot be opened at all. The open is O_NONBLOCK, so a FIFO
    /// swapped in after the stat cannot block it, and fstat(2) of the opened
    /// descriptor checks again. Invalid UTF-8 is kept as `\xNN` escapes
    /// (`escapingInvalidUTF8`), and then fails as a bad value.
    static func read(_ path: String, required: Bool) throws(ConfigError) -> FileContent {
        func unreadable(_ code: Int32) -> ConfigError {
            ConfigError(path: path, problem: .unreadable(reason: String(cString: strerror(code))))
        }
        var info = stat()
        do {
            try SystemCall.valueOrErrno("stat \(path)") { stat(path, &info) }
        } catch  where error.errno == ENOENT && !required {
            return .missing
        } catch {
            throw unreadable(error.errno)
        }
        if let content = try classify(info, path: path) { return content }
        let fd: Int32
        do {
            fd = try SystemCall.valueOrErrno("open \(path)") {
                open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
            }
        } catch  where error.errno == ENOENT && !required {
            return .missing
        } catch {
            throw unreadable(error.errno)
        }
        defer { close(fd) }
        do {
            try SystemCall.valueOrErrno("fstat \(path)") { fstat(fd, &info) }
        } catch {
            throw unreadable(error.errno)
        }
        if let content = try classify(info, path: path) { return content }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n: Int
            do {
                n = try SystemCall.valueOrErrno("read \(path)") {
                    chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                }
            } catch {
                throw unreadable(error.errno)
            }
            if n == 0 { return .text(escapingInvalidUTF8(bytes)) }
            bytes += chunk[0..<n]
            if bytes.count > maxFileSize { throw unreadable(EFBIG) }
        }
    }

    /// nil for a regular file, to be read; `.masked` for /dev/null; an
    /// error naming the kind of anything else.
    private static func classify(_ info: stat, path: String) throws(ConfigError) -> FileContent? {
        let type = info.st_mode & S_IFMT
        if type == S_IFREG { return nil }
        if type == S_IFCHR && info.st_rdev == nullDevice { return .masked }
        throw ConfigError(path: path, problem: .notRegularFile(kind: kindName(type)))
    }

    /// "fifo", "socket", … for the S_IFMT bits of a mode.
    static func kindName(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: "fifo"
        case S_IFSOCK: "socket"
        case S_IFDIR: "directory"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        case S_IFLNK: "symbolic link"
        default: "file type 0o\(String(type, radix: 8))"
        }
    }
}
