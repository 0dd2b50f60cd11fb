import ProcWardenKit

extension BusNames.Property {
    /// The key in `procwardenctl status --json`: the property name in
    /// snake_case, `ScanIntervalUSec` → `scan_interval_usec`.
    var jsonKey: String {
        var key = ""
        var previousWasLower = false
        for c in rawValue {
            if c.isUppercase && previousWasLower { key += "_" }
            key += c.lowercased()
            previousWasLower = c.isLowercase || c.isNumber
        }
        return key
    }
}
