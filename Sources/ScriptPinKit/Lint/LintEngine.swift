/// The kinds of file `lint` reads, told apart by path and content.
public enum LintFileKind: String, Sendable {
    case shell
    case dockerfile
    case githubWorkflow
    case gitlabCI
    case makefile
    case markdown
    case powershell
    case jenkinsfile
    case travis
    case circleCI
    case azurePipelines
    case bitbucketPipelines
    case ansible
    case shellTemplate

    /// What a path alone says about a file.
    public enum PathVerdict: Sendable, Equatable {
        case kind(LintFileKind)
        /// Only a `#!` line can tell: a file whose `#!` names a shell is a
        /// shell script whatever its name; any other is not read.
        case needsShebang
        /// A YAML file that is read when its content is a playbook (a list of plays).
        case needsContent
    }

    /// Source and data files of other languages: a Dockerfile name with one of these is not a Dockerfile.
    static let nonScriptExtensions: Set<String> = [
        "swift", "py", "js", "mjs", "ts", "tsx", "jsx", "json", "txt", "go", "rs", "c", "h", "cc", "cpp", "hpp", "m",
        "java", "kt", "kts", "scala", "rb", "php", "cs", "css", "scss", "html", "xml", "svg", "png", "jpg", "jpeg",
        "gif", "ico", "pdf", "zip", "gz", "tgz", "xz", "bz2", "tar", "jar", "class", "o", "a", "so", "dylib", "lock",
        "toml", "ini", "cfg", "csv", "tsv", "sql", "proto", "pem", "crt", "key", "pin", "resolved", "rst", "adoc",
    ]

    public static func classify(path: String, includeDocs: Bool) -> PathVerdict {
        let name = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path[path.utf8.index(after: $0)...] }.map(String.init) ?? path
        let lower = name.lowercased()
        if isDockerfileName(lower) { return .kind(.dockerfile) }
        if lower == "makefile" || lower == "gnumakefile" || lower.hasSuffix(".mk") { return .kind(.makefile) }
        if lower == ".gitlab-ci.yml" || lower.hasSuffix(".gitlab-ci.yml") || lower.hasSuffix(".gitlab-ci.yaml") { return .kind(.gitlabCI) }
        if lower == "jenkinsfile" || lower.hasPrefix("jenkinsfile.") || lower.hasSuffix(".jenkinsfile") { return .kind(.jenkinsfile) }
        if lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") {
            if path.contains(".github/workflows/") || lower == "action.yml" || lower == "action.yaml" { return .kind(.githubWorkflow) }
            if lower == ".travis.yml" || lower == ".travis.yaml" { return .kind(.travis) }
            if path.contains(".circleci/") { return .kind(.circleCI) }
            if lower.hasPrefix("azure-pipelines") || path.contains(".azure-pipelines/") || path.contains(".azuredevops/") { return .kind(.azurePipelines) }
            if lower == "bitbucket-pipelines.yml" || lower == "bitbucket-pipelines.yaml" { return .kind(.bitbucketPipelines) }
            let components = path.split(separator: "/")
            if components.dropLast().contains(where: { $0 == "tasks" || $0 == "handlers" }) { return .kind(.ansible) }
            return .needsContent
        }
        if lower.hasSuffix(".ps1") { return .kind(.powershell) }
        if lower.hasSuffix(".md") || lower.hasSuffix(".markdown") { return includeDocs ? .kind(.markdown) : .needsShebang }
        if [".sh", ".bash", ".zsh", ".ksh", ".dash", ".bats"].contains(where: lower.hasSuffix) { return .kind(.shell) }
        if ShellTemplate.isTemplateName(lower) { return .kind(.shellTemplate) }
        // Any other file is a shell script when its `#!` line names a shell, whatever its name.
        return .needsShebang
    }

    /// `Dockerfile`, `Dockerfile.dev`, `Dockerfile-ubuntu-20.04`,
    /// `DockerfileAlpine`, `app.Dockerfile`, and the same for `Containerfile`;
    /// not a source file named after them (`dockerfile_test.go`).
    static func isDockerfileName(_ lower: String) -> Bool {
        for base in ["dockerfile", "containerfile"] {
            if lower.hasSuffix("." + base) { return true }
            guard lower.hasPrefix(base) else { continue }
            let rest = lower.dropFirst(base.count)
            if rest.isEmpty || rest.hasPrefix(".") || rest.hasPrefix("-") { return !isSourceFile(rest) }
            // `DockerfileAlpine`: a suffix of letters and digits only.
            if rest.first!.isLetter || rest.first!.isNumber, rest.allSatisfy({ $0.isLetter || $0.isNumber }) { return true }
        }
        return false
    }

    /// Whether a name's extension is a language or data format rather than a Dockerfile variant.
    private static func isSourceFile(_ rest: Substring) -> Bool {
        guard let dot = rest.lastIndex(of: ".") else { return false }
        let extensionText = String(rest[rest.index(after: dot)...])
        return nonScriptExtensions.contains(extensionText) || ["md", "yml", "yaml", "sh"].contains(extensionText)
    }

    /// The kind of `path`, or nil when lint does not read such files.
    public static func detect(path: String, bytes: [UInt8], includeDocs: Bool) -> LintFileKind? {
        switch classify(path: path, includeDocs: includeDocs) {
        case .kind(let kind): return kind
        case .needsShebang: return hasShellShebang(bytes) ? .shell : nil
        case .needsContent: return MoreCIFiles.isPlaybook(bytes) ? .ansible : hasShellShebang(bytes) ? .shell : nil
        }
    }

    static func hasShellShebang(_ bytes: some Collection<UInt8>) -> Bool {
        Shebang(bytes)?.namesShell(ShellCommands.shellFamily) ?? false
    }
}

/// A finding or a parse problem at a place in a file.
public struct LintDiagnostic: Sendable, Equatable {
    public enum Rule: String, Sendable, CaseIterable {
        case downloadExec = "download-exec"
        case parseError = "parse-error"
        /// Code lint recognised and could not read (another shell, a construct it does not model): a note, never skipped in silence.
        case notChecked = "not-checked"

        /// A note informs and fails nothing; the others are errors.
        public var isNote: Bool { self == .notChecked }
    }

    public let line: Int
    public let column: Int
    public let rule: Rule
    public let message: String
    public let url: String?
    /// The pin to add and the command to write, for findings.
    public var suggestion: PinSuggestion?
    /// How `lint --fix` rewrites the finding, or why it cannot; nil for parse problems.
    public var repair: LintRepair?

    /// The pinned form, for findings.
    public var fix: String? { suggestion?.text }
}

/// The `scriptpin add` and the pinned command lint suggests for a finding.
/// The name is settled once the whole run is read, so that two URLs never share one.
public struct PinSuggestion: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// `scriptpin run NAME`, then ` -- ARGUMENTS` when there are any.
        case run(arguments: String?)
        case fetch(path: String?)
    }

    public var name: String
    /// The manifest pins the URL already: only the command is suggested.
    public var isPinned = false
    /// The URL as written, to settle the name by; nil when it is not written out.
    public let url: String?
    /// The URL as printed, a token in its query redacted.
    let shownURL: String?
    let form: Form

    public var text: String {
        let pinned: String
        switch form {
        case .run(let arguments?): pinned = "scriptpin run \(name) -- \(arguments)"
        case .run(nil): pinned = "scriptpin run \(name)"
        case .fetch(let path?): pinned = "scriptpin fetch \(name) -o \(path)"
        case .fetch(nil): pinned = "scriptpin fetch \(name) in place of the download, piped on as before"
        }
        return isPinned ? "it is pinned as \(name): \(pinned)" : "scriptpin add \(name) \(shownURL ?? "URL"), then \(pinned)"
    }
}

/// A `scriptpin` command found in code: its position and its arguments,
/// nil where a word is not written out (`scriptpin run "$tool"`).
public struct PinReference: Sendable, Equatable {
    public let line: Int
    public let column: Int
    public let arguments: [String?]
    /// Where each argument stands in the file, as bytes, when the file's
    /// bytes there are the argument's text (not escaped in a quoted scalar),
    /// so that `rename` can rewrite it; nil otherwise.
    public var argumentRanges: [Range<Int>?] = []
}

/// What `lint --fix` can do with one finding.
public enum LintRepair: Sendable, Equatable {
    case rewrite(LintRewrite)
    /// Left alone, for this reason.
    case manual(String)
}

/// A finding's rewrite, in byte offsets of the file. The kept parts are the
/// file's own bytes, so they stay valid in whatever quoting surrounds them
/// (a YAML scalar, a Makefile recipe's `$$`).
public struct LintRewrite: Sendable, Equatable {
    public enum Form: Sendable, Equatable {
        /// `PREFIX scriptpin run NAME [--interpreter INTERPRETER] [-- ARGUMENTS]`
        case run(prefix: String, interpreter: String, interpreterName: String, arguments: String?)
        /// `PREFIX scriptpin fetch NAME -o PATH`, or `PREFIX scriptpin fetch NAME` in a pipe
        case fetch(prefix: String, path: String?)
    }

    public let range: Range<Int>
    public let form: Form
    /// The URL to pin, exactly as written (the diagnostic's own is redacted).
    public let url: String
    /// In a Dockerfile, where the line of the instruction that downloads starts, so that an `ADD` can go before it.
    public var instructionStart: Int?
}

/// Reads one file of a known kind and returns what it found.
public enum LintEngine {
    /// `parsesEverything` parses code that names no downloader too, as `lint
    /// --fix` does to check that a rewritten file still parses.
    public static func lint(_ bytes: [UInt8], kind: LintFileKind, parsesEverything: Bool = false) -> [LintDiagnostic] {
        guard parsesEverything || DownloadWordScan.mentionsDownload(bytes) else { return [] }
        var collector = Collector(bytes: bytes, parsesEverything: parsesEverything)
        read(bytes, kind: kind, into: &collector)
        // A template's script read for each job that extends it reports its findings once.
        var seen: Set<[Int]> = []
        return collector.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
            .filter { seen.insert([$0.line, $0.column, $0.rule == .parseError ? 1 : 0]).inserted }
    }

    static let pinnedCommandName = Array("scriptpin".utf8)

    /// Every `scriptpin …` command in the file's code (not in its comments
    /// or text), where its name stands and with its arguments, for `verify`.
    public static func pinReferences(in bytes: [UInt8], kind: LintFileKind) -> [PinReference] {
        let named = bytes.withUnsafeBytes { firstOffset(of: pinnedCommandName, in: $0) != nil }
        guard named else { return [] }
        var collector = Collector(bytes: bytes, parsesEverything: true)
        read(bytes, kind: kind, into: &collector)
        var seen: Set<[Int]> = []
        return collector.references.sorted { ($0.line, $0.column) < ($1.line, $1.column) }.filter { seen.insert([$0.line, $0.column]).inserted }
    }

    private static func read(_ bytes: [UInt8], kind: LintFileKind, into collector: inout Collector) {
        switch kind {
        case .shell:
            script(collector.wholeFile(), into: &collector)
        case .shellTemplate:
            switch ShellTemplate.mask(bytes) {
            case .failure(let unclosed):
                let position = collector.wholeFile().position(of: unclosed.offset)
                collector.notChecked(line: position.line, column: position.column, "this template directive is never closed, so lint cannot step over it; the file was not checked")
            case .success(let masked):
                script(collector.sameLines(as: masked), into: &collector)
            }
        case .powershell:
            var state = DownloadFlowState()
            collector.powershell(collector.wholeFile(), state: &state)
        case .dockerfile:
            Dockerfile.lint(bytes, into: &collector)
        case .githubWorkflow:
            CIFiles.lintGitHub(bytes, into: &collector)
        case .gitlabCI:
            CIFiles.lintGitLab(bytes, into: &collector)
        case .makefile:
            Makefile.lint(bytes, into: &collector)
        case .markdown:
            Markdown.lint(bytes, into: &collector)
        case .jenkinsfile:
            Jenkinsfile.lint(bytes, into: &collector)
        case .travis:
            MoreCIFiles.lintTravis(bytes, into: &collector)
        case .circleCI:
            MoreCIFiles.lintCircleCI(bytes, into: &collector)
        case .azurePipelines:
            MoreCIFiles.lintAzure(bytes, into: &collector)
        case .bitbucketPipelines:
            MoreCIFiles.lintBitbucket(bytes, into: &collector)
        case .ansible:
            MoreCIFiles.lintAnsible(bytes, into: &collector)
        }
    }

    /// A whole file of shell, read as its `#!` line says: its dialect, and `-e` there.
    private static func script(_ text: MappedText, into collector: inout Collector) {
        let shebang = Shebang(text.bytes)
        var state = DownloadFlowState(errexit: shebang?.enablesErrexit ?? false, dialect: dialect(of: shebang))
        collector.shell(text, state: &state, failsClosed: false, wholeFile: true)
    }

    /// Shells that read `((…))` as arithmetic, as bash does.
    private static let bashLikeShells: Set<String> = ["bash", "ksh", "mksh"]

    /// The dialect of a shell named on a CI step (`bash`, `/bin/zsh`).
    static func dialect(ofShell name: String) -> ShellDialect {
        let program = baseName(name)
        if program == "zsh" { return .zsh }
        return bashLikeShells.contains(program) ? .bash : .posix
    }

    /// bash, zsh and ksh scripts read `((…))` as arithmetic; `sh` and a file
    /// without a `#!` line are read as POSIX sh, the stricter reading for lint.
    static func dialect(of shebang: Shebang?) -> ShellDialect {
        if shebang?.namesShell(["zsh"]) == true { return .zsh }
        return shebang?.namesShell(bashLikeShells) == true ? .bash : .posix
    }

    /// Gathers diagnostics, turning offsets in extracted text into file positions.
    struct Collector {
        let bytes: [UInt8]
        var diagnostics: [LintDiagnostic] = []
        var references: [PinReference] = []
        /// Every unit analysed so far, by number, so that a rewrite can be placed in the unit it belongs to.
        private var units: [MappedText] = []
        /// The line of the Dockerfile instruction each unit belongs to.
        private var unitInstructions: [Int?] = []
        /// The line of the Dockerfile instruction being read, set by the Dockerfile reader.
        var instructionLine: Int?
        private lazy var lineStarts: [Int] = SourceLines.starts(of: bytes)

        let parsesEverything: Bool

        init(bytes: [UInt8], parsesEverything: Bool = false) {
            self.bytes = bytes
            self.parsesEverything = parsesEverything
        }

        /// The whole file as one unit, mapped with the line starts the collector keeps anyway.
        mutating func wholeFile() -> MappedText {
            MappedText(file: bytes, lineStarts: lineStarts)
        }

        /// Bytes of the file's length and line breaks (a masked template), mapped as the file.
        mutating func sameLines(as masked: [UInt8]) -> MappedText {
            MappedText(file: masked, lineStarts: lineStarts)
        }

        /// `wholeFile` says the text is the file already scanned by `lint`.
        mutating func shell(_ text: MappedText, state: inout DownloadFlowState, failsClosed: Bool, wholeFile: Bool = false) {
            // A unit (a RUN, a step, a recipe line) that names no downloader cannot
            // download, and with nothing downloaded before it, it cannot run a download.
            if !parsesEverything && !wholeFile && state.workspace.downloads.isEmpty && !DownloadWordScan.mentionsDownload(text.bytes) { return }
            switch ShellParser.parse(text.bytes, dialect: state.dialect, skimming: DownloadExecAnalyzer.skimPolicy, functions: Set(state.shell.functions.keys)) {
            case .failure(let error):
                let position = text.position(of: error.offset)
                problem(line: position.line, column: position.column, "cannot parse this shell code: \(error.message); it was not checked")
            case .success(let list):
                state.unit = units.count
                units.append(text)
                unitInstructions.append(instructionLine)
                let knownInvocations = state.workspace.pinInvocations.count
                for finding in DownloadExecAnalyzer.analyze(list, state: &state, unitFailsClosed: failsClosed) {
                    let position = text.position(of: finding.offset)
                    add(line: position.line, column: position.column, finding: finding, repair: repair(finding, in: text), writtenArguments: writtenArguments(of: finding, in: text))
                }
                for invocation in state.workspace.pinInvocations.dropFirst(knownInvocations) {
                    let position = text.position(of: invocation.offset)
                    let ranges = zip(invocation.arguments, invocation.argumentRanges).map { argument, range -> Range<Int>? in
                        guard let argument, let placed = place(range, in: text) else { return nil }
                        return Self.literalRange(argument, in: bytes[placed])
                    }
                    references.append(PinReference(line: position.line, column: position.column, arguments: invocation.arguments, argumentRanges: ranges))
                }
            }
        }

        /// The finding's plan placed in the file; manual when the file's bytes
        /// there are not the analysed text (escapes in a quoted scalar).
        private mutating func repair(_ finding: DownloadExecFinding, in text: MappedText) -> LintRepair {
            let unsafe = LintRepair.manual("the code's quoting in this file is too involved to rewrite safely")
            switch finding.fix {
            case .manual(let reason):
                return .manual(reason)
            case .run(let range, let prefix, let interpreter, let name, let arguments):
                guard let url = finding.url, let fileRange = place(range, in: text), let interpreterBytes = slice(interpreter, in: text),
                      interpreterBytes == Array(text.bytes[interpreter]), bytes[fileRange].firstOffset(of: Array(url.utf8)) != nil
                else { return unsafe }
                let prefixText = prefix.flatMap { slice($0, in: text) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
                let argumentText = arguments.flatMap { slice($0, in: text) }.map { String(decoding: $0, as: UTF8.self) }
                return .rewrite(LintRewrite(
                    range: fileRange,
                    form: .run(prefix: prefixText, interpreter: String(decoding: interpreterBytes, as: UTF8.self), interpreterName: name, arguments: argumentText),
                    url: url, instructionStart: lineStart(instructionLine)))
            case .fetch(let unit, let range, let prefix, let path):
                guard units.indices.contains(unit) else { return unsafe }
                let home = units[unit]
                guard let fileRange = place(range, in: home), let url = finding.url,
                      bytes[fileRange].firstOffset(of: Array(url.utf8)) != nil,
                      path?.utf8.allSatisfy(ShellQuoting.isPlainWordByte) ?? true
                else { return unsafe }
                let prefixText = prefix.flatMap { slice($0, in: home) }.map { String(decoding: $0, as: UTF8.self) } ?? ""
                return .rewrite(LintRewrite(
                    range: fileRange, form: .fetch(prefix: prefixText, path: path), url: url,
                    instructionStart: lineStart(unitInstructions[unit])))
            }
        }

        /// Where `literal` stands in `word`, the file's bytes of a word: all of
        /// them, or all but the quotes of a word quoted whole (`'name'`, `"name"`).
        private static func literalRange(_ literal: String, in word: ArraySlice<UInt8>) -> Range<Int>? {
            if word.elementsEqual(literal.utf8) { return word.indices }
            guard word.count == literal.utf8.count + 2, let first = word.first, first == word.last,
                  first == UInt8(ascii: "'") || first == UInt8(ascii: "\""), word.dropFirst().dropLast().elementsEqual(literal.utf8)
            else { return nil }
            return (word.startIndex + 1)..<(word.endIndex - 1)
        }

        private mutating func lineStart(_ line: Int?) -> Int? {
            guard let line, line >= 1, line <= lineStarts.count else { return nil }
            return lineStarts[line - 1]
        }

        /// The file bytes a range of the analysed text stands on.
        private mutating func slice(_ range: Range<Int>, in text: MappedText) -> [UInt8]? {
            place(range, in: text).map { Array(bytes[$0]) }
        }

        /// A range of the analysed text as a range of the file.
        private mutating func place(_ range: Range<Int>, in text: MappedText) -> Range<Int>? {
            guard !range.isEmpty, range.upperBound <= text.bytes.count else { return nil }
            let first = text.position(of: range.lowerBound)
            let last = text.position(of: range.upperBound - 1)
            guard first.line >= 1, last.line <= lineStarts.count else { return nil }
            let start = lineStarts[first.line - 1] + first.column - 1
            let end = lineStarts[last.line - 1] + last.column
            guard start < end, end <= bytes.count else { return nil }
            return start..<end
        }

        mutating func powershell(_ text: MappedText, state: inout DownloadFlowState) {
            for finding in PowerShellScanner.scan(text.bytes, state: &state) {
                let position = text.position(of: finding.offset)
                add(line: position.line, column: position.column, finding: finding, repair: .manual(FixPlan.powerShell))
            }
        }

        mutating func problem(line: Int, column: Int, _ message: String) {
            diagnostics.append(LintDiagnostic(line: line, column: column, rule: .parseError, message: message, url: nil))
        }

        mutating func notChecked(line: Int, column: Int, _ message: String) {
            diagnostics.append(LintDiagnostic(line: line, column: column, rule: .notChecked, message: message, url: nil))
        }

        /// The script's arguments as the source writes them (quotes and substitutions kept), where the plan knows where they stand.
        private mutating func writtenArguments(of finding: DownloadExecFinding, in text: MappedText) -> String? {
            // Arguments continued over lines are shown as the analysis read them, on one line.
            guard case .run(_, _, _, _, let arguments?) = finding.fix, let written = slice(arguments, in: text), !written.contains(UInt8(ascii: "\n"))
            else { return nil }
            return String(decoding: written, as: UTF8.self)
        }

        private mutating func add(line: Int, column: Int, finding: DownloadExecFinding, repair: LintRepair, writtenArguments: String? = nil) {
            let name = finding.url.map(PinNaming.proposedName(forURL:)) ?? "NAME"
            // A token in a committed URL's query is already a leak; lint does not repeat it into CI logs.
            let redacted = finding.url.map(ScriptURL.redact)
            let message = finding.url.flatMap { url in redacted == url ? nil : finding.message.replacingAll(url, redacted!) } ?? finding.message
            let form: PinSuggestion.Form
            switch finding.fix {
            case .fetch(_, _, _, let path): form = .fetch(path: path)
            default: form = .run(arguments: writtenArguments ?? (finding.arguments.isEmpty ? nil : finding.arguments.joined(separator: " ")))
            }
            let suggestion = PinSuggestion(name: name, url: finding.url, shownURL: redacted, form: form)
            diagnostics.append(LintDiagnostic(line: line, column: column, rule: .downloadExec, message: message, url: redacted, suggestion: suggestion, repair: repair))
        }
    }
}
