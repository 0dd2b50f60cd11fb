import ProcWardenKit

/// An ssdeep engine for the FuzzyHashing seam that fails at one stage, as
/// libfuzzy can (allocation, an update, the final digest).
struct FailingFuzzy: FuzzyHashing {
    enum Stage: String, CaseIterable, Sendable, CustomStringConvertible {
        case start, update, finish

        var description: String { rawValue }
    }

    var stage: Stage

    func start(totalLength: UInt64) -> (any FuzzyHashState)? {
        stage == .start ? nil : State(stage: stage)
    }

    private final class State: FuzzyHashState {
        let stage: Stage

        init(stage: Stage) { self.stage = stage }

        func update(_ bytes: UnsafeRawBufferPointer) -> Bool { stage != .update }

        func finish() -> String? { nil }
    }
}
