import CSystemd
import Glibc
import ProcWardenKit

/// Every way a bus method can fail, mapped to its D-Bus error name in one
/// place (SPEC §9).
public enum BusError: Error, Sendable, Equatable {
    case invalidThreshold(String)
    case notFound(String)
    case invalidConfig(String)
    /// A string argument the daemon cannot use, such as one with Unicode
    /// noncharacters.
    case invalidArgument(String)
    case accessDenied(String)
    /// Anything else: org.freedesktop.DBus.Error.Failed.
    case failed(String)

    public var name: String {
        switch self {
        case .invalidThreshold: BusNames.Error.invalidThreshold
        case .notFound: BusNames.Error.notFound
        case .invalidConfig: BusNames.Error.invalidConfig
        case .invalidArgument: BusNames.Error.invalidArgument
        case .accessDenied: BusNames.Error.accessDenied
        case .failed: BusNames.Error.failed
        }
    }

    public var message: String {
        switch self {
        case .invalidThreshold(let m), .notFound(let m), .invalidConfig(let m), .invalidArgument(let m),
            .accessDenied(let m), .failed(let m):
            m
        }
    }

    /// The most of a caller's string an error message quotes (SPEC §9).
    public static let quotedBytesLimit = 200

    /// `text` for quoting in an error message: control characters escaped,
    /// and a string longer than `limit` UTF-8 bytes cut at a character
    /// boundary, with `…` and its full length, `(N bytes)`, after it.
    public static func quoting(_ text: String, limit: Int = quotedBytesLimit) -> String {
        let count = text.utf8.count
        guard count > limit else { return text.controlCharactersEscaped }
        // The byte after the cut starts a character, or the cut moves back.
        let head = Array(text.utf8.prefix(limit + 1))
        var cut = limit
        while cut > 0 && head[cut] & 0xC0 == 0x80 { cut -= 1 }
        return String(decoding: head[..<cut], as: UTF8.self).controlCharactersEscaped + "… (\(count) bytes)"
    }

    /// Fills `error` with sd_bus_error_set(3); returns what a vtable handler returns.
    public func set(_ error: UnsafeMutablePointer<sd_bus_error>?) -> Int32 {
        sd_bus_error_set(error, name, message)
    }
}
