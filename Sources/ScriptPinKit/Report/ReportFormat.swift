/// How `check` and `lint` write their results: text for people, JSON for
/// scripts, SARIF for code scanning, workflow commands for GitHub Actions.
public enum ReportFormat: String, NamedValues {
    case text, json, sarif, github
}
