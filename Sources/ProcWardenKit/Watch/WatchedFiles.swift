/// A directory that holds a running executable or mapped object, as a
/// process's root shows it (SPEC §15): the daemon watches it through
/// `/proc/<pid>/root/<path>`.
public struct WatchedDirectory: Hashable, Sendable {
    /// The process root's identity; nil for the host's.
    public var root: ImageKey?
    public var path: ByteString

    public init(root: ImageKey?, path: ByteString) {
        self.root = root
        self.path = path
    }
}

/// The files a scan's processes run or map, by directory and name: what
/// `DirectoryWatcher` watches and where its events point.
public struct WatchedFiles: Sendable {
    /// Per directory, per file name, the pids that use the file.
    public private(set) var directories: [WatchedDirectory: [ByteString: Set<Int32>]] = [:]
    /// Per directory, one pid through whose root it can be opened.
    public private(set) var opener: [WatchedDirectory: Int32] = [:]

    public init() {}

    /// The executables and objects of `records`: the running file of every
    /// process that runs one (deleted and replaced images too, since a
    /// file put back at the path is news), and every mapped object but a
    /// memfd.
    public init(_ records: [ProcessRecord]) {
        for record in records where record.unhashedReason != .ignored {
            add(record)
        }
    }

    /// Adds `record`'s files, after whatever it used before is dropped
    /// (`remove(pids:)`).
    public mutating func add(_ record: ProcessRecord) {
        if record.exeState.runsFile, let exe = record.exe {
            insert(exe, root: record.keyRoot, pid: record.pid)
        }
        for object in record.objects where object.state != .memfd && object.state != .inaccessible {
            insert(object.path, root: object.keyRoot, pid: record.pid)
        }
    }

    /// Forgets what `pids` use; directories nobody uses any more go.
    public mutating func remove(pids: Set<Int32>) {
        for (directory, names) in directories {
            var kept = names
            for (name, users) in names where !users.isDisjoint(with: pids) {
                let left = users.subtracting(pids)
                kept[name] = left.isEmpty ? nil : left
            }
            if kept.count != names.count || kept != names {
                directories[directory] = kept.isEmpty ? nil : kept
                if kept.isEmpty {
                    opener[directory] = nil
                } else if let pid = opener[directory], pids.contains(pid) {
                    opener[directory] = kept.values.first?.first
                }
            }
        }
    }

    private mutating func insert(_ path: ByteString, root: ImageKey?, pid: Int32) {
        guard let (dir, name) = Self.split(path) else { return }
        let directory = WatchedDirectory(root: root, path: dir)
        directories[directory, default: [:]][name, default: []].insert(pid)
        if opener[directory] == nil { opener[directory] = pid }
    }

    /// `/usr/bin/ls` → (`/usr/bin`, `ls`); `/init` → (`/`, `init`); nil for
    /// a path that is not absolute or names no file.
    static func split(_ path: ByteString) -> (ByteString, ByteString)? {
        let bytes = path.bytes
        guard bytes.first == UInt8(ascii: "/"), let slash = bytes.lastIndex(of: UInt8(ascii: "/")),
            slash + 1 < bytes.count
        else { return nil }
        let dir = slash == 0 ? ByteString("/") : ByteString(Array(bytes[..<slash]))
        return (dir, ByteString(Array(bytes[(slash + 1)...])))
    }
}
