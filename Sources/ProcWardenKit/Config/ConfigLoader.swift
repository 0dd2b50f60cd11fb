import Glibc

/// Reads the configuration: built-in defaults, then the main file, then the
/// drop-ins `<main>.d/*.conf` in lexical (byte) order (SPEC §5).
///
/// Precedence: a later assignment overrides an earlier one, so a drop-in
/// overrides the main file and a later drop-in an earlier one. A
/// single-value key may appear once per file. List keys (`IgnorePaths`,
/// `MemfdAllow`) follow systemd's list rule: the first assignment anywhere
/// replaces the built-in default, each later assignment (in the same or a
/// later file) appends, and an empty assignment empties the list.
///
/// A missing main file means defaults, as for journald.conf, unless
/// `requireMainFile` is set (for an explicit `--config PATH`, where a
/// missing file is more likely a typo). A missing drop-in directory is
/// fine. Any file or directory that exists but cannot be read is an error,
/// and so is a listed drop-in that cannot be opened (a dangling symlink).
/// A FIFO, socket, device or directory where a file should be is an error
/// naming it ("not a regular file (fifo)"), and is never opened in a way
/// that could block. /dev/null, directly or through a symlink, is masked:
/// read as nothing, as systemd does (SPEC §5); this holds for the main file
/// too, so `--config /dev/null` means the built-in defaults. Drop-in names
/// starting with `.` and names not ending in `.conf` are ignored.
public struct ConfigLoader: Sendable {
    public static let defaultPath = "/etc/procwarden/procwarden.conf"
    /// Larger files are refused; a configuration is a few hundred bytes.
    public static let maxFileSize = 1 << 20

    public var mainPath: String
    public var requireMainFile: Bool

    public init(mainPath: String = ConfigLoader.defaultPath, requireMainFile: Bool = false) {
        self.mainPath = mainPath
        self.requireMainFile = requireMainFile
    }

    /// `<main>.d`, e.g. /etc/procwarden/procwarden.conf.d.
    public var dropInDirectory: String { mainPath + ".d" }

    /// Reads and validates every file; the first problem found is thrown.
    public func load() throws(ConfigError) -> Configuration {
        try loadListingFiles().configuration
    }

    /// `load()`, with the files whose settings were applied and the files
    /// masked by /dev/null, each in the order they were read.
    public func loadListingFiles() throws(ConfigError) -> (
        configuration: Configuration, applied: [String], masked: [String]
    ) {
        var configuration = Configuration()
        var assignedKeys: Set<ConfigKey> = []
        var applied: [String] = []
        var masked: [String] = []
        for path in try files() {
            switch try Self.read(path, required: path != mainPath || requireMainFile) {
            case .missing:
                continue
            case .masked:
                masked.append(path)
            case .text(let text):
                try Self.apply(text, path: path, to: &configuration, assignedKeys: &assignedKeys)
                applied.append(path)
            }
        }
        return (configuration, applied, masked)
    }

    /// The main file followed by the drop-ins that exist, in the order
    /// they are applied.
    public func files() throws(ConfigError) -> [String] {
        [mainPath] + (try dropInFiles())
    }

    /// The `*.conf` files of the drop-in directory in lexical byte order,
    /// listed with opendir(3)/readdir(3).
    public func dropInFiles() throws(ConfigError) -> [String] {
        let directory = dropInDirectory
        let dir: OpaquePointer
        do {
            dir = try SystemCall.pointerOrErrno("opendir \(directory)") { opendir(directory) }
        } catch  where error.errno == ENOENT {
            return []
        } catch {
            throw ConfigError(path: directory, problem: .unreadable(reason: String(cString: strerror(error.errno))))
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            guard name.first != UInt8(ascii: "."), name.count > 5, name.suffix(5).elementsEqual(".conf".utf8) else {
                continue
            }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        var paths: [String] = []
        for name in names {
            guard let text = String(validating: name, as: UTF8.self) else {
                throw ConfigError(
                    path: directory + "/" + String(decoding: name, as: UTF8.self),
                    problem: .unreadable(reason: "file name is not valid UTF-8"))
            }
            paths.append(directory + "/" + text)
        }
        return paths
    }

    /// Parses one file's text over `base`, with no drop-ins; for
    /// `--check-config` of a single file and for tests.
    public static func parse(_ text: String, path: String, over base: Configuration = Configuration())
        throws(ConfigError) -> Configuration
    {
        var configuration = base
        var assignedKeys: Set<ConfigKey> = []
        try apply(text, path: path, to: &configuration, assignedKeys: &assignedKeys)
        return configuration
    }

    static func apply(
        _ text: String, path: String, to configuration: inout Configuration,
        assignedKeys: inout Set<ConfigKey>
    ) throws(ConfigError) {
        var lastSizeAssignment: ConfigAssignment?
        try ConfigFileParser.parse(text, path: path) { (assignment) throws(ConfigError) in
            do throws(ConfigProblem) {
                try assignment.key.assign(
                    assignment.value, to: &configuration,
                    firstAssignment: !assignedKeys.contains(assignment.key))
            } catch {
                throw ConfigError(path: assignment.path, line: assignment.line, problem: error)
            }
            if assignment.key.isList || assignment.key == .maxHashSize { assignedKeys.insert(assignment.key) }
            if assignment.key == .maxFileSize || assignment.key == .maxHashSize { lastSizeAssignment = assignment }
        }
        // MaxHashSize ≥ MaxFileSize, checked once the whole file is read so
        // the two may be raised together in either order. Raising
        // MaxFileSize alone raises the default MaxHashSize with it; a
        // MaxHashSize set below it is an error.
        guard let last = lastSizeAssignment, configuration.maxHashSize < configuration.maxFileSize else { return }
        if !assignedKeys.contains(.maxHashSize) {
            configuration.maxHashSize = configuration.maxFileSize
        } else {
            throw ConfigError(
                path: last.path, line: last.line,
                problem: .invalidValue(
                    last.key, value: last.value,
                    reason:
                        "leaves MaxHashSize=\(configuration.maxHashSize) below MaxFileSize=\(configuration.maxFileSize)"
                ))
        }
    }

    /// Bytes that are not UTF-8 as their `\xNN` escape, so an error about
    /// the line shows them (and no raw bytes reach the journal or the bus);
    /// such a value then fails as a bad one.
    static func escapingInvalidUTF8(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var text = ""
        var parser = Unicode.UTF8.ForwardParser()
        var input = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &input) {
            case .valid(let encoded):
                text.unicodeScalars.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] { text += ByteString.hexEscape(byte) }
                offset += length
            case .emptyInput:
                return text
            }
        }
    }
}
