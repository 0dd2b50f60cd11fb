extension Duration {
    /// Whole microseconds, clamped at zero: the unit of sd-event, sd_notify
    /// and the bus's `*USec` properties.
    public var microseconds: UInt64 {
        let (s, atto) = components
        return UInt64(max(0, s)) * 1_000_000 + UInt64(max(0, atto)) / 1_000_000_000_000
    }

    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
