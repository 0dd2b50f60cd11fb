/// The values of `PROCWARDEN_OBJECT` (SPEC §4): what kind of code an alert
/// is about.
public enum ObjectKind: String, Sendable, Codable, CaseIterable {
    /// The process's exe.
    case executable
    /// A shared object mapped executable.
    case library
    /// The program a dynamic loader runs when the exe is the loader itself.
    case loadedProgram = "loaded_program"
}
