import Glibc

/// Shell-style globs over byte strings, as `IgnorePaths` and `MemfdAllow` use them.
public enum Glob {
    /// True when fnmatch(3) (no flags: `*` also matches `/`) accepts `name`
    /// for any of `patterns`.
    public static func matches(_ name: ByteString, anyOf patterns: [String]) -> Bool {
        guard !patterns.isEmpty else { return false }
        let cName = name.bytes + [0]
        return cName.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { cp in
                patterns.contains { fnmatch($0, cp.baseAddress!, 0) == 0 }
            }
        }
    }
}
