extension Configuration {
    /// The rules' view of `[Alerts]`.
    public var ruleSettings: RuleSettings {
        var settings = RuleSettings()
        settings.similarityThreshold = similarityThreshold
        settings.memfdAllow = memfdAllow
        settings.untrustedCodePaths = untrustedCodePaths
        settings.untrustedCodeAllow = untrustedCodeAllow
        settings.preloadAllow = preloadAllow
        settings.memfdMapAllow = memfdMapAllow
        return settings
    }

    /// The delivery limits of `[Alerts]`.
    public var alertLimits: AlertLimits {
        var limits = AlertLimits()
        limits.dedupWindowMicroseconds = dedupWindow.microseconds
        limits.rateLimitIntervalMicroseconds = rateLimitInterval.microseconds
        limits.rateLimitBurst = rateLimitBurst
        limits.maxBaselines = maxBaselines
        return limits
    }
}
