/// How hard `run` insists on confining the script.
public enum ConfinementMode: String, NamedValues {
    /// Confined where the kernel allows it; otherwise one warning, and unconfined.
    case auto
    /// Confined, or not run at all (exit 125, before anything is fetched).
    case required
    /// Not confined.
    case off
}

/// What set the mode a run is confined in, so that a refusal can say why
/// confinement was required, or turned off, without naming an option.
public enum ConfinementModeSource: Sendable, Equatable {
    /// The caller's options.
    case options
    /// The pin's `confine` line.
    case pin
    /// Egress rules, which only confinement enforces.
    case egressRules
    case writeRules
    /// Nothing: `auto`.
    case defaultMode

    var reason: String {
        switch self {
        case .defaultMode: "it is the default"
        case .options: "the run's options ask for it"
        case .pin: "the pin's `confine` line asks for it"
        case .egressRules: "only confinement enforces the egress rules"
        case .writeRules: "only confinement enforces the write rules"
        }
    }
}
