import ArgumentParser
import ProcWardenSystemd

extension BusKind: ExpressibleByArgument {}
extension JournalMode: ExpressibleByArgument {}
