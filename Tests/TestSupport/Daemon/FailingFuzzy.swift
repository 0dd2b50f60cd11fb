import ProcWardenKit

/// An ssdeep engine for the FuzzyHashing seam that fails at one stage, as
/// libfuzzy can (allocation, an update, the final digest).
public struct FailingFuzzy: FuzzyHashing {
    public enum Stage: String, CaseIterable, Sendable, CustomStringConvertible {
        case start, update, finish

        public var description: String { rawValue }
    }

    public var stage: Stage

    public init(stage: Stage) { self.stage = stage }

    public func start(totalLength: UInt64) -> (any FuzzyHashState)? {
        stage == .start ? nil : State(stage: stage)
    }

    private final class State: FuzzyHashState {
        public let stage: Stage

        public init(stage: Stage) { self.stage = stage }

        public func update(_ bytes: UnsafeRawBufferPointer) -> Bool { stage != .update }

        public func finish() -> String? { nil }
    }
}
