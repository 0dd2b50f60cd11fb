import Glibc
import ProcWardenKit

/// A pipe(2) with close-on-exec ends, each closed once. Other threads get
/// only its descriptors, never the object.
public final class Pipe {
    public private(set) var read: Int32
    public private(set) var write: Int32

    public init() throws {
        (read, write) = try LinuxCalls.pipeCloseOnExec()
    }

    /// F_SETPIPE_SZ: room for `bytes` before a writer blocks, so a test can
    /// write all its output before reading any.
    public func reserve(_ bytes: Int32) throws {
        let setPipeSize: Int32 = 1031
        guard fcntl(write, setPipeSize, bytes) >= 0 else { throw SystemError("fcntl F_SETPIPE_SZ") }
    }

    public func closeRead() {
        if read >= 0 {
            close(read)
            read = -1
        }
    }

    public func closeWrite() {
        if write >= 0 {
            close(write)
            write = -1
        }
    }

    /// Everything until EOF; call after `closeWrite()`.
    public func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(read, &chunk, chunk.count)
            if n > 0 { result += chunk[0..<n] } else if n < 0 && errno == EINTR { continue } else { break }
        }
        return result
    }

    deinit {
        closeWrite()
        closeRead()
    }
}
