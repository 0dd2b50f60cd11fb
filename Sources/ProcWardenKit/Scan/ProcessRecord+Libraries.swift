extension ProcessRecord {
    /// The objects the process maps executable besides its exe.
    public var libraries: [ObjectRecord] { objects.filter { !RulesEngine.isExe($0, of: self) } }

    /// The libraries worth a look (SPEC §8 `findings`): not on disk, or
    /// untrusted under `settings`, each with that judgement.
    public func libraryFindings(settings: RuleSettings) -> [(object: ObjectRecord, untrusted: Bool)] {
        libraries.compactMap { object in
            let untrusted =
                object.state == .memfd
                ? !Glob.matches(object.memfdName ?? "", anyOf: settings.memfdMapAllow)
                : settings.isUntrusted(object.path)
            return object.state != .onDisk || untrusted ? (object, untrusted) : nil
        }
    }

    /// The report's `libraries` object (SPEC §8): how many objects the
    /// process maps executable besides its exe, and the findings.
    public func librariesJSON(settings: RuleSettings) -> JSONValue {
        typealias K = ReportKey.Libraries
        let findings: [JSONValue] = libraryFindings(settings: settings).map { finding in
            .object([
                (K.path, .bytes(finding.object.path)),
                (K.objectState, .string(finding.object.state.rawValue)),
                (K.untrusted, .bool(finding.untrusted)),
            ])
        }
        return .object([(K.count, .int(Int64(libraries.count))), (K.findings, .array(findings))])
    }

    /// The inventory table's marker for a row with findings, e.g.
    /// `[libraries: 1 deleted, 1 untrusted]`; empty without.
    public func librariesMarker(settings: RuleSettings) -> String {
        let findings = libraryFindings(settings: settings)
        guard !findings.isEmpty else { return "" }
        var parts: [String] = []
        for state in ObjectState.allCases where state != .onDisk {
            let n = findings.count { $0.object.state == state }
            if n > 0 { parts.append("\(n) \(state.rawValue)") }
        }
        let untrusted = findings.count { $0.untrusted }
        if untrusted > 0 { parts.append("\(untrusted) untrusted") }
        return "[libraries: " + parts.joined(separator: ", ") + "]"
    }
}
