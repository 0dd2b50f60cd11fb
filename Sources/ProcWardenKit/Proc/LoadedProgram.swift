/// A program started through the dynamic loader (`ld-linux-x86-64.so.2
/// ./payload`): the exe link names the loader, and the real image is the
/// program argument in /proc/<pid>/cmdline (SPEC §2).
public enum LoadedProgram {
    /// Whether an exe path names an ELF interpreter: glibc's
    /// `ld-linux*.so*` (and `ld64.so*` on some architectures) or musl's
    /// `ld-musl-*.so*`, judged by the file name alone.
    public static func isLoader(_ path: ByteString) -> Bool {
        let name = path.bytes.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) }
        guard let name else { return false }
        return (name.hasPrefix("ld-linux") || name.hasPrefix("ld-musl-") || name.hasPrefix("ld64.so"))
            && name.contains(".so")
    }

    /// Loader options that take a value (ld.so(8) of glibc, and musl's).
    static let optionsWithValue: Set<String> = [
        "--library-path", "--preload", "--argv0", "--audit", "--inhibit-rpath", "--glibc-hwcaps-prepend",
        "--glibc-hwcaps-mask",
    ]

    /// The program a loader was asked to run: the first argument after
    /// argv[0] and the loader's own options (`--` ends them), from the
    /// contents of /proc/<pid>/cmdline (NUL-separated). A relative path is
    /// resolved against `cwd` (the /proc/<pid>/cwd link). nil when there is
    /// none (`ld.so --help`) or cmdline is empty (a kernel thread, a zombie).
    ///
    /// A process may rewrite its own cmdline; the caller must check that the
    /// result is one of the process's executable mappings before trusting it.
    public static func program(inCmdline cmdline: [UInt8], cwd: ByteString?) -> ByteString? {
        let arguments = cmdline.split(separator: 0, omittingEmptySubsequences: false).map(Array.init)
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.starts(with: Array("--".utf8)) else { break }
            if argument.count == 2 {
                index += 1
                break
            }
            index += optionsWithValue.contains(String(decoding: argument, as: UTF8.self)) ? 2 : 1
        }
        guard index < arguments.count, !arguments[index].isEmpty else { return nil }
        let program = arguments[index]
        if program.first == UInt8(ascii: "/") { return ByteString(program) }
        guard let cwd else { return nil }
        var joined = cwd.bytes
        if joined.last != UInt8(ascii: "/") { joined.append(UInt8(ascii: "/")) }
        return ByteString(joined + program)
    }
}
