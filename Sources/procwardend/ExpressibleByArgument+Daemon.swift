import ArgumentParser
import ProcWardenDaemon
import ProcWardenSystemd

extension BusKind: ExpressibleByArgument {}
extension JournalMode: ExpressibleByArgument {}
