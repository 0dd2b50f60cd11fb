extension AlertBuilder {
    /// library_mismatch or untrusted_code for one mapped object, about
    /// `subject` (the lowest pid that maps it) on behalf of `processCount`
    /// processes.
    mutating func object(_ finding: ObjectFinding, subject: ProcessRecord, processCount: Int) -> Alert {
        let object = finding.object
        var fields = processFields(subject, rule: finding.rule, identity: finding.identityBytes, sha256: nil)
        fields.append(.init(.object, ByteString(ObjectKind.library.rawValue)))
        fields.append(.init(.library, object.path))
        if finding.rule == .libraryMismatch { fields.append(.init(.reason, ByteString(object.state.rawValue))) }
        if let name = object.memfdName { fields.append(.init(.memfdName, name)) }
        fields.append(.init(.processCount, ByteString(String(processCount))))
        let others = processCount > 1 ? " (and \(processCount - 1) other processes)" : ""
        let text: String
        switch (finding.rule, object.state) {
        case (.libraryMismatch, .deleted):
            text = "mapped library \(object.path.escaped) was deleted from disk\(others)"
        case (.libraryMismatch, _):
            text = "mapped library \(object.path.escaped) was replaced on disk\(others)"
        case (_, .memfd):
            text = "library mapped from anonymous memfd \(object.memfdName?.escaped ?? "")\(others)"
        default:
            text = "library \(object.path.escaped) mapped from an untrusted location (UntrustedCodePaths)\(others)"
        }
        return finish(finding.rule, subject, text, fields)
    }
}
