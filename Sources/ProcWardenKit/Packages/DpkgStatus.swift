/// One stanza of dpkg's `status` file (dpkg(1), deb-control(5)): what the
/// index needs to name a package and to know whether dpkg is done with it.
public struct DpkgPackage: Sendable, Equatable {
    public var name: String
    public var architecture: String?
    public var version: String
    /// The third word of `Status:` (`installed`, `unpacked`, `half-configured`, …).
    public var state: String
    /// Paths listed under `Conffiles:`; their content is the admin's, so
    /// they get no verdict.
    public var conffiles: Set<ByteString>

    public init(
        name: String, architecture: String?, version: String, state: String, conffiles: Set<ByteString> = []
    ) {
        self.name = name
        self.architecture = architecture
        self.version = version
        self.state = state
        self.conffiles = conffiles
    }

    /// dpkg is done with the package: its files, `.md5sums` and version agree.
    public var isInstalled: Bool { state == "installed" }

    /// Whether the package has files on disk at all.
    var hasFiles: Bool { state != "not-installed" && state != "config-files" }

    /// The names its info files may have, most specific first: multi-arch
    /// packages use `<name>:<arch>.list`, the others `<name>.list`.
    var infoStems: [String] {
        guard let architecture, architecture != "all" else { return [name] }
        return [name + ":" + architecture, name]
    }
}

/// Parser of dpkg's `status` file.
public enum DpkgStatus {
    /// The packages of `bytes`, and how many stanzas were malformed (no
    /// `Package:`, `Version:` or `Status:`) and skipped.
    public static func parse(_ bytes: [UInt8]) -> (packages: [DpkgPackage], malformed: Int) {
        var packages: [DpkgPackage] = []
        var malformed = 0
        var fields: [String: String] = [:]
        var conffiles: Set<ByteString> = []
        var current: String?

        func finish() {
            defer {
                fields = [:]
                conffiles = []
                current = nil
            }
            guard !fields.isEmpty || !conffiles.isEmpty else { return }
            guard let name = fields["Package"], let version = fields["Version"], let status = fields["Status"],
                let state = status.split(separator: " ").last.map(String.init)
            else {
                malformed += 1
                return
            }
            packages.append(
                DpkgPackage(
                    name: name, architecture: fields["Architecture"], version: version, state: state,
                    conffiles: conffiles))
        }

        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if line.isEmpty {
                finish()
                continue
            }
            if line.first == UInt8(ascii: " ") || line.first == UInt8(ascii: "\t") {
                // A continuation line; only Conffiles' are kept: ` /path md5 [obsolete]`.
                if current == "Conffiles", let path = line.split(separator: UInt8(ascii: " ")).first,
                    path.first == UInt8(ascii: "/")
                {
                    conffiles.insert(ByteString(Array(path)))
                }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                current = nil
                continue
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            current = name
            if ["Package", "Version", "Status", "Architecture"].contains(name) { fields[name] = value }
        }
        finish()
        return (packages, malformed)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
