/// One added line that looks like the Codecov backdoor or one of its cousins.
public struct Risk: Sendable, Equatable, Codable {
    /// 1-based line number in the new body.
    public let line: Int
    public let text: String
    public let reason: String
}

/// Points the reviewer at the added lines worth reading first. A hint only:
/// it never changes an exit code, because a pattern list cannot prove a script safe.
public enum RiskScanner {
    /// Which rules apply: shell shapes mean nothing in a Python installer, and Python's are other shapes.
    enum Language {
        case shell
        case python

        /// Python when the `#!` line names it; shell otherwise, the reading lint gives a script too.
        init(of body: String) {
            let first = body.prefix { $0 != "\n" }
            self = first.hasPrefix("#!") && first.contains("python") ? .python : .shell
        }
    }

    private struct Rule {
        enum Matcher {
            case pattern(Regex<AnyRegexOutput>)
            /// Lint's own analysis: every shape of download-and-execute it knows, on this line.
            case downloadExecution
        }

        let reason: String
        let matcher: Matcher
        let languages: Set<Language>

        init(reason: String, pattern: Regex<AnyRegexOutput>, languages: Set<Language> = [.shell]) {
            self.reason = reason
            matcher = .pattern(pattern)
            self.languages = languages
        }

        init(reason: String, matcher: Matcher) {
            self.reason = reason
            self.matcher = matcher
            languages = [.shell]
        }

        func matches(_ line: Substring) -> Bool {
            switch matcher {
            case .pattern(let pattern):
                return line.contains(pattern)
            case .downloadExecution:
                return LintEngine.lint(Array(line.utf8), kind: .shell).contains { $0.rule == .downloadExec }
            }
        }
    }

    nonisolated(unsafe) private static let rules: [Rule] = [
        Rule(reason: "sends data out (curl upload)",
             pattern: try! Regex(#"\bcurl\b.*(\s-[a-zA-Z]*[dFT]|--data|--form|--upload-file)"#)),
        Rule(reason: "sends data out (wget post)", pattern: try! Regex(#"\bwget\b.*--post-(data|file)"#)),
        Rule(reason: "opens a raw network connection", pattern: try! Regex(#"(^|[\s|;&(])(nc|ncat|netcat|socat|telnet)\s"#)),
        Rule(reason: "opens a raw network connection", pattern: try! Regex(#"/dev/(tcp|udp)/"#)),
        Rule(reason: "reads the whole environment",
             pattern: try! Regex(#"\$\(\s*(env|printenv|set|export -p)\s*\)|`\s*(env|printenv)\s*`|(^|[\s|;&(])(env|printenv)\s*($|[|>;&)])|(^|[\s;&])set\s*\|"#)),
        Rule(reason: "reads credentials",
             pattern: try! Regex(#"~/\.(aws|ssh|netrc|docker|kube|gnupg|npmrc|pypirc)|\$HOME/\.(aws|ssh|netrc|docker|kube|gnupg|npmrc|pypirc)|\.git/config|git\s+remote\s+-v|git\s+config\s+.*credential|/proc/[^/\s]+/environ"#),
             languages: [.shell, .python]),
        Rule(reason: "talks to a host given as an IP address",
             pattern: try! Regex(#"(https?://|@|\s)(\d{1,3}\.){3}\d{1,3}(:\d+)?(/|\s|$|"|')"#), languages: [.shell, .python]),
        Rule(reason: "sends data out (HTTP POST)",
             pattern: try! Regex(#"requests\.(post|put|patch)\(|urlopen\(.*data\s*=|Request\(.*data\s*=|\.request\(\s*["'](POST|PUT)"#), languages: [.python]),
        Rule(reason: "reads the whole environment",
             pattern: try! Regex(#"os\.environ\s*(\)|,|$|\.copy\(|\.items\(|\.keys\()|(dict|str|repr)\(\s*os\.environ\s*\)|os\.environb\b"#), languages: [.python]),
        Rule(reason: "decodes data and executes it",
             pattern: try! Regex(#"\b(exec|eval)\(.*(b64decode|base64|decompress|codecs\.decode|fromhex)"#), languages: [.python]),
        Rule(reason: "evaluates a constructed string", pattern: try! Regex(#"(^|[^\w.])(exec|eval)\("#), languages: [.python]),
        Rule(reason: "opens a raw network connection", pattern: try! Regex(#"socket\.(socket|create_connection)\("#), languages: [.python]),
        Rule(reason: "decodes data and executes it",
             pattern: try! Regex(#"(base64\s+(-d|--decode)|xxd\s+-r|openssl\s+(enc\s+)?-d|gunzip|zcat).*\|\s*(ba|z|da|k)?sh\b"#)),
        Rule(reason: "evaluates a constructed string", pattern: try! Regex(#"(^|[\s;&|(])eval\s"#)),
        Rule(reason: "runs a new download without verifying it", matcher: .downloadExecution),
        Rule(reason: "gains root with sudo", pattern: try! Regex(#"(^|[\s;&|(])sudo\s"#)),
    ]

    /// The reason given for a line with terminal controls in it.
    public static let hidingControlsReason = "control characters that can hide text on a terminal"

    /// Scans the given lines of `body` (1-based numbers), reporting each line once per reason.
    public static func scan(_ body: String, lines numbers: [Int]) -> [Risk] {
        let lines = UnifiedDiff.lines(body)
        let language = Language(of: body)
        var risks: [Risk] = []
        for number in numbers where number >= 1 && number <= lines.count {
            let line = lines[number - 1]
            var reasons: [String] = []
            // Checked before the comment test: a comment can erase the lines above it.
            if VisibleText.containsHidingControls(line) { reasons.append(hidingControlsReason) }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if !trimmed.hasPrefix("#") {
                for rule in rules where rule.languages.contains(language) && !reasons.contains(rule.reason) && rule.matches(line) {
                    reasons.append(rule.reason)
                }
            }
            risks += reasons.map { Risk(line: number, text: String(line), reason: $0) }
        }
        return risks
    }

    /// Every line of a body that has no approved copy to compare with.
    public static func scanAll(_ body: String) -> [Risk] {
        scan(body, lines: Array(1...max(1, UnifiedDiff.lines(body).count)))
    }
}
