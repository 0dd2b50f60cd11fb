import CCap
import CShims
import Glibc
import Logging
import ProcWardenKit

/// Reduces the process to exactly CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE
/// with no_new_privs set (SPEC §7), through libcap and prctl(2).
public struct Privileges: Sendable {
    /// The two capabilities the scanner needs: read any file through
    /// /proc/<pid>/exe, and inspect any process.
    public static let required: [cap_value_t] = [cap_value_t(CAP_DAC_READ_SEARCH), cap_value_t(CAP_SYS_PTRACE)]

    /// What `establish` achieved.
    public struct Outcome: Sendable {
        public var mode: StartMode
        /// cap_to_text(3) of the process's sets afterwards, e.g.
        /// `cap_dac_read_search,cap_sys_ptrace=ep`.
        public var capabilities: String
        /// Set when coverage will be partial or something could not be
        /// tightened; the caller logs it once.
        public var warning: String?
    }

    public enum Failure: Error, CustomStringConvertible {
        case unknownUser(String)
        case call(SystemError)

        public var description: String {
            switch self {
            case .unknownUser(let name): "unknown user '\(name)'"
            case .call(let error): error.description
            }
        }
    }

    public init() {}

    /// Applies the start-mode procedure of SPEC §7. As root: drop every other
    /// capability from the bounding set, PR_SET_KEEPCAPS, switch to `user` if
    /// given, cap_set_proc, PR_SET_NO_NEW_PRIVS. Unprivileged with both
    /// capabilities permitted: keep exactly them, clear inheritable and
    /// ambient, no_new_privs. Without them: no_new_privs and a warning.
    public func establish(switchTo user: String?) throws(Failure) -> Outcome {
        if geteuid() == 0 {
            try dropBoundingSet()
            try Self.checked("prctl(PR_SET_KEEPCAPS)") { pw_set_keepcaps(1) }
            if let user { try switchUser(user) }
            try setProcessCapabilities(Self.required)
            _ = pw_set_keepcaps(0)
            try setNoNewPrivs()
            return Outcome(mode: .root, capabilities: Self.currentText())
        }
        if let user { throw .call(SystemError("--user \(user) needs the daemon to start as root", errno: EPERM)) }
        guard permittedHasAll(Self.required) else {
            try setProcessCapabilities([])
            try setNoNewPrivs()
            return Outcome(
                mode: .unprivileged, capabilities: Self.currentText(),
                warning:
                    "running without CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE: processes of other users are inaccessible and coverage is partial"
            )
        }
        try setProcessCapabilities(Self.required)
        try setNoNewPrivs()
        let extra = (0...Self.lastCapability()).filter { !Self.required.contains($0) && cap_get_bound($0) == 1 }
        let warning =
            extra.isEmpty
            ? nil
            : "the capability bounding set still holds \(extra.count) other capabilities; set CapabilityBoundingSet= to the two the daemon needs"
        return Outcome(mode: .ambient, capabilities: Self.currentText(), warning: warning)
    }

    /// The process's capability sets as cap_to_text(3) prints them.
    public static func currentText() -> String {
        guard let caps = cap_get_proc() else { return "unknown" }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        guard let text = cap_to_text(caps, nil) else { return "unknown" }
        defer { cap_free(text) }
        return String(cString: text)
    }

    private static func lastCapability() -> cap_value_t { cap_max_bits() - 1 }

    private func dropBoundingSet() throws(Failure) {
        for cap in 0...Self.lastCapability() where !Self.required.contains(cap) {
            if cap_get_bound(cap) == 1 { try Self.checked("cap_drop_bound(\(cap))") { cap_drop_bound(cap) } }
        }
    }

    private func switchUser(_ name: String) throws(Failure) {
        guard let pw = getpwnam(name) else { throw .unknownUser(name) }
        let uid = pw.pointee.pw_uid
        let gid = pw.pointee.pw_gid
        try Self.checked("setgroups") { setgroups(0, nil) }
        try Self.checked("setgid(\(gid))") { setgid(gid) }
        try Self.checked("setuid(\(uid))") { setuid(uid) }
    }

    /// Permitted = effective = `caps`, inheritable and ambient empty.
    private func setProcessCapabilities(_ caps: [cap_value_t]) throws(Failure) {
        let set: cap_t
        do { set = try SystemCall.pointerOrErrno("cap_init") { cap_init() } } catch { throw .call(error) }
        defer { cap_free(UnsafeMutableRawPointer(set)) }
        if !caps.isEmpty {
            var list = caps
            for flag in [CAP_PERMITTED, CAP_EFFECTIVE] {
                try Self.checked("cap_set_flag") { cap_set_flag(set, flag, Int32(list.count), &list, CAP_SET) }
            }
        }
        try Self.checked("cap_set_proc") { cap_set_proc(set) }
        // Ambient capabilities would be handed to anything exec'd; there is
        // nothing to exec, so none are kept.
        do {
            try SystemCall.valueOrErrno("cap_reset_ambient") { cap_reset_ambient() }
        } catch  where error.errno == EINVAL {
            // A kernel without ambient capabilities has none to clear.
        } catch {
            throw .call(error)
        }
    }

    private func setNoNewPrivs() throws(Failure) {
        try Self.checked("prctl(PR_SET_NO_NEW_PRIVS)") { pw_set_no_new_privs() }
    }

    /// `SystemCall.valueOrErrno` with its error as a `Failure`.
    private static func checked(_ name: @autoclosure () -> String, _ call: () -> Int32) throws(Failure) {
        do { try SystemCall.valueOrErrno(name(), call) } catch { throw .call(error) }
    }

    private func permittedHasAll(_ caps: [cap_value_t]) -> Bool {
        guard let current = cap_get_proc() else { return false }
        defer { cap_free(UnsafeMutableRawPointer(current)) }
        return caps.allSatisfy { cap in
            var value = CAP_CLEAR
            return cap_get_flag(current, cap, CAP_PERMITTED, &value) == 0 && value == CAP_SET
        }
    }
}
