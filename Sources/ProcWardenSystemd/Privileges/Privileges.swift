import CCap
import CShims
import Glibc
import Logging

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
        case call(String, Int32)

        public var description: String {
            switch self {
            case .unknownUser(let name): "unknown user '\(name)'"
            case .call(let what, let e): "\(what): \(String(cString: strerror(e)))"
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
            guard pw_set_keepcaps(1) == 0 else { throw .call("prctl(PR_SET_KEEPCAPS)", errno) }
            if let user { try switchUser(user) }
            try setProcessCapabilities(Self.required)
            _ = pw_set_keepcaps(0)
            try setNoNewPrivs()
            return Outcome(mode: .root, capabilities: Self.currentText())
        }
        if let user { throw .call("--user \(user) needs the daemon to start as root", EPERM) }
        guard permittedHasAll(Self.required) else {
            try setProcessCapabilities([])
            try setNoNewPrivs()
            return Outcome(mode: .unprivileged, capabilities: Self.currentText(),
                           warning: "running without CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE: processes of other users are inaccessible and coverage is partial")
        }
        try setProcessCapabilities(Self.required)
        try setNoNewPrivs()
        let extra = (0...Self.lastCapability()).filter { !Self.required.contains($0) && cap_get_bound($0) == 1 }
        let warning = extra.isEmpty ? nil
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
            if cap_get_bound(cap) == 1, cap_drop_bound(cap) != 0 { throw .call("cap_drop_bound(\(cap))", errno) }
        }
    }

    private func switchUser(_ name: String) throws(Failure) {
        guard let pw = getpwnam(name) else { throw .unknownUser(name) }
        let uid = pw.pointee.pw_uid, gid = pw.pointee.pw_gid
        guard setgroups(0, nil) == 0 else { throw .call("setgroups", errno) }
        guard setgid(gid) == 0 else { throw .call("setgid(\(gid))", errno) }
        guard setuid(uid) == 0 else { throw .call("setuid(\(uid))", errno) }
    }

    /// Permitted = effective = `caps`, inheritable and ambient empty.
    private func setProcessCapabilities(_ caps: [cap_value_t]) throws(Failure) {
        guard let set = cap_init() else { throw .call("cap_init", errno) }
        defer { cap_free(UnsafeMutableRawPointer(set)) }
        if !caps.isEmpty {
            var list = caps
            for flag in [CAP_PERMITTED, CAP_EFFECTIVE] {
                guard cap_set_flag(set, flag, Int32(list.count), &list, CAP_SET) == 0 else { throw .call("cap_set_flag", errno) }
            }
        }
        guard cap_set_proc(set) == 0 else { throw .call("cap_set_proc", errno) }
        // Ambient capabilities would be handed to anything exec'd; there is
        // nothing to exec, so none are kept.
        if cap_reset_ambient() != 0 && errno != EINVAL { throw .call("cap_reset_ambient", errno) }
    }

    private func setNoNewPrivs() throws(Failure) {
        guard pw_set_no_new_privs() == 0 else { throw .call("prctl(PR_SET_NO_NEW_PRIVS)", errno) }
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
