import Glibc
import ProcWardenKit

/// `count` sleeping processes started round-robin from `images`, all in one
/// new process group so a single kill(2) ends them. They sleep `seconds` at
/// most, so even a crashed benchmark leaves nothing behind for long.
public final class SleeperGroup {
    public private(set) var pids: [pid_t] = []
    public private(set) var processGroup: pid_t = 0

    /// posix_spawn(3)s the sleepers with an empty environment (no LD_PRELOAD
    /// of the benchmark's interposers into a thousand children).
    public init(count: Int, images: [String], seconds: Int = 900) throws(SystemError) {
        precondition(!images.isEmpty, "no images to start sleepers from")
        pids.reserveCapacity(count)
        let duration = strdup(String(seconds))!
        defer { free(duration) }
        let images = images.map { strdup($0)! }
        defer { for image in images { free(image) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [nil]

        for i in 0..<count {
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, processGroup)
            var argv: [UnsafeMutablePointer<CChar>?] = [images[i % images.count], duration, nil]
            var pid: pid_t = 0
            let rc = posix_spawn(&pid, images[i % images.count], nil, &attributes, &argv, &environment)
            guard rc == 0 else {
                stop()
                throw SystemError("posix_spawn sleeper \(i + 1) of \(count)", errno: rc)
            }
            if processGroup == 0 { processGroup = pid }
            pids.append(pid)
        }
    }

    /// SIGKILLs the group and reaps every sleeper. Idempotent.
    public func stop() {
        guard !pids.isEmpty else { return }
        kill(-processGroup, SIGKILL)
        for pid in pids {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        pids.removeAll()
        processGroup = 0
    }

    deinit { stop() }
}
