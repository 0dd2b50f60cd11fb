import Glibc

/// The dpkg database of one root (`<root>/var/lib/dpkg`): which package owns
/// a path, its version and state, and the MD5 dpkg recorded for the file.
///
/// Built lazily at the first lookup and again when `status` changes (its
/// device, inode, size or mtime): dpkg rewrites it whenever it installs,
/// removes or configures. Bounded in memory: each listed path is kept as a
/// 64-bit FNV-1a hash of its canonical form pointing at its package, about
/// 16 bytes a path (this machine lists 120,000), and MD5s are read from
/// `info/<pkg>.md5sums` only for the paths looked up, with a bounded cache.
/// Two listed paths with the same hash would attribute the later to the
/// earlier's package; at 120,000 paths the chance is about 1 in 10⁹.
///
/// Paths are compared the way the root resolves them: where `<root>/bin`
/// (sbin, lib, lib32, lib64, libx32) is a symlink to `usr/bin` (merged
/// /usr), `/bin/ls` as dpkg lists it and `/usr/bin/ls` as the kernel prints
/// it are one file. Diversions are applied as dpkg does: the file at a
/// diverted path belongs to the diverting package, and the diverted-away
/// copy to the package whose file it is.
///
/// Not thread-safe; one owner drives it. Nothing read from the database is
/// trusted beyond this: malformed lines are skipped and counted.
public final class DpkgIndex {
    /// What the database says of one path.
    public struct Ownership: Sendable, Equatable {
        public var package: String
        public var version: String
        /// dpkg is done with the package; verdicts wait until it is.
        public var installed: Bool
        /// The MD5 dpkg recorded; nil for a conffile or a file without one.
        public var md5: String?
        public var isConffile: Bool

        public init(package: String, version: String, installed: Bool, md5: String?, isConffile: Bool) {
            self.package = package
            self.version = version
            self.installed = installed
            self.md5 = md5
            self.isConffile = isConffile
        }
    }

    public let root: String
    /// Problems met while reading the database, for one warning each.
    public private(set) var problems: [String] = []

    private var statusIdentity: [Int64]?
    private var packages: [DpkgPackage] = []
    /// (hash of canonical path, package index), sorted by hash.
    private var owners: [(hash: UInt64, package: UInt32)] = []
    /// Every package that lists a diverted path (`from`), since several do.
    private var divertedOwners: [ByteString: [UInt32]] = [:]
    private var divertedFrom: [ByteString: DpkgInfoFiles.Diversion] = [:]
    private var divertedTo: [ByteString: DpkgInfoFiles.Diversion] = [:]
    private var aliases: [(from: [UInt8], to: [UInt8])] = []
    private var md5Cache: [String: [UInt8]] = [:]

    /// Files at most this big are read: a corrupt or hostile database cannot
    /// make the daemon read without end.
    static let statusLimit = 64 << 20
    static let infoLimit = 16 << 20
    static let md5CacheBound = 64

    /// - Parameter root: the root directory as the daemon reaches it: `/`,
    ///   or `/proc/<pid>/root` for another root.
    public init(root: String) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    var admin: String { root + "/var/lib/dpkg" }

    /// Whether the root has a dpkg database at all.
    public var exists: Bool {
        var st = stat()
        return stat(admin + "/status", &st) == 0
    }

    /// The owner of `path` (as the kernel prints it, relative to this
    /// root); nil when no package owns it, the path is locally diverted, or
    /// the root has no readable database.
    public func owner(of path: ByteString) -> Ownership? {
        refreshIfNeeded()
        let canonical = canonicalize(path)
        if let diversion = divertedFrom[canonical] {
            guard !diversion.isLocal, let index = packageIndex(named: diversion.package) else { return nil }
            return ownership(index, listedAs: canonical)
        }
        if let diversion = divertedTo[canonical] {
            // The diverted-away file: the package that lists `from` and is not the diverter.
            let candidates = divertedOwners[diversion.from] ?? []
            guard let index = candidates.first(where: { packages[Int($0)].name != diversion.package }) else {
                return nil
            }
            return ownership(Int(index), listedAs: diversion.from)
        }
        guard let index = ownerIndex(Self.hash(canonical.bytes)) else { return nil }
        return ownership(index, listedAs: canonical)
    }

    /// Rebuilds when `status` is not what the index was built from.
    func refreshIfNeeded() {
        let identity = Self.identity(admin + "/status")
        // No database (nil) is looked for again at each lookup: one stat(2).
        guard identity == nil || identity != statusIdentity else { return }
        build(identity: identity)
    }

    private func build(identity: [Int64]?) {
        statusIdentity = identity
        packages = []
        owners = []
        divertedOwners = [:]
        divertedFrom = [:]
        divertedTo = [:]
        md5Cache = [:]
        problems = []
        guard identity != nil else { return }
        aliases = Self.mergedUsrAliases(root: root)
        let status: [UInt8]
        do {
            guard let bytes = try DurableFile.read(admin + "/status", limit: Self.statusLimit) else { return }
            status = bytes
        } catch {
            problems.append("cannot read \(admin)/status: \(error)")
            return
        }
        let parsed = DpkgStatus.parse(status)
        if parsed.malformed > 0 { problems.append("\(admin)/status: \(parsed.malformed) malformed entries skipped") }
        packages = parsed.packages
        if let bytes = try? DurableFile.read(admin + "/diversions", limit: Self.infoLimit) {
            for diversion in DpkgInfoFiles.diversions(bytes) {
                let from = canonicalize(diversion.from)
                let to = canonicalize(diversion.to)
                let canonical = DpkgInfoFiles.Diversion(from: from, to: to, package: diversion.package)
                divertedFrom[from] = canonical
                divertedTo[to] = canonical
            }
        }
        let divertedHashes = Set(divertedFrom.keys.map { Self.hash($0.bytes) })
        for (index, package) in packages.enumerated() where package.hasFiles {
            guard let list = readInfo(package, suffix: ".list") else {
                problems.append("\(admin)/info: no readable list of files for \(package.name)")
                continue
            }
            DpkgInfoFiles.forEachListedPath(list) { line in
                let key = canonicalHash(line)
                if divertedHashes.contains(key) {
                    divertedOwners[canonicalize(ByteString(Array(line))), default: []].append(UInt32(index))
                } else {
                    owners.append((key, UInt32(index)))
                }
            }
        }
        // Stable by package order for equal hashes, so the first package listing a path owns it.
        owners.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.package < $1.package }
        // Kept until dpkg changes: without the slack appending left (up to
        // half the array, a megabyte on a desktop's database).
        owners = owners.withUnsafeBufferPointer { Array($0) }
    }

    /// The package of the first entry with `hash` (binary search).
    private func ownerIndex(_ hash: UInt64) -> Int? {
        var low = 0
        var high = owners.count
        while low < high {
            let mid = (low + high) / 2
            if owners[mid].hash < hash { low = mid + 1 } else { high = mid }
        }
        guard low < owners.count, owners[low].hash == hash else { return nil }
        return Int(owners[low].package)
    }

    /// `hash(canonicalize(path).bytes)` without building the canonical path.
    private func canonicalHash(_ path: ArraySlice<UInt8>) -> UInt64 {
        for alias in aliases where path.starts(with: alias.from) {
            let rest = path.dropFirst(alias.from.count)
            if rest.isEmpty || rest.first == UInt8(ascii: "/") { return Self.hash(rest, seed: Self.hash(alias.to)) }
        }
        return Self.hash(path)
    }

    private func packageIndex(named name: String) -> Int? {
        packages.firstIndex { $0.name == name && $0.hasFiles }
    }

    private func ownership(_ index: Int, listedAs path: ByteString) -> Ownership {
        let package = packages[index]
        let conffile = package.conffiles.contains(path)
        var md5: String?
        if !conffile, let sums = md5sums(index) {
            md5 =
                DpkgInfoFiles.md5(of: path, inMd5sums: sums)
                ?? aliasedForms(of: path).lazy.compactMap { DpkgInfoFiles.md5(of: $0, inMd5sums: sums) }.first
        }
        return Ownership(
            package: package.name, version: package.version, installed: package.isInstalled, md5: md5,
            isConffile: conffile)
    }

    private func md5sums(_ index: Int) -> [UInt8]? {
        let name = packages[index].name
        if let cached = md5Cache[name] { return cached }
        guard let bytes = readInfo(packages[index], suffix: ".md5sums") else { return nil }
        let malformed = DpkgInfoFiles.malformedMd5sumsLines(bytes)
        if malformed > 0 {
            let problem = "\(admin)/info: \(malformed) malformed lines in the md5sums of \(name)"
            if !problems.contains(problem) { problems.append(problem) }
        }
        if md5Cache.count >= Self.md5CacheBound { md5Cache.removeAll(keepingCapacity: true) }
        md5Cache[name] = bytes
        return bytes
    }

    private func readInfo(_ package: DpkgPackage, suffix: String) -> [UInt8]? {
        for stem in package.infoStems {
            let path = admin + "/info/" + stem + suffix
            do {
                if let bytes = try DurableFile.read(path, limit: Self.infoLimit) { return bytes }
            } catch {
                // Missing is normal (no md5sums); anything else is worth a
                // warning, and the files it would verify get no verdict.
                let problem = "cannot read \(path): \(error)"
                if !problems.contains(problem) { problems.append(problem) }
            }
        }
        return nil
    }

    /// `/bin/x` → `/usr/bin/x` where the root merges /usr; unchanged otherwise.
    func canonicalize(_ path: ByteString) -> ByteString {
        for alias in aliases where path.bytes.starts(with: alias.from) {
            let rest = path.bytes.dropFirst(alias.from.count)
            if rest.isEmpty || rest.first == UInt8(ascii: "/") { return ByteString(alias.to + rest) }
        }
        return path
    }

    /// The forms a canonical path may have in an md5sums file that lists
    /// the unmerged name (`/usr/bin/x` → `/bin/x`).
    private func aliasedForms(of path: ByteString) -> [ByteString] {
        aliases.compactMap { alias in
            guard path.bytes.starts(with: alias.to) else { return nil }
            let rest = path.bytes.dropFirst(alias.to.count)
            guard rest.isEmpty || rest.first == UInt8(ascii: "/") else { return nil }
            return ByteString(alias.from + rest)
        }
    }

    /// readlink(2) of `<root>/bin` and its kin: `usr/bin` or `/usr/bin`
    /// makes `/bin` an alias of `/usr/bin`.
    static func mergedUsrAliases(root: String) -> [(from: [UInt8], to: [UInt8])] {
        ["bin", "sbin", "lib", "lib32", "lib64", "libx32"].compactMap { name in
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink(root + "/" + name, &buffer, buffer.count - 1)
            guard n > 0 else { return nil }
            let target = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard target == "usr/" + name || target == "/usr/" + name else { return nil }
            return (Array(("/" + name).utf8), Array(("/usr/" + name).utf8))
        }
    }

    /// (dev, ino, size, mtime s, mtime ns) of `path`, or nil.
    static func identity(_ path: String) -> [Int64]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [
            Int64(st.st_dev), Int64(st.st_ino), Int64(st.st_size), Int64(st.st_mtim.tv_sec),
            Int64(st.st_mtim.tv_nsec),
        ]
    }

    /// 64-bit FNV-1a, continuing from `seed` (the hash of a prefix).
    static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for byte in bytes {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
