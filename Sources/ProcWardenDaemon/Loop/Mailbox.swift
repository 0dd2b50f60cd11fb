import Glibc
import ProcWardenKit
import Synchronization

/// Finished cycles crossing from the scan thread to the event loop: a
/// locked list, and a non-blocking pipe whose read end wakes the loop.
final class Mailbox: Sendable {
    private let results = Mutex<[CycleResult]>([])
    /// The end the event loop watches.
    let wakeRead: Int32
    private let wakeWrite: Int32

    init() throws(SystemError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemError("pipe") }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    /// From the scan thread. A full pipe already means "wake up".
    func post(_ result: CycleResult) {
        results.withLock { $0.append(result) }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// On the event loop: empties the pipe, then takes every posted result.
    func drain() -> [CycleResult] {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
        return results.withLock { r in
            defer { r.removeAll() }
            return r
        }
    }
}
