import COpenSSL

/// SHA-256 (or, with `md5: true`, the MD5 dpkg records) through OpenSSL's
/// EVP interface (EVP_DigestInit_ex / EVP_DigestUpdate /
/// EVP_DigestFinal_ex), which uses SHA-NI where present.
final class EVPHasher {
    private let context: OpaquePointer

    /// OPENSSL_init_crypto(3) with OPENSSL_INIT_NO_ATEXIT, before any other
    /// OpenSSL call: OpenSSL's atexit cleanup frees its global state while a
    /// hash worker thread may still be running its thread-local cleanup,
    /// which then reads freed memory (seen as a SIGSEGV in libcrypto as
    /// `--once` exited). The process is exiting; the kernel reclaims it all.
    private static let initialized: Bool = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1

    init?(md5: Bool = false) {
        _ = Self.initialized
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex(context, md5 ? EVP_md5() : EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            return nil
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        return EVP_DigestUpdate(context, base, bytes.count) == 1
    }

    func finishHex() -> String? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &digest, &length) == 1 else { return nil }
        return hex(digest.prefix(Int(length)))
    }

    /// The hex SHA-256 of `bytes` held in memory; "" if OpenSSL fails.
    static func digestHex(of bytes: [UInt8]) -> String {
        guard let hasher = EVPHasher() else { return "" }
        bytes.withUnsafeBytes { _ = hasher.update($0) }
        return hasher.finishHex() ?? ""
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
}
