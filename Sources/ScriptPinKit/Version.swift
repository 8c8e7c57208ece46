/// The release of scriptpin, printed by `--version` and sent as the User-Agent.
public enum ScriptPinVersion {
    public static let current = "0.1.0"
}
