extension ConfigKey {
    /// Parses `value` and stores it in `configuration`.
    ///
    /// For list keys, `firstAssignment` says whether this is the first time
    /// the key is assigned while loading: that assignment replaces the
    /// built-in default, later ones append, and an empty value empties the list.
    func assign(_ value: String, to configuration: inout Configuration, firstAssignment: Bool) throws(ConfigProblem) {
        switch self {
        case .intervalSec: configuration.interval = try seconds(value)
        case .enumerationTimeoutSec: configuration.enumerationTimeout = try seconds(value)
        case .hashBudgetSec: configuration.hashBudget = try seconds(value)
        case .hashTimeoutSec: configuration.hashTimeout = try seconds(value)
        case .dedupWindowSec: configuration.dedupWindow = try seconds(value)
        case .rateLimitIntervalSec: configuration.rateLimitInterval = try seconds(value)
        case .scanSummaryEverySec: configuration.scanSummaryEvery = try seconds(value)
        case .newProcessIntervalSec:
            guard let milliseconds = ConfigValueParser.milliseconds(value) else {
                throw .invalidValue(self, value: value, reason: "is not a time span such as 0.5, 500ms or 2s")
            }
            guard milliseconds == 0 || (100...60_000).contains(milliseconds) else {
                throw .outOfRange(self, value: value)
            }
            configuration.newProcessInterval = .milliseconds(milliseconds)
        case .watch: configuration.watch = try boolean(value)
        case .maxFileSize:
            configuration.maxFileSize = UInt64(
                try checked(
                    ConfigValueParser.size(value), value,
                    "is not a size such as 4096, 512K, 512M or 2G"))
        case .maxHashSize:
            configuration.maxHashSize = UInt64(
                try checked(
                    ConfigValueParser.size(value), value,
                    "is not a size such as 4096, 512K, 512M or 2G"))
        case .hashWorkers:
            configuration.hashWorkers = value.lowercased() == "auto" ? nil : try number(value)
        case .similarityThreshold: configuration.similarityThreshold = try number(value)
        case .rateLimitBurst: configuration.rateLimitBurst = try number(value)
        case .maxBaselines: configuration.maxBaselines = try number(value)
        case .ssdeep: configuration.ssdeep = try boolean(value)
        case .ssdeepEngine:
            guard let engine = SsdeepEngine(rawValue: value) else {
                throw .invalidValue(self, value: value, reason: "is not an ssdeep engine")
            }
            configuration.ssdeepEngine = engine
        case .sharedObjects: configuration.sharedObjects = try boolean(value)
        case .verify: configuration.verifyPackages = try boolean(value)
        case .verifyOtherRoots: configuration.verifyOtherRoots = try boolean(value)
        case .ignorePaths:
            let globs = try absoluteGlobs(value)
            configuration.ignorePaths = (firstAssignment || value.isEmpty ? [] : configuration.ignorePaths) + globs
        case .untrustedCodePaths:
            let globs = try absoluteGlobs(value)
            configuration.untrustedCodePaths =
                (firstAssignment || value.isEmpty ? [] : configuration.untrustedCodePaths) + globs
        case .untrustedCodeAllow:
            let globs = try absoluteGlobs(value)
            configuration.untrustedCodeAllow =
                (firstAssignment || value.isEmpty ? [] : configuration.untrustedCodeAllow) + globs
        case .preloadAllow:
            let globs = try absoluteGlobs(value)
            configuration.preloadAllow = (firstAssignment || value.isEmpty ? [] : configuration.preloadAllow) + globs
        case .memfdMapAllow:
            let globs = try globs(value)
            configuration.memfdMapAllow = (firstAssignment || value.isEmpty ? [] : configuration.memfdMapAllow) + globs
        case .memfdAllow:
            let globs = try globs(value)
            configuration.memfdAllow = (firstAssignment || value.isEmpty ? [] : configuration.memfdAllow) + globs
        case .memfdAllowImages:
            let paths = try globs(value)
            if let relative = paths.first(where: { !$0.hasPrefix("/") }) {
                throw .invalidValue(self, value: value, reason: "contains \(relative), which does not start with /")
            }
            configuration.memfdAllowImages =
                (firstAssignment || value.isEmpty ? [] : configuration.memfdAllowImages) + paths
        }
    }

    /// Checks a SimilarityThreshold-style number against this key's range,
    /// for values that arrive without a file (D-Bus).
    public func validate(_ number: Int) throws(ConfigProblem) {
        guard let range, range.contains(number) else { throw .outOfRange(self, value: String(number)) }
    }

    private func seconds(_ value: String) throws(ConfigProblem) -> Duration {
        .seconds(try checked(ConfigValueParser.timeSpan(value), value, "is not a time span such as 30, 30s or 5min"))
    }

    private func number(_ value: String) throws(ConfigProblem) -> Int {
        try checked(ConfigValueParser.integer(value), value, "is not a number")
    }

    private func checked(_ parsed: Int?, _ value: String, _ reason: String) throws(ConfigProblem) -> Int {
        guard let parsed else { throw .invalidValue(self, value: value, reason: reason) }
        guard let range, range.contains(parsed) else { throw .outOfRange(self, value: value) }
        return parsed
    }

    private func boolean(_ value: String) throws(ConfigProblem) -> Bool {
        guard let flag = ConfigValueParser.boolean(value) else {
            throw .invalidValue(self, value: value, reason: "is not a boolean")
        }
        return flag
    }

    /// Globs over paths: each must start with `/`.
    private func absoluteGlobs(_ value: String) throws(ConfigProblem) -> [String] {
        let globs = try globs(value)
        if let relative = globs.first(where: { !$0.hasPrefix("/") }) {
            throw .invalidValue(self, value: value, reason: "contains \(relative), which does not start with /")
        }
        return globs
    }

    private func globs(_ value: String) throws(ConfigProblem) -> [String] {
        guard let words = ConfigValueParser.words(value) else {
            throw .invalidValue(self, value: value, reason: "has an unclosed quote")
        }
        if words.contains(where: \.isEmpty) {
            throw .invalidValue(self, value: value, reason: "contains an empty glob")
        }
        return words
    }
}
