import ProcWardenKit

/// What the bus object may ask of the running daemon: a snapshot to read
/// and the four actions of SPEC §9. Everything runs on the event loop.
protocol MonitorControl: AnyObject {
    /// The values behind the bus properties, as of now.
    var status: MonitorStatus { get }
    /// The last full scan's executables, one entry per running image.
    var executables: [Inventory.Executable] { get }
    /// The mapped-object inventory of the last scan.
    var objects: [ObjectInventory.Object] { get }
    /// The processes the last scan found running what a package upgraded.
    var restartNeeded: [RestartNeeded] { get }
    /// Requests a scan; `completion` gets the summary of the scan that
    /// serves the request (coalesced with any in flight).
    func rescan(_ completion: @escaping (ScanSummary) -> Void)
    /// Persisted unless `runtime`; throws ConfigError for a value out of
    /// range and SystemError when it cannot be saved.
    func setSimilarityThreshold(_ value: Int, runtime: Bool) throws
    /// Re-reads the configuration; on error the running one stays.
    func reload() throws(ConfigError)
    /// Accepts the current image at `path` as its baseline; false when no
    /// baseline exists for it.
    func resetBaseline(path: ByteString) -> Bool
}

/// The daemon's state as the bus properties show it.
struct MonitorStatus {
    var counters: DaemonCounters
    var isScanning: Bool
    var capabilities: String
    var coverage: Coverage
    var similarityThreshold: Int
    var scanInterval: Duration
    /// inotify watches in force (SPEC §15).
    var watchedDirectories: Int
}

/// What the running daemon tells the bus object, on the event loop.
protocol MonitorEvents: AnyObject {
    /// A full scan finished (not a targeted scan).
    func scanCompleted(_ summary: ScanSummary)
    /// An alert reached the journal.
    func alertDelivered(_ alert: Alert)
    /// A SIGHUP reload may have changed settings the bus shows.
    func settingsChanged()
    /// The inotify watches changed between scans (a targeted scan or a
    /// new-process pass).
    func watchesChanged()
}
