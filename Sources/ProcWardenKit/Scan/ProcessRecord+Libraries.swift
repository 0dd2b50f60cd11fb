extension ProcessRecord {
    /// The report's `libraries` object (SPEC §8): how many objects the
    /// process maps executable besides its exe, and those that are not
    /// on disk or are untrusted under `settings`.
    public func librariesJSON(settings: RuleSettings) -> JSONValue {
        typealias K = ReportKey.Libraries
        let libraries = objects.filter { !RulesEngine.isExe($0, of: self) }
        var findings: [JSONValue] = []
        for object in libraries {
            let untrusted =
                object.state == .memfd
                ? !Glob.matches(object.memfdName ?? "", anyOf: settings.memfdMapAllow)
                : settings.isUntrusted(object.path)
            guard object.state != .onDisk || untrusted else { continue }
            findings.append(
                .object([
                    (K.path, .bytes(object.path)),
                    (K.objectState, .string(object.state.rawValue)),
                    (K.untrusted, .bool(untrusted)),
                ]))
        }
        return .object([(K.count, .int(Int64(libraries.count))), (K.findings, .array(findings))])
    }
}
