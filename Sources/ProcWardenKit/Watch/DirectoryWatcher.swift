import Glibc
import Logging
import Synchronization

/// inotify(7) on the directories of running executables and mapped objects
/// (SPEC §15): one watch per directory identity, added through
/// `/proc/<pid>/root/<dir>` so that other roots and mount namespaces
/// resolve as their processes see them, and removed when no running file
/// needs it. inotify_add_watch(2) returns the same watch for the same
/// inode, which is what makes the watches per identity.
///
/// The scan thread updates the watches after each scan; the event loop
/// reads the events (`readEvents`). Both may run at once.
public final class DirectoryWatcher: Sendable {
    /// The inotify instance (non-blocking, close-on-exec), for the event loop.
    public let descriptor: Int32
    private let procfs: ProcFS
    private let logger: Logger
    private let state = Mutex(State())

    /// What a watched directory's events ask for.
    public struct Events: Sendable, Equatable {
        /// The processes that use a file named in an event, or a directory
        /// that was itself deleted or moved.
        public var pids: Set<Int32> = []
        /// The kernel dropped events (IN_Q_OVERFLOW): only a full scan
        /// can tell what changed.
        public var overflowed = false
    }

    private struct State: ~Copyable {
        var files = WatchedFiles()
        var watches: [WatchedDirectory: Int32] = [:]
        var directoriesOf: [Int32: Set<WatchedDirectory>] = [:]
        /// Directories the kernel had no watch left for.
        var unwatched = 0
        var warned = false
    }

    /// Create, delete, both halves of a rename, close after writing,
    /// attribute changes, and the directory's own deletion or move.
    static let mask = UInt32(
        IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF
            | IN_MOVE_SELF | IN_ONLYDIR | IN_EXCL_UNLINK)

    /// inotify_init1(2). Fails with EMFILE when the user's
    /// `fs.inotify.max_user_instances` is used up.
    public init(procfs: ProcFS = ProcFS(), logger: Logger) throws(SystemError) {
        descriptor = try SystemCall.valueOrErrno("inotify_init1") { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        self.procfs = procfs
        self.logger = logger
    }

    deinit { close(descriptor) }

    /// Watches in force.
    public var watchCount: Int { state.withLock { $0.directoriesOf.count } }

    /// Whether some directory that should be watched is not, for lack of
    /// watches (ENOSPC, ENOMEM).
    public var isPartial: Bool { state.withLock { $0.unwatched > 0 } }

    /// Watches exactly the directories of a full scan's processes.
    public func update(fullScan records: [ProcessRecord]) {
        let files = WatchedFiles(records)
        state.withLock { state in
            state.files = files
            sync(&state)
        }
    }

    /// After a targeted scan of `pids`: their files are those of `records`
    /// now (a pid without a record has exited).
    public func update(targeted pids: [Int32], records: [ProcessRecord]) {
        state.withLock { state in
            state.files.remove(pids: Set(pids))
            for record in records where record.unhashedReason != .ignored { state.files.add(record) }
            sync(&state)
        }
    }

    /// Adds the watches that are missing and removes those nobody needs.
    /// A directory whose watch was dropped (`parse`: it moved, or another
    /// directory may now have its path) is looked up again: the same
    /// inode gets its watch back, a new one a watch of its own.
    private func sync(_ state: inout State) {
        for (directory, _) in state.watches where state.files.directories[directory] == nil {
            state.watches[directory] = nil
        }
        var unwatched = 0
        var firstFailure: SystemError?
        for (directory, pid) in state.files.opener where state.watches[directory] == nil {
            // The path's own bytes: a directory's name need not be UTF-8.
            let path = Array("\(procfs.root)/\(pid)/root".utf8) + directory.path.bytes + [0]
            do {
                let wd = try SystemCall.valueOrErrno("inotify_add_watch \(directory.path.escaped)") {
                    path.withUnsafeBytes {
                        inotify_add_watch(descriptor, $0.baseAddress!.assumingMemoryBound(to: CChar.self), Self.mask)
                    }
                }
                state.watches[directory] = wd
                state.directoriesOf[wd, default: []].insert(directory)
            } catch {
                // A directory gone or denied is the scans' business; only
                // running out of watches costs coverage.
                if error.errno == ENOSPC || error.errno == ENOMEM {
                    unwatched += 1
                    firstFailure = firstFailure ?? error
                }
            }
        }
        // A watch keeps the directories that still resolve to it; one
        // left with none is removed from the kernel.
        for (wd, directories) in state.directoriesOf {
            let kept = directories.filter { state.watches[$0] == wd }
            guard kept.count != directories.count else { continue }
            if kept.isEmpty {
                state.directoriesOf[wd] = nil
                inotify_rm_watch(descriptor, wd)
            } else {
                state.directoriesOf[wd] = kept
            }
        }
        state.unwatched = unwatched
        if let firstFailure, !state.warned {
            state.warned = true
            logger.warning(
                "inotify ran out of watches (\(firstFailure)); \(unwatched) directories are left to the scans, and coverage is partial (raise fs.inotify.max_user_watches)",
                metadata: [WarningKind.metadataKey: "\(WarningKind.inotify.rawValue)"])
        } else if unwatched == 0 {
            state.warned = false
        }
    }

    /// Reads what the kernel has queued, without blocking: at most 64
    /// reads of 64 KiB per call, so an event storm cannot hold the event
    /// loop (the descriptor stays readable and the loop comes back).
    public func readEvents() -> Events {
        var events = Events()
        let size = 64 << 10
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        for _ in 0..<64 {
            let n = read(descriptor, buffer.baseAddress, size)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            state.withLock { state in parse(UnsafeRawBufferPointer(rebasing: buffer[..<n]), &state, into: &events) }
        }
        return events
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, _ state: inout State, into events: inout Events) {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = bytes[(offset + header)..<min(bytes.count, offset + header + length)]
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events.overflowed = true
                continue
            }
            guard let directories = state.directoriesOf[wd] else { continue }
            if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                for directory in directories {
                    for users in (state.files.directories[directory] ?? [:]).values { events.pids.formUnion(users) }
                }
                // The path no longer leads to this inode, or the kernel
                // dropped the watch: the next update looks the directories
                // up again.
                for directory in directories where state.watches[directory] == wd {
                    state.watches[directory] = nil
                }
                if mask & UInt32(IN_IGNORED) != 0 { state.directoriesOf[wd] = nil }
                continue
            }
            let name = ByteString(nameBytes.prefix { $0 != 0 })
            for directory in directories {
                if let users = state.files.directories[directory]?[name] { events.pids.formUnion(users) }
            }
        }
    }
}
