import CSystemd
import Glibc
import ProcWardenKit

/// Every way a bus method can fail, mapped to its D-Bus error name in one
/// place (SPEC §9).
public enum BusError: Error, Sendable, Equatable {
    case invalidThreshold(String)
    case notFound(String)
    case invalidConfig(String)
    case accessDenied(String)
    /// Anything else: org.freedesktop.DBus.Error.Failed.
    case failed(String)

    public var name: String {
        switch self {
        case .invalidThreshold: BusNames.Error.invalidThreshold
        case .notFound: BusNames.Error.notFound
        case .invalidConfig: BusNames.Error.invalidConfig
        case .accessDenied: BusNames.Error.accessDenied
        case .failed: BusNames.Error.failed
        }
    }

    public var message: String {
        switch self {
        case .invalidThreshold(let m), .notFound(let m), .invalidConfig(let m), .accessDenied(let m), .failed(let m): m
        }
    }

    /// Fills `error` with sd_bus_error_set(3); returns what a vtable handler returns.
    public func set(_ error: UnsafeMutablePointer<sd_bus_error>?) -> Int32 {
        sd_bus_error_set(error, name, message)
    }
}
