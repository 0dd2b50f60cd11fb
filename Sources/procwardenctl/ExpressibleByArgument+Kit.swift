import ArgumentParser
import ProcWardenKit

// Values the verbs take, validated by the parser against the fixed names
// of the spec and offered by the completion scripts.
extension ExeState: ExpressibleByArgument {}
extension AlertRule: ExpressibleByArgument {}
extension Severity: ExpressibleByArgument {}
