/// A Monitor1 property's value as its D-Bus type maps to Swift: String,
/// UInt32 or UInt64. procwardenctl's bus client reads these; the tests'
/// own bus observer too.
public enum BusValue: Sendable, Equatable {
    case string(String)
    case uint32(UInt32)
    case uint64(UInt64)
}
