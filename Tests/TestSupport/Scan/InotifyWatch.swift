import Glibc
import ProcWardenKit

/// IN_ACCESS events on a set of files (inotify(7)): tells which file the hash
/// workers read first without changing anything the digest cache keys on.
public final class InotifyWatch {
    private let fd: Int32
    private var names: [Int32: ByteString] = [:]

    public init(_ paths: [ByteString]) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw TestFailure("inotify_init1: \(String(cString: strerror(errno)))") }
        for path in paths {
            let wd = path.withCString { inotify_add_watch(fd, $0, UInt32(IN_ACCESS)) }
            guard wd >= 0 else {
                throw TestFailure("inotify_add_watch \(path.escaped): \(String(cString: strerror(errno)))")
            }
            names[wd] = path
        }
    }

    deinit { close(fd) }

    /// The paths read since the last call, in the order of their events.
    public func accesses() -> [ByteString] {
        var out: [ByteString] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { return out }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                if event.mask & UInt32(IN_ACCESS) != 0, let name = names[event.wd] { out.append(name) }
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
            }
        }
    }
}
