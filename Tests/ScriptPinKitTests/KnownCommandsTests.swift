import Testing
@testable import ScriptPinKit

/// The registry of commands lint knows, and every table made from it: each
/// entry's examples hold, and nothing derived from the list can miss a name.
@Suite("lint: the registry of known commands and the tables made from it")
struct KnownCommandsTests {
    static let entries = KnownCommands.all

    static func findings(_ code: String, kind: LintFileKind = .shell) -> [LintDiagnostic] {
        LintEngine.lint(Array(code.utf8), kind: kind).filter { $0.rule == .downloadExec }
    }

    @Test("Each entry's examples: what it makes a finding of is one, what it keeps from being one is not", arguments: entries.map(\.names))
    func examples(names: [String]) {
        let entry = Self.entries.first { $0.names == names }!
        #expect(entry.finding != nil || entry.noFinding != nil, "\(names) has no example")
        if let finding = entry.finding { #expect(!Self.findings(finding, kind: entry.exampleKind).isEmpty, "\(finding)") }
        if let noFinding = entry.noFinding {
            #expect(Self.findings(noFinding, kind: entry.exampleKind).isEmpty, "\(noFinding): \(Self.findings(noFinding, kind: entry.exampleKind).map(\.message))")
        }
    }

    @Test("Every name is listed once, and its role and analysis are what lookups answer")
    func lookups() {
        let names = Self.entries.flatMap(\.names)
        #expect(Set(names).count == names.count)
        for entry in Self.entries {
            for name in entry.names {
                #expect(ShellCommands.role(of: name) == entry.role, "\(name)")
                #expect(KnownCommands.table.value(for: name)?.analysis == entry.analysis, "\(name)")
            }
        }
    }

    @Test("The parser's skim never steps over a command with a role or an analysis; exit and return are kept as exits; a test only when it compares")
    func skim() {
        for entry in Self.entries where !(entry.role.isEmpty || entry.role == .blocksPipedData) || entry.analysis != nil {
            for name in entry.names {
                let verdict = DownloadExecAnalyzer.skimPolicy.verdict(Array(name.utf8)[...])
                let expected: SimpleCommand.Skim? = switch entry.analysis {
                case .exits?: .exits
                case .compares?: .passesInputOn
                default: nil
                }
                #expect(verdict == expected, "\(name): \(String(describing: verdict))")
            }
        }
        let policy = DownloadExecAnalyzer.skimPolicy
        #expect(policy.keepsCommand(.passesInputOn, Array("!=".utf8)[...], Array("[ \"$sum\" ".utf8)[...]))
        #expect(policy.keepsCommand(.passesInputOn, Array("=".utf8)[...], Array("test \"$a\" ".utf8)[...]))
        #expect(!policy.keepsCommand(.passesInputOn, Array("=".utf8)[...], Array("echo a ".utf8)[...]))
        #expect(DownloadExecAnalyzer.skimPolicy.verdict(Array("mkdir".utf8)[...]) == .passesInputOn)
        #expect(DownloadExecAnalyzer.skimPolicy.verdict(Array("wc".utf8)[...]) == .consumesInput)
    }

    @Test("A text that names any downloader, or a command with a scan word, is read: the download-word scan finds it")
    func scanWords() {
        for entry in Self.entries where entry.role.contains(.downloader) || entry.scanWord != nil {
            #expect(entry.scanWord != nil, "\(entry.names) has no scan word")
            for name in entry.names {
                #expect(DownloadWordScan.mentionsDownload(Array("x \(name) y".utf8)), "\(name)")
            }
        }
    }

    @Test("The drift review flags every line lint makes a finding of, with the same analysis")
    func reviewUsesLint() {
        for finding in Self.entries.filter({ $0.exampleKind == .shell }).compactMap(\.finding) {
            let risks = RiskScanner.scan(finding + "\n", lines: [1])
            #expect(risks.contains { $0.reason == "runs a new download without verifying it" }, "\(finding): \(risks.map(\.reason))")
        }
    }
}
