extension ProcessRecord {
    /// The objects the process maps executable besides its exe.
    public var libraries: [ObjectRecord] { objects.filter { !RulesEngine.isExe($0, of: self) } }

    /// The libraries worth a look (SPEC §8 `findings`): not on disk,
    /// untrusted under `settings`, or not verified by their package (from
    /// `objectFiles`), each with those judgements.
    public func libraryFindings(settings: RuleSettings, objectFiles: [ObjectFile.Key: ObjectFile] = [:]) -> [(
        object: ObjectRecord, untrusted: Bool, package: PackageVerdict?
    )] {
        libraries.compactMap { object in
            let untrusted =
                object.state == .memfd
                ? !Glob.matches(object.memfdName ?? "", anyOf: settings.memfdMapAllow)
                : settings.isUntrusted(object.path)
            let package = object.fileKey.flatMap { objectFiles[$0]?.package }
            let unverified = package?.verified == false
            return object.state != .onDisk || untrusted || unverified ? (object, untrusted, package) : nil
        }
    }

    /// The report's `libraries` object (SPEC §8): how many objects the
    /// process maps executable besides its exe, and the findings.
    public func librariesJSON(settings: RuleSettings, objectFiles: [ObjectFile.Key: ObjectFile] = [:]) -> JSONValue {
        typealias K = ReportKey.Libraries
        let findings: [JSONValue] = libraryFindings(settings: settings, objectFiles: objectFiles).map { finding in
            .object([
                (K.path, .bytes(finding.object.path)),
                (K.objectState, .string(finding.object.state.rawValue)),
                (K.untrusted, .bool(finding.untrusted)),
                (ReportKey.Process.package, .optional(finding.package?.package)),
                (ReportKey.Process.packageVerified, finding.package?.verified.map { .bool($0) } ?? .null),
            ])
        }
        return .object([(K.count, .int(Int64(libraries.count))), (K.findings, .array(findings))])
    }

    /// The inventory table's marker for a row with findings, e.g.
    /// `[libraries: 1 deleted, 1 untrusted]`; empty without.
    public func librariesMarker(settings: RuleSettings, objectFiles: [ObjectFile.Key: ObjectFile] = [:]) -> String {
        let findings = libraryFindings(settings: settings, objectFiles: objectFiles)
        guard !findings.isEmpty else { return "" }
        var parts: [String] = []
        for state in ObjectState.allCases where state != .onDisk {
            let n = findings.count { $0.object.state == state }
            if n > 0 { parts.append("\(n) \(state.rawValue)") }
        }
        let untrusted = findings.count { $0.untrusted }
        if untrusted > 0 { parts.append("\(untrusted) untrusted") }
        let unverified = findings.count { $0.package?.verified == false }
        if unverified > 0 { parts.append("\(unverified) not as packaged") }
        return "[libraries: " + parts.joined(separator: ", ") + "]"
    }
}
