/// How hard `run` insists on confining the script.
public enum ConfinementMode: String, NamedValues {
    /// Confined where the kernel allows it; otherwise one warning, and unconfined.
    case auto
    /// Confined, or not run at all (exit 125, before anything is fetched).
    case required
    /// Not confined.
    case off
}
