extension Alert {
    /// Fields whose values are numbers in JSON output.
    static let numericFields: Set<AlertField> = [.pid, .uid, .similarity, .threshold]

    /// One element of the report's `alerts` array: every `PROCWARDEN_*` field
    /// in lower case without the prefix, plus `message`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = allFields.map { field in
            if Self.numericFields.contains(field.name), let s = field.value.utf8String, let n = Int64(s) {
                return (field.name.jsonKey, .int(n))
            }
            return (field.name.jsonKey, .bytes(field.value))
        }
        members.append((ReportKey.Alert.message, .bytes(message)))
        return .object(members)
    }
}
