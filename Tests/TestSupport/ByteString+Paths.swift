import ProcWardenKit

extension ByteString {
    /// Calls `body` with the bytes as a NUL-terminated C string, for system
    /// calls on paths that need not be UTF-8.
    public func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (bytes + [0]).withUnsafeBufferPointer { p in
            try p.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// `self + "/" + component`.
    public func appending(_ component: ByteString) -> ByteString {
        ByteString(bytes + [UInt8(ascii: "/")] + component.bytes)
    }

    public static func + (lhs: ByteString, rhs: ByteString) -> ByteString { ByteString(lhs.bytes + rhs.bytes) }
}
