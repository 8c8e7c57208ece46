/// A SARIF 2.1.0 log with one run of scriptpin, the shape GitHub code
/// scanning reads; `check` and `lint` fill it with their own rules and results.
struct SARIFLog: Encodable {
    struct Text: Encodable { let text: String }
    struct Rule: Encodable {
        let id: String
        let name: String
        let shortDescription: Text
        let fullDescription: Text
        let help: Text
        let defaultConfiguration: Configuration
    }
    struct Configuration: Encodable { let level: String }
    struct Driver: Encodable {
        let name = "scriptpin"
        let version = ScriptPinVersion.current
        let rules: [Rule]
    }
    struct Tool: Encodable { let driver: Driver }
    struct ArtifactLocation: Encodable { let uri: String }
    struct Region: Encodable {
        let startLine: Int
        /// Left out when the result has a line only.
        let startColumn: Int?
    }
    struct PhysicalLocation: Encodable {
        let artifactLocation: ArtifactLocation
        let region: Region
    }
    struct Location: Encodable {
        let physicalLocation: PhysicalLocation

        init(path: String, line: Int, column: Int?) {
            physicalLocation = PhysicalLocation(
                artifactLocation: ArtifactLocation(uri: path), region: Region(startLine: line, startColumn: column))
        }
    }
    struct Result: Encodable {
        let ruleId: String
        let level: String
        let message: Text
        let locations: [Location]
    }
    struct Run: Encodable {
        let tool: Tool
        let results: [Result]
    }

    let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    let version = "2.1.0"
    let runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    init(rules: [Rule], results: [Result]) {
        runs = [Run(tool: Tool(driver: Driver(rules: rules)), results: results)]
    }
}
