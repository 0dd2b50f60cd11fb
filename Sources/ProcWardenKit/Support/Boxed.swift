/// A value kept on the heap behind one reference: eight bytes inline, and
/// copies share it until one of them is given a new value. For values that
/// thousands of a scan's records hold, rarely set and often equal (a digest
/// is the same for every process of one image).
public struct Boxed<Value: Sendable>: Sendable {
    private final class Storage: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var storage: Storage

    public init(_ value: Value) { storage = Storage(value) }

    /// Setting allocates a new box: the old one may be shared.
    public var value: Value {
        get { storage.value }
        set { storage = Storage(newValue) }
    }

    /// Whether both share one box (equal without comparing).
    func isIdentical(to other: Boxed) -> Bool { storage === other.storage }
}

extension Boxed: Equatable where Value: Equatable {
    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs.isIdentical(to: rhs) || lhs.value == rhs.value }
}

extension Boxed: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
