import ProcWardenKit
import Testing

/// The engine's settings types start from `Configuration`'s defaults, so a
/// default is written once (SPEC §14). Each value is compared with the
/// configuration field it stands for, not with a literal: a literal put back
/// into one of these types fails here as soon as the two differ.
@Suite struct ConfigurationDefaultsTests {
    let d = Configuration()

    @Test func scanLimitsStartFromTheConfiguration() {
        #expect(ScanLimits() == d.scanLimits)
        let limits = ScanLimits()
        #expect(limits.enumerationTimeout == d.enumerationTimeout)
        #expect(limits.hashBudget == d.hashBudget)
        #expect(limits.hashTimeout == d.hashTimeout)
        #expect(limits.maxFileSize == d.maxFileSize)
        #expect(limits.hashWorkers == d.hashWorkers)
        #expect(limits.ssdeep == d.ssdeep)
        #expect(limits.ignorePaths == d.ignorePaths)
    }

    @Test func alertSettingsStartFromTheConfiguration() {
        #expect(AlertLimits() == d.alertLimits)
        #expect(RuleSettings() == d.ruleSettings)
        #expect(AlertDeduplicator().windowMicroseconds == d.dedupWindow.microseconds)
        #expect(AlertQueue().burst == d.rateLimitBurst)
        #expect(AlertQueue().intervalMicroseconds == d.rateLimitInterval.microseconds)
        #expect(BaselineStore().capacity == d.maxBaselines)
    }

    @Test func defaultsAreTheDefaultInitialiser() {
        #expect(Configuration.defaults == d)
    }

    /// The threshold's range is the one the configuration validates with,
    /// and the default lies inside it.
    @Test func similarityThresholdRangeIsTheConfigurations() {
        #expect(ConfigKey.similarityThreshold.range == SimilarityThreshold.range)
        #expect(ConfigKey.similarityThreshold.validValues == SimilarityThreshold.validValues)
        #expect(SimilarityThreshold.range.contains(d.similarityThreshold))
    }
}
