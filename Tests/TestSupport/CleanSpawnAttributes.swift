import Glibc

/// posix_spawn attributes that give the child an empty signal mask and
/// default dispositions. Test threads may have signals blocked (the daemon's
/// own code blocks SIGTERM/SIGINT/SIGHUP when run in-process), and a child
/// inheriting that mask would ignore the SIGTERM a test sends it.
final class CleanSpawnAttributes {
    /// POSIX_SPAWN_SETSID, which Glibc imports only under _GNU_SOURCE.
    private static let setSID: Int32 = 0x80

    var raw = posix_spawnattr_t()

    /// With `newSession`, the child also calls setsid(2), so it outlives the
    /// test's process group.
    init(newSession: Bool = false) {
        posix_spawnattr_init(&raw)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&raw, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&raw, &defaults)
        let flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? Self.setSID : 0)
        posix_spawnattr_setflags(&raw, Int16(flags))
    }

    deinit { posix_spawnattr_destroy(&raw) }
}
