import Glibc
import ProcWardenKit

/// libc calls the Glibc module does not import (they sit behind
/// _GNU_SOURCE or _XOPEN_SOURCE), looked up with dlsym(3) at run time.
public enum LinuxCalls {
    public static let cloneNewNS: Int32 = 0x0002_0000

    /// unshare(2).
    public static func unshare(_ flags: Int32) -> Int32 { unshareCall(flags) }

    /// pipe2(2) with O_CLOEXEC.
    public static func pipeCloseOnExec() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard pipe2Call(&fds, O_CLOEXEC) == 0 else { throw SystemError("pipe2") }
        return (fds[0], fds[1])
    }

    /// posix_openpt(3), grantpt(3), unlockpt(3) and ptsname(3): a new pty
    /// leader and the path of its follower.
    public static func openPseudoTerminal() throws -> (leader: Int32, followerPath: String) {
        let leader = posixOpenptCall(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard leader >= 0 else { throw SystemError("posix_openpt") }
        guard grantptCall(leader) == 0, unlockptCall(leader) == 0, let name = ptsnameCall(leader) else {
            let error = SystemError("grantpt/unlockpt/ptsname")
            close(leader)
            throw error
        }
        return (leader, String(cString: name))
    }

    private static let posixOpenptCall = unsafeBitCast(
        dlsym(nil, "posix_openpt")!, to: (@convention(c) (Int32) -> Int32).self)
    private static let grantptCall = unsafeBitCast(
        dlsym(nil, "grantpt")!, to: (@convention(c) (Int32) -> Int32).self)
    private static let unlockptCall = unsafeBitCast(
        dlsym(nil, "unlockpt")!, to: (@convention(c) (Int32) -> Int32).self)
    private static let ptsnameCall = unsafeBitCast(
        dlsym(nil, "ptsname")!, to: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
    private static let unshareCall = unsafeBitCast(
        dlsym(nil, "unshare")!, to: (@convention(c) (Int32) -> Int32).self)
    private static let pipe2Call = unsafeBitCast(
        dlsym(nil, "pipe2")!, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
}
