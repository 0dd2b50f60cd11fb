import Glibc
import ProcWardenKit
import Synchronization

/// A real FUSE filesystem, served from a thread of the test process over
/// /dev/fuse, holding one executable file whose reads never return for one
/// chosen program: the hung FUSE/NFS read of SPEC §2.
///
/// Every other process reads the file normally, so a test can exec it and
/// other test runs on the machine are not disturbed. For the chosen program
/// (recognized by /proc/<pid>/exe of the requesting thread) opens are
/// FOPEN_DIRECT_IO, so its read(2) bypasses the page cache and reaches the
/// server, which never answers it.
///
/// Like a hung NFS read, such a read cannot be killed: once the request is
/// with the server, the kernel waits for the answer even through SIGKILL,
/// and a process whose thread waits there cannot be reaped. `abort()`
/// (also on deinit) closes /dev/fuse, which aborts the connection and fails
/// every read still waiting; a test must call it before it waits for such a
/// process.
///
/// The protocol subset is what a read-only one-file filesystem needs
/// (include/uapi/linux/fuse.h, protocol 7.31): INIT, LOOKUP, GETATTR, OPEN,
/// READ, FLUSH, RELEASE, FORGET; everything else gets ENOSYS.
public final class HungFuseFilesystem: Sendable {
    public let mountPoint: String
    public let fileName: String
    public var filePath: String { mountPoint + "/" + fileName }

    private let fd: Int32
    private let shared: Shared

    private final class Shared: Sendable {
        public let content: [UInt8]
        public let fileName: String
        public let hangFor: String
        public let hungReads = Atomic<Int>(0)
        public let servedReads = Atomic<Int>(0)
        public let stopped = Atomic<Bool>(false)
        public let done = Atomic<Bool>(false)

        public init(content: [UInt8], fileName: String, hangFor: String) {
            self.content = content
            self.fileName = fileName
            self.hangFor = hangFor
        }
    }

    /// Mounts at `mountPoint` (an empty directory) a filesystem holding
    /// `fileName` with `content`, mode 0755, owned by root. Reads by the
    /// program at `hangFor` hang.
    public init(mountPoint: String, fileName: String, content: [UInt8], hangFor: String) throws {
        self.mountPoint = mountPoint
        self.fileName = fileName
        shared = Shared(content: content, fileName: fileName, hangFor: hangFor)
        fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open /dev/fuse") }
        let options = "fd=\(fd),rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions"
        guard mount("procwarden-test", mountPoint, "fuse", UInt(MS_NOSUID | MS_NODEV), options) == 0 else {
            let error = SystemError("mount -t fuse \(mountPoint)")
            close(fd)
            throw error
        }
        do {
            try DetachedThread.start { [fd, shared] in HungFuseFilesystem.serve(fd: fd, shared: shared) }
        } catch {
            umount2(mountPoint, Int32(MNT_DETACH))
            close(fd)
            throw error
        }
    }

    deinit {
        abort()
        umount2(mountPoint, Int32(MNT_DETACH))
    }

    /// Stops the server and closes /dev/fuse, aborting the connection: every
    /// request still waiting fails. Idempotent.
    public func abort() {
        guard !shared.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while !shared.done.load(ordering: .acquiring) { usleep(10_000) }
        close(fd)
    }

    /// READ requests from the chosen program left unanswered so far.
    public var hungReads: Int { shared.hungReads.load(ordering: .acquiring) }
    /// READ requests answered (from everyone else).
    public var servedReads: Int { shared.servedReads.load(ordering: .acquiring) }

    // MARK: - Protocol

    private enum Opcode: UInt32 {
        case lookup = 1
        case forget = 2
        case getattr = 3
        case open = 14
        case read = 15
        case release = 18
        case flush = 25
        case initialize = 26
        case interrupt = 36
        case destroy = 38
        case batchForget = 42
    }

    private static let rootNode: UInt64 = 1
    private static let fileNode: UInt64 = 2
    private static let directIO: UInt32 = 1 << 0
    private static let keepCache: UInt32 = 1 << 1
    /// An hour: the kernel need not ask again during a test.
    private static let validSeconds: UInt64 = 3600

    /// Little-endian request fields by offset.
    private struct Request {
        public let bytes: ArraySlice<UInt8>
        public func u32(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 | UInt32(bytes[bytes.startIndex + at + $1]) << (8 * $1) }
        }
        public func u64(_ at: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 | UInt64(bytes[bytes.startIndex + at + $1]) << (8 * $1) }
        }
        public var opcode: UInt32 { u32(4) }
        public var unique: UInt64 { u64(8) }
        public var nodeID: UInt64 { u64(16) }
        public var pid: UInt32 { u32(32) }
        /// The bytes after the 40-byte fuse_in_header.
        public var body: ArraySlice<UInt8> { bytes.dropFirst(40) }
    }

    /// Little-endian reply builder.
    private struct Reply {
        public var bytes: [UInt8] = []
        public mutating func u16(_ v: UInt16) {
            for i in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
        }
        public mutating func u32(_ v: UInt32) {
            for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
        }
        public mutating func u64(_ v: UInt64) {
            for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
        }
        public mutating func zeros(_ n: Int) { bytes += [UInt8](repeating: 0, count: n) }
    }

    private static func serve(fd: Int32, shared: Shared) {
        defer { shared.done.store(true, ordering: .releasing) }
        // FUSE needs room for the largest write request; 1 MiB + header is ample.
        var buffer = [UInt8](repeating: 0, count: (1 << 20) + 4096)
        while !shared.stopped.load(ordering: .acquiring) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 50)
            if ready < 0 && errno != EINTR { return }
            guard ready > 0 else { continue }
            let n = read(fd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR || errno == EAGAIN || errno == ENOENT { continue }
                return  // ENODEV: unmounted
            }
            guard n >= 40 else { continue }
            handle(Request(bytes: buffer[0..<n]), fd: fd, shared: shared)
        }
    }

    private static func handle(_ request: Request, fd: Int32, shared: Shared) {
        switch Opcode(rawValue: request.opcode) {
        case .initialize:
            var out = Reply()
            out.u32(7)  // major
            out.u32(31)  // minor
            out.u32(request.body.count >= 12 ? request.u32(48) : 0)  // max_readahead, echoed
            out.u32(0)  // flags: none, so reads are synchronous
            out.u16(16)  // max_background
            out.u16(12)  // congestion_threshold
            out.u32(128 * 1024)  // max_write
            out.u32(1)  // time_gran
            out.u16(32)  // max_pages
            out.u16(0)  // map_alignment
            out.zeros(32)  // flags2, unused
            reply(fd, request, out.bytes)
        case .lookup:
            let name = String(decoding: request.body.prefix { $0 != 0 }, as: UTF8.self)
            guard request.nodeID == rootNode, name == shared.fileName else { return fail(fd, request, ENOENT) }
            var out = Reply()
            out.u64(fileNode)  // nodeid
            out.u64(1)  // generation
            out.u64(validSeconds)  // entry_valid
            out.u64(validSeconds)  // attr_valid
            out.u32(0)
            out.u32(0)
            attributes(of: fileNode, shared: shared, into: &out)
            reply(fd, request, out.bytes)
        case .getattr:
            guard request.nodeID == rootNode || request.nodeID == fileNode else { return fail(fd, request, ENOENT) }
            var out = Reply()
            out.u64(validSeconds)
            out.u32(0)
            out.u32(0)
            attributes(of: request.nodeID, shared: shared, into: &out)
            reply(fd, request, out.bytes)
        case .open:
            guard request.nodeID == fileNode else { return fail(fd, request, EISDIR) }
            var out = Reply()
            out.u64(0)  // fh
            out.u32(isChosen(request.pid, shared) ? directIO : keepCache)
            out.u32(0)
            reply(fd, request, out.bytes)
        case .read:
            if isChosen(request.pid, shared) {
                shared.hungReads.add(1, ordering: .acquiringAndReleasing)
                return  // never answered
            }
            let offset = Int(clamping: request.u64(48))
            let size = Int(request.u32(56))
            let content = shared.content
            let start = min(offset, content.count)
            let end = min(content.count, start + size)
            shared.servedReads.add(1, ordering: .acquiringAndReleasing)
            reply(fd, request, Array(content[start..<end]))
        case .flush, .release, .destroy:
            reply(fd, request, [])
        case .forget, .batchForget, .interrupt:
            return  // no reply expected
        case nil:
            fail(fd, request, ENOSYS)
        }
    }

    /// fuse_attr (88 bytes) of the root directory or the file.
    private static func attributes(of node: UInt64, shared: Shared, into out: inout Reply) {
        let isFile = node == fileNode
        let size = UInt64(isFile ? shared.content.count : 0)
        out.u64(node)  // ino
        out.u64(size)
        out.u64((size + 511) / 512)  // blocks
        out.u64(0)
        out.u64(0)
        out.u64(0)  // atime, mtime, ctime
        out.u32(0)
        out.u32(0)
        out.u32(0)  // nsec parts
        out.u32(isFile ? UInt32(S_IFREG) | 0o755 : UInt32(S_IFDIR) | 0o755)
        out.u32(isFile ? 1 : 2)  // nlink
        out.u32(0)
        out.u32(0)
        out.u32(0)  // uid, gid, rdev
        out.u32(4096)  // blksize
        out.u32(0)  // flags
    }

    /// Whether the requesting thread belongs to the program whose reads hang.
    private static func isChosen(_ tid: UInt32, _ shared: Shared) -> Bool {
        guard tid != 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes {
            readlink("/proc/\(tid)/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
        }
        return n > 0 && String(decoding: buffer[0..<n], as: UTF8.self) == shared.hangFor
    }

    private static func reply(_ fd: Int32, _ request: Request, _ body: [UInt8], error: Int32 = 0) {
        var out = Reply()
        out.u32(UInt32(16 + body.count))
        out.u32(UInt32(bitPattern: -error))
        out.u64(request.unique)
        out.bytes += body
        _ = out.bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private static func fail(_ fd: Int32, _ request: Request, _ error: Int32) {
        reply(fd, request, [], error: error)
    }
}
