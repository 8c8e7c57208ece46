/// A setting that would resolve a failure or change what a note reports.
/// The library does not know how it is invoked, so it names the remedy and
/// the executable words it, with its own option names.
public enum Remedy: Sendable {
    /// Point at the manifest directory explicitly.
    case nameManifest
    /// Point at a manifest that discovery refused, once it is trusted.
    case nameTrustedManifest
    /// Run the script with another interpreter.
    case chooseInterpreter
    /// Choose the interpreter because the script's `#!` line cannot be used.
    case chooseInterpreterForShebang
    /// Record an interpreter in the pin being written.
    case recordInterpreter
    /// Confirm without a terminal to answer a prompt.
    case confirmWithoutTerminal
    /// Trust a private certificate authority.
    case trustPrivateCA
    /// Name a readable CA bundle.
    case checkCAFile
    /// Allow more time for a download.
    case raiseTimeout
    /// Allow a larger body.
    case raiseSizeLimit
    /// Let a withheld variable through to the script.
    case allowVariable
    /// Replace a pre-commit hook that scriptpin did not write.
    case replaceHook
    /// Run the script without confinement, where the kernel will not provide it.
    case runUnconfined
    /// Let a run list the hosts a script contacts.
    case auditEgress
    /// Let a run list the paths a script changes.
    case auditWrites
    /// Let the script see a path that would be masked.
    case exposePath
    /// Fix the findings again, after a file changed underneath.
    case rerunFix
    /// Give a pin evidence from a second channel.
    case addEvidence
}

extension Reporter {
    /// An error's sentence with the executable's wording of its remedy.
    public func explain(_ error: ScriptPinError) -> String {
        error.description + (error.remedy.map(hint) ?? "")
    }
}
