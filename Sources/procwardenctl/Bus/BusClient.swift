import CSystemd
import Glibc
import ProcWardenKit
import ProcWardenSystemd

/// procwardenctl's side of org.procwarden.Monitor1: synchronous calls with
/// sd_bus_call(3) and sd_bus_get_property(3), results as plain values.
public final class BusClient {
    private let bus: OpaquePointer

    /// A failed call, classified for a one-line message.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No bus to talk to.
        case busUnavailable(String)
        /// The bus is there, the daemon is not.
        case notRunning
        case accessDenied(String)
        case invalidThreshold(String)
        case notFound(String)
        case invalidConfig(String)
        case invalidArgument(String)
        case other(name: String, message: String)

        public var description: String {
            switch self {
            case .busUnavailable(let m): "cannot connect to the bus: \(m)"
            case .notRunning: "procwardend is not running"
            case .accessDenied(let m): "access denied: \(m)"
            case .invalidThreshold(let m), .notFound(let m), .invalidConfig(let m), .invalidArgument(let m): m
            case .other(let name, let message): "\(name): \(message)"
            }
        }

        init(name: String, message: String) {
            switch name {
            case BusNames.Error.accessDenied: self = .accessDenied(message)
            case BusNames.Error.invalidThreshold: self = .invalidThreshold(message)
            case BusNames.Error.notFound: self = .notFound(message)
            case BusNames.Error.invalidConfig: self = .invalidConfig(message)
            case BusNames.Error.invalidArgument: self = .invalidArgument(message)
            case BusNames.Error.serviceUnknown, BusNames.Error.nameHasNoOwner,
                BusNames.Error.noReply, BusNames.Error.unknownObject:
                self = .notRunning
            default: self = .other(name: name, message: message)
            }
        }
    }

    /// sd_bus_open_system(3) / sd_bus_open_user(3).
    public init(user: Bool) throws(Failure) {
        var b: OpaquePointer?
        do {
            try SystemCall.negativeErrno(user ? "sd_bus_open_user" : "sd_bus_open_system") {
                user ? sd_bus_open_user(&b) : sd_bus_open_system(&b)
            }
        } catch {
            throw .busUnavailable(String(cString: strerror(error.errno)))
        }
        bus = b!
    }

    deinit { sd_bus_flush_close_unref(bus) }

    /// Calls a Monitor1 method; `fill` appends the arguments, `read` parses the reply.
    func call<T>(
        _ method: String, timeoutMicroseconds: UInt64 = 0,
        fill: (BusMessage) throws(BusError) -> Void = { _ throws(BusError) in },
        read: (BusMessage) throws(BusError) -> T
    ) throws(Failure) -> T {
        var created: OpaquePointer?
        do {
            try SystemCall.negativeErrno("sd_bus_message_new_method_call") {
                sd_bus_message_new_method_call(
                    bus, &created, BusNames.service, BusNames.objectPath, BusNames.interface, method)
            }
        } catch {
            throw .other(name: "local", message: String(cString: strerror(error.errno)))
        }
        let m = created!
        defer { sd_bus_message_unref(m) }
        do { try fill(BusMessage(raw: m)) } catch { throw .other(name: "local", message: error.message) }
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var answer: OpaquePointer?
        do {
            try SystemCall.negativeErrno("sd_bus_call \(method)") {
                sd_bus_call(bus, m, timeoutMicroseconds, &error, &answer)
            }
        } catch let cause {
            throw Self.failure(error, cause)
        }
        let reply = answer!
        defer { sd_bus_message_unref(reply) }
        do { return try read(BusMessage(raw: reply)) } catch { throw .other(name: "reply", message: error.message) }
    }

    private static func failure(_ error: sd_bus_error, _ cause: SystemError) -> Failure {
        if let name = error.name {
            return Failure(name: String(cString: name), message: error.message.map { String(cString: $0) } ?? "")
        }
        if cause.errno == ENOENT || cause.errno == ECONNREFUSED { return .notRunning }
        if cause.meansDenied { return .accessDenied(String(cString: strerror(cause.errno))) }
        return .other(name: "errno", message: String(cString: strerror(cause.errno)))
    }

    // MARK: - Methods

    /// The reply of `Rescan`.
    public struct RescanSummary: Sendable, Equatable {
        public var scanID: UInt64
        public var processes, executables, hashed, cacheHits, alerts, suppressed: UInt32
        public var durationMicroseconds: UInt64
    }

    /// Waits as long as the scan takes (no timeout).
    public func rescan() throws(Failure) -> RescanSummary {
        try call(BusNames.Method.rescan, timeoutMicroseconds: UInt64.max) { (r: BusMessage) throws(BusError) in
            try r.enter("r", BusNames.Signature.scanSummaryContents)
            let id = try r.readUInt64()
            var u: [UInt32] = []
            for _ in 0..<6 { u.append(try r.readUInt32()) }
            let duration = try r.readUInt64()
            try r.exit()
            return RescanSummary(
                scanID: id, processes: u[0], executables: u[1], hashed: u[2], cacheHits: u[3],
                alerts: u[4], suppressed: u[5], durationMicroseconds: duration)
        }
    }

    public func setSimilarityThreshold(_ value: UInt32, runtime: Bool) throws(Failure) {
        try call(
            BusNames.Method.setSimilarityThreshold,
            fill: { (m: BusMessage) throws(BusError) in
                try m.append(value)
                try m.append(runtime)
            }, read: { _ throws(BusError) in })
    }

    public func reload() throws(Failure) {
        try call(BusNames.Method.reload, read: { _ throws(BusError) in })
    }

    public func resetBaseline(path: String) throws(Failure) {
        try call(
            BusNames.Method.resetBaseline, fill: { (m: BusMessage) throws(BusError) in try m.append(path) },
            read: { _ throws(BusError) in })
    }

    /// One element of `ListExecutables`.
    public struct Executable: Sendable, Equatable {
        public var path: String
        public var size: UInt64
        public var sha256: String
        public var ssdeep: String
        public var state: String
        public var onDiskSha256: String
        public var degraded: Bool
        public var processCount: UInt32
    }

    public func listExecutables() throws(Failure) -> [Executable] {
        try call(BusNames.Method.listExecutables) { (r: BusMessage) throws(BusError) in
            var out: [Executable] = []
            try r.enter("a", BusNames.Signature.executable)
            while try r.enterIfPresent("r", BusNames.Signature.executableContents) {
                out.append(
                    Executable(
                        path: try r.readString(), size: try r.readUInt64(), sha256: try r.readString(),
                        ssdeep: try r.readString(), state: try r.readString(),
                        onDiskSha256: try r.readString(), degraded: try r.readBool(),
                        processCount: try r.readUInt32()))
                try r.exit()
            }
            try r.exit()
            return out
        }
    }

    /// One `ListObjects` element; empty strings are unknown values.
    public struct Object: Sendable, Equatable {
        public var path: String
        public var state: String
        public var size: UInt64
        public var sha256: String
        public var package: String
        public var packageVerified: String
        public var processCount: UInt32
    }

    public func listObjects() throws(Failure) -> [Object] {
        try call(BusNames.Method.listObjects) { (r: BusMessage) throws(BusError) in
            var out: [Object] = []
            try r.enter("a", BusNames.Signature.object)
            while try r.enterIfPresent("r", BusNames.Signature.objectContents) {
                out.append(
                    Object(
                        path: try r.readString(), state: try r.readString(), size: try r.readUInt64(),
                        sha256: try r.readString(), package: try r.readString(),
                        packageVerified: try r.readString(), processCount: try r.readUInt32()))
                try r.exit()
            }
            try r.exit()
            return out
        }
    }

    /// One `ListRestartNeeded` element.
    public struct RestartNeeded: Sendable, Equatable {
        public var unit: String
        public var pid: UInt32
        public var comm: String
        public var path: String
        public var package: String
    }

    public func listRestartNeeded() throws(Failure) -> [RestartNeeded] {
        try call(BusNames.Method.listRestartNeeded) { (r: BusMessage) throws(BusError) in
            var out: [RestartNeeded] = []
            try r.enter("a", BusNames.Signature.restartNeeded)
            while try r.enterIfPresent("r", BusNames.Signature.restartNeededContents) {
                out.append(
                    RestartNeeded(
                        unit: try r.readString(), pid: try r.readUInt32(), comm: try r.readString(),
                        path: try r.readString(), package: try r.readString()))
                try r.exit()
            }
            try r.exit()
            return out
        }
    }

    // MARK: - Properties

    /// A property's value as its D-Bus type maps to Swift (`BusValue`).
    public typealias Value = BusValue

    /// sd_bus_get_property(3), which hands back the reply already inside
    /// the variant.
    public func property(_ p: BusNames.Property) throws(Failure) -> Value {
        var error = sd_bus_error()
        defer { sd_bus_error_free(&error) }
        var answer: OpaquePointer?
        do {
            try SystemCall.negativeErrno("sd_bus_get_property \(p.rawValue)") {
                sd_bus_get_property(
                    bus, BusNames.service, BusNames.objectPath, BusNames.interface, p.rawValue,
                    &error, &answer, p.signature)
            }
        } catch let cause {
            throw Self.failure(error, cause)
        }
        let reply = answer!
        defer { sd_bus_message_unref(reply) }
        let r = BusMessage(raw: reply)
        do {
            switch p.signature {
            case "s": return .string(try r.readString())
            case "u": return .uint32(try r.readUInt32())
            default: return .uint64(try r.readUInt64())
            }
        } catch {
            throw .other(name: "reply", message: error.message)
        }
    }
}
