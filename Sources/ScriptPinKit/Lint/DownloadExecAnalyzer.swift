/// Verifications earlier in the current `&&` chain: a failure there stops the rest.
struct VerificationChain {
    var passed = Checks()
    /// Checks in a negated pipeline (`! sha256sum -c …`): what follows runs when they failed.
    var failed = Checks()
}

/// Where a command stands, for what its failure stops.
struct WalkContext {
    /// `set -e` does not stop the script when a command here fails: an
    /// `if`/`while`/`until` condition, a negated pipeline, or any pipeline
    /// of an and-or list but the last.
    var errexitIgnored = false
    /// Followed by `|| exit` or `|| return`: a failure here stops what follows.
    var stopsOnFailure = false
    /// What a group reads on stdin: a download piped into `{ …; }`, `( … )`, an `if` or a loop.
    var standardInput: Download?
}

/// Finds downloads whose bytes reach an interpreter: through pipes, process
/// and command substitution, `sh -c` strings, heredocs, and files that a
/// download wrote and a later command runs.
public struct DownloadExecAnalyzer {
    private var state: DownloadFlowState
    private var findings: [DownloadExecFinding] = []
    private let depth: Int
    /// Bound on `sh -c '…'` strings analysed inside each other.
    private static let maximumNestedScripts = 8

    public init(state: DownloadFlowState, depth: Int = 0) {
        self.state = state
        self.depth = depth
    }

    /// Analyses a whole unit (a script, a `RUN`, a CI step). When the unit as a
    /// whole fails closed (a Dockerfile `RUN`, a Make recipe line without `-`,
    /// a CI step), verifications that decide its exit status protect later units.
    public static func analyze(_ list: ShellList, state: inout DownloadFlowState, unitFailsClosed: Bool) -> [DownloadExecFinding] {
        var analyzer = DownloadExecAnalyzer(state: state)
        let lastChain = analyzer.walk(list)
        if unitFailsClosed { analyzer.state.shell.verified.formUnion(lastChain.passed) }
        state = analyzer.state
        return analyzer.findings
    }

    /// Walks a list and returns the verifications of its last `&&` chain.
    /// `inherited` holds checks that passed for the list to run at all (an
    /// `if` body after its condition).
    @discardableResult
    private mutating func walk(_ list: ShellList, context: WalkContext = WalkContext(), inherited: VerificationChain = VerificationChain()) -> VerificationChain {
        var chain = inherited
        for item in list.items {
            chain = inherited
            // A list of commands the parser stepped over changes nothing, unless a group's input reaches it.
            if context.standardInput == nil, item.pipelines.allSatisfy({ $0.commands.allSatisfy(\.isSkimmed) }) { continue }
            for (position, pipeline) in item.pipelines.enumerated() {
                // After `||` the right side runs exactly when the left failed: nothing it checked holds.
                if position > 0, item.operators[position - 1] == .or { chain = inherited }
                // `! check && exit`, `[ "$sum" != "$want" ] && exit 1`: past this list, what failed to fail passed.
                if position > 0, item.operators[position - 1] == .and, Self.exits(pipeline) { state.shell.verified.formUnion(chain.failed) }
                var inner = context
                inner.errexitIgnored = context.errexitIgnored || pipeline.negated || position < item.pipelines.count - 1
                inner.stopsOnFailure = position < item.operators.count && item.operators[position] == .or
                    && Self.exits(item.pipelines[position + 1])
                var pipelineChain = pipeline.negated ? VerificationChain() : chain
                var piped = context.standardInput
                for (index, command) in pipeline.commands.enumerated() {
                    if index > 0 { inner.standardInput = nil }
                    // Each command of a pipeline runs in a subshell: the options and functions it sets end with it.
                    let (errexit, functions) = (state.shell.errexit, state.shell.functions)
                    piped = walk(command, piped: index == 0 ? context.standardInput : piped, chain: &pipelineChain, context: inner)
                    if pipeline.commands.count > 1 { (state.shell.errexit, state.shell.functions) = (errexit, functions) }
                }
                if pipeline.negated {
                    chain.failed.formUnion(pipelineChain.passed)
                } else {
                    chain = pipelineChain
                }
            }
        }
        return chain
    }

    /// One command of a pipeline: a simple command, or a group that reads what is piped in.
    private mutating func walk(_ command: ShellCommand, piped: Download?, chain: inout VerificationChain, context: WalkContext) -> Download? {
        switch command {
        case .simple(let simple):
            return walk(simple, piped: piped, chain: &chain, context: context)
        case .compound(let list, let redirections):
            var inner = context
            inner.standardInput = input(of: redirections) ?? piped
            let last = walk(list, context: inner, inherited: chain)
            // The group's status is its last command's: its checks act as one check here.
            passedChecks(last.passed, chain: &chain, context: context)
            return nil
        case .subshell(let list, let redirections):
            var inner = context
            inner.standardInput = input(of: redirections) ?? piped
            let parent = state.shell
            let last = walk(list, context: inner, inherited: chain)
            // What stopped the subshell, or decided its status, stops this shell only where its failure does.
            let status = state.shell.verified.union(last.passed)
            state.shell = parent
            passedChecks(status, chain: &chain, context: context)
            return nil
        case .conditional(let conditional):
            walk(conditional, piped: input(of: conditional.redirections) ?? piped, chain: chain, context: context)
            return nil
        case .function(let name, let body):
            state.shell.functions[name] = interpreterReadingStandardInput(in: body)
            // The body is read where it is defined, so its findings do not depend
            // on the call; what it sets happens only when it is called.
            let parent = state.shell
            _ = walk(body, piped: nil, chain: &chain, context: WalkContext())
            state.shell = parent
            return nil
        }
    }

    /// `if`, `while`, `until`: conditions do not stop the script under `set -e`; a
    /// body runs after its condition passed, so a check there covers it; and
    /// `if ! check; then exit; fi` stops what follows when the check fails.
    private mutating func walk(_ conditional: ConditionalCommand, piped: Download?, chain: VerificationChain, context: WalkContext) {
        var conditionContext = context
        conditionContext.errexitIgnored = true
        conditionContext.stopsOnFailure = false
        conditionContext.standardInput = piped
        var bodyContext = context
        bodyContext.standardInput = piped
        for clause in conditional.clauses {
            let passed = walk(clause.condition, context: conditionContext, inherited: chain)
            let bodyChain = conditional.kind == .untilLoop ? chain : passed
            walk(clause.body, context: bodyContext, inherited: bodyChain)
            if conditional.kind == .ifClause, Self.exits(clause.body) {
                // Past this `if`, the negated checks in its condition passed.
                state.shell.verified.formUnion(passed.failed)
            }
        }
        if let elseBody = conditional.elseBody { walk(elseBody, context: bodyContext, inherited: chain) }
    }

    /// What a group's own redirections feed it: a download through `< <(curl …)` or a downloaded file.
    private func input(of redirections: [Redirection]) -> Download? {
        for redirection in redirections where redirection.operation == .input {
            guard let target = redirection.target else { continue }
            if let download = target.substitutions.filter(\.isProcess).flatMap({ outputDownloads(of: $0.0) }).first { return download }
            if let path = target.literal, let download = state.unverifiedDownload(at: path) { return download }
        }
        return nil
    }

    /// Whether a pipeline or list ends the script (or function) at once: `exit`, `return`, or a group doing so.
    private static func exits(_ pipeline: Pipeline) -> Bool {
        guard pipeline.commands.count == 1 else { return false }
        switch pipeline.commands[0] {
        case .simple(let simple):
            return simple.skimmed == .exits || simple.words.first.flatMap(\.literal).map { KnownCommands.table.value(for: $0)?.analysis == .exits } ?? false
        case .compound(let list, _):
            return exits(list)
        default:
            return false
        }
    }

    private static func exits(_ list: ShellList) -> Bool {
        list.items.contains { item in item.pipelines.count == 1 && exits(item.pipelines[0]) }
    }

    /// The interpreter that the first command of some pipeline in `list`
    /// is, reading the list's stdin (no script, no code, no input
    /// redirection): piping into such a group or function runs what is piped.
    private func interpreterReadingStandardInput(in list: ShellList) -> String? {
        for item in list.items {
            for pipeline in item.pipelines {
                if let first = pipeline.commands.first, let name = interpreterReadingStandardInput(in: first) { return name }
            }
        }
        return nil
    }

    private func interpreterReadingStandardInput(in command: ShellCommand) -> String? {
        switch command {
        case .simple(let simple):
            guard let invocation = Invocation(simple.words), invocation.role.contains(.interpreter),
                  !simple.redirections.contains(where: { $0.operation == .input || $0.operation == .hereString || $0.hereDocument != nil })
            else { return nil }
            let call = InterpreterCall(invocation.arguments, shellFamily: invocation.role.contains(.shell), name: invocation.name)
            return call.code == nil && call.script == nil ? invocation.name : nil
        case .compound(let inner, _), .subshell(let inner, _):
            return interpreterReadingStandardInput(in: inner)
        case .conditional(let conditional):
            return interpreterReadingStandardInput(in: conditional.allParts)
        case .function:
            return nil
        }
    }

    /// Analyses one simple command; returns what flows out of its stdout when that is a download.
    private mutating func walk(_ simple: SimpleCommand, piped: Download?, chain: inout VerificationChain, context: WalkContext) -> Download? {
        // A command the parser stepped over is a filter at most: what is piped in flows on, or ends there.
        if let skim = simple.skimmed {
            guard skim != .consumesInput, var passed = piped else { return nil }
            passed.throughFilters = true
            return passed
        }
        for word in simple.assignments where word.literal == nil { walkSubstitutions(in: word) }
        if !simple.assignments.isEmpty {
            recordCodeStrings(simple.assignments)
            recordDigestVariables(simple.assignments)
        }
        for redirection in simple.redirections {
            if let target = redirection.target, target.literal == nil { walkSubstitutions(in: target) }
        }
        // A command word built by substitution (`$(…)`, `((…))`) runs that code first, whatever it names.
        if let first = simple.words.first, first.literal == nil { walkSubstitutions(in: first) }
        // Most commands (`echo`, `mkdir`, `cp`) are of no kind the analysis follows: one lookup, and on.
        if piped == nil, let first = simple.words.first?.literal, isInert(first, simple.words) {
            for word in simple.words.dropFirst() where word.literal == nil { walkSubstitutions(in: word) }
            return nil
        }
        guard let invocation = Invocation(simple.words) else { return nil }
        let name = invocation.name
        let role = invocation.role
        let analysis = KnownCommands.table.value(for: name)?.analysis
        if role.contains(.verifier), ShellCommands.isVerification(name: name, arguments: invocation.arguments) {
            passedChecks(state.checks(naming: invocation.arguments.compactMap(\.literal)), chain: &chain, context: context)
            return nil
        }
        // `scriptpin run` is the pinned form; `verify` checks that its pin exists.
        if analysis == .pinned {
            state.workspace.pinInvocations.append(PinInvocation(
                offset: invocation.offset, arguments: invocation.arguments.map(\.literal), argumentRanges: invocation.arguments.map { $0.offset..<$0.end }))
            return nil
        }
        let runsItsArguments = role.contains(.interpreter) || analysis == .evaluates || analysis == .sources
        if !runsItsArguments {
            for word in invocation.arguments where word.literal == nil { walkSubstitutions(in: word) }
        }
        let stdoutFile = redirectedStdout(simple.redirections)

        if analysis == .setsOptions {
            for text in invocation.arguments.compactMap(\.literal) {
                if (text.hasPrefix("-") && !text.hasPrefix("--") && text.contains("e")) || text == "errexit" { state.shell.errexit = true }
                if text.hasPrefix("+") && text.contains("e") { state.shell.errexit = false }
            }
            if invocation.arguments.compactMap(\.literal) == ["+o", "errexit"] { state.shell.errexit = false }
            return nil
        }
        if role.contains(.downloader), let call = ShellCommands.download(name: name, arguments: invocation.arguments, offset: invocation.offset) {
            var download = call.download
            download.command = simple.offset..<simple.end
            download.prefix = simple.offset < invocation.nameWord.offset ? simple.offset..<invocation.nameWord.offset : nil
            download.unit = state.unit
            download.launcher = invocation.launcher
            switch call.output {
            case .standardOutput:
                if let stdoutFile {
                    download.savedPath = stdoutFile
                    state.record(stdoutFile, download)
                    return nil
                }
                return download
            case .file(let path):
                download.savedPath = path
                state.record(path, download)
                return nil
            }
        }
        if analysis == .tee, var piped {
            piped.savedPath = nil
            for word in invocation.arguments {
                if let path = word.literal, !path.hasPrefix("-") { state.record(path, piped) }
                // `tee >(sh)`: the process substitution reads the same bytes.
                for (list, isProcess) in word.substitutions where isProcess {
                    if let interpreter = interpreterReadingStandardInput(in: list) {
                        report(offset: piped.offset, "\(piped.described) is piped through tee into \(interpreter)", download: piped, fix: .manual(FixPlan.filtered))
                    }
                }
            }
            piped.throughFilters = true
            return piped
        }
        if analysis == .runsRemoteModule, let run = invocation.arguments.first?.literal, run == "run",
           let remote = invocation.arguments.dropFirst().first(where: { ($0.literal ?? "").contains("://") }) {
            let url = remote.literal
            report(offset: invocation.offset, "deno run executes \(url ?? "a remote module") without a pin", url: url, arguments: [])
            return nil
        }
        if analysis == .changesDirectory {
            state.changeDirectory(to: invocation.arguments.first { !($0.literal ?? "-").hasPrefix("-") }?.literal)
            return nil
        }
        if analysis == .compares {
            for word in invocation.arguments where word.literal == nil { walkSubstitutions(in: word) }
            // A comparison of a file's digest is a check of that file: `=` passes when it matches, `!=` when it does not.
            // It names the very file compared, so it covers that download and no other.
            if let (file, matches) = digestComparison(invocation.arguments), let download = state.download(at: file) {
                let checks = Checks(downloads: [download.sequence])
                if matches { passedChecks(checks, chain: &chain, context: context) } else { chain.failed.formUnion(checks) }
            }
            return nil
        }
        if analysis == .evaluates {
            for word in invocation.arguments {
                if let stored = storedCode(word) {
                    _ = analyseNestedShell(stored.bytes, at: stored.offset, dialect: state.dialect, chain: chain, context: "(in the string \(stored.name) holds, which eval runs)")
                    continue
                }
                for download in downloads(in: word) {
                    report(offset: download.offset, "\(download.described) is run by eval", download: download, fix: .manual(FixPlan.currentShell))
                }
                walkSubstitutions(in: word)
            }
            return nil
        }
        if analysis == .sources {
            if let script = invocation.arguments.first {
                checkScriptOperand(
                    script, runner: name, invocation: invocation, simple: simple, scriptIndex: 0, chain: chain,
                    arguments: invocation.arguments.dropFirst().map { $0.literal ?? $0.text })
            }
            return nil
        }
        if role.contains(.interpreter) {
            if let status = interpret(invocation, simple: simple, piped: piped, chain: chain) { passedChecks(status, chain: &chain, context: context) }
            return nil
        }
        if let piped, let interpreter = state.shell.functions[name] {
            report(offset: piped.offset, "\(piped.described) is piped into \(name), a function that runs its input with \(interpreter)",
                   download: piped, fix: .manual(FixPlan.unknownForm))
            return nil
        }
        if analysis == .unpacks, let extraction = ArchiveExtraction(name: name, arguments: invocation.arguments) {
            if extraction.toStandardOutput {
                // `tar -xzO`, `unzip -p`: the archive's files flow on, as from any filter.
                if let archive = extraction.archive, !extraction.readsStandardInput { return unverifiedDownload(at: archive, chain: chain) }
                guard var passed = piped else { return nil }
                passed.throughFilters = true
                return passed
            }
            if extraction.readsStandardInput, let piped {
                state.workspace.unpacked = Unpacked(download: piped, tool: name, directory: extraction.directory, throughPipe: true)
            } else if let archive = extraction.archive, let download = unverifiedDownload(at: archive, chain: chain) {
                state.workspace.unpacked = Unpacked(download: download, tool: name, directory: extraction.directory, throughPipe: false)
            }
            return nil
        }
        if role.contains(.blocksPipedData) { return nil }
        // `./tool`, `"$tmp/install"`, and `"$f"` where `f` names the saved file.
        if let path = invocation.nameWord.literal, path.utf8.contains(UInt8(ascii: "/")) || (path.hasPrefix("$") && state.download(at: path) != nil) {
            if state.download(at: path) != nil {
                if let download = unverifiedDownload(at: path, chain: chain) {
                    report(offset: invocation.offset, "\(download.described) is saved as \(path) and executed without verification",
                           download: download, arguments: invocation.arguments.compactMap(\.literal), fix: fetchPlan(download))
                }
            } else {
                reportRunFromUnpacked(path, runner: nil, offset: invocation.offset)
            }
        }
        if let status = analyseCodeInArguments(invocation, name: name, analysis: analysis, chain: chain) { passedChecks(status, chain: &chain, context: context) }
        // Filters (cat, gunzip, sed, tr, base64 -d, …) pass what they read on, or the downloaded file they read.
        if var passed = piped {
            passed.throughFilters = true
            return passed
        }
        if role.contains(.readsFilesToOutput) {
            for path in invocation.arguments.compactMap(\.literal) where !path.hasPrefix("-") {
                if var download = unverifiedDownload(at: path, chain: chain) {
                    download.throughFilters = true
                    return download
                }
            }
        }
        return nil
    }

    /// Whether a command of this name, given no code option and no
    /// substitution, is of no kind the analysis follows.
    static func isInertName(_ name: String) -> Bool {
        // One lookup for a listed name; the role's own fallback (`python3.12`) only for the rest.
        guard let entry = KnownCommands.table.value(for: name) else { return ShellCommands.unlistedRole(of: name.utf8).isEmpty }
        return entry.role.isEmpty && entry.analysis == nil
    }

    /// Which commands lint's parser may step over, and what the analysis
    /// then needs to know: an inert command passes piped data on like any
    /// filter (and is stepped over only without a code option, `-c`, after a
    /// word that may name an interpreter, since code handed to an unknown
    /// command is read); a command whose only role is to consume piped data
    /// (`echo`, `wc`) ends the flow, which is all the walk would have done
    /// with it, whatever its options. `exit` and `return` are kept as such:
    /// they decide what a failing check stops.
    static let skimPolicy = SkimPolicy(
        verdict: { name in
            let known = KnownCommands.table.value(for: name)
            let role = known?.role ?? ShellCommands.unlistedRole(of: name)
            guard role.isEmpty || role == .blocksPipedData else { return nil }
            switch known?.analysis {
            case .exits?: return .exits
            // A test is stepped over unless it compares (see keepsCommand): most (`[ -n "$CI" ]`) are not digest checks.
            case .compares?: return .passesInputOn
            case _?: return nil
            case nil: return role.isEmpty ? .passesInputOn : .consumesInput
            }
        },
        keepsCommand: { verdict, word, before in
            if word.first == UInt8(ascii: "-") {
                return verdict != .consumesInput && ShellCommands.isCodeOption(word) && ShellCommands.mayNameInterpreter(before)
            }
            if word.first == UInt8(ascii: "=") || word.first == UInt8(ascii: "!") {
                return before.first == UInt8(ascii: "[") || before.starts(with: "test".utf8)
            }
            return verdict == .passesInputOn && ShellCommands.downloaderNames.contains(word)
        }
    )

    /// Whether a command named `name`, with nothing piped in, can neither
    /// download, verify, run code nor pass a download on: no role, not a
    /// path, not special, not a function defined here, no code option.
    private func isInert(_ name: String, _ words: [ShellWord]) -> Bool {
        guard !name.utf8.contains(UInt8(ascii: "/")), Self.isInertName(name) else { return false }
        // `"$f"`, where `f` names a downloaded file.
        if name.hasPrefix("$"), state.download(at: name) != nil { return false }
        if !state.shell.functions.isEmpty, state.shell.functions[name] != nil { return false }
        // A wrapper (`retry curl …`) is as inert as what it wraps.
        if ShellCommands.launchedCommand(name: name, arguments: words.dropFirst()) != nil { return false }
        return !words.dropFirst().contains(where: { ShellCommands.isCodeOption($0.literal) })
    }

    /// The download saved as `path`, unless a check has cleared it.
    private func unverifiedDownload(at path: String, chain: VerificationChain) -> Download? {
        state.unverifiedDownload(at: path, passed: chain.passed)
    }

    /// Code handed to another program as an argument: `timeout 60 bash -c '…'`,
    /// `docker exec c sh -c '…'`, `xargs sh -c '…'`, a function or unknown
    /// wrapper given `bash -c '…'`; `su -c '…'`, `runuser -c '…'`; and the
    /// command words of `ssh HOST …` and `watch …`, which a shell runs.
    /// Returns the checks that decide the command's exit status, when it is that code's.
    private mutating func analyseCodeInArguments(_ invocation: Invocation, name: String, analysis: KnownCommand.Analysis?, chain: VerificationChain) -> Checks? {
        let arguments = invocation.arguments
        if analysis == .switchesUser {
            var status: Checks?
            for (index, word) in arguments.enumerated() {
                let text = word.literal ?? ""
                if (text == "-c" || text == "--command") && index + 1 < arguments.count {
                    status = analyseShellCode(arguments[index + 1], runner: name, chain: chain)
                } else if text.hasPrefix("--command=") {
                    status = analyseShellCode(word, runner: name, chain: chain, droppingPrefix: "--command=".utf8.count)
                }
            }
            return status
        }
        if analysis == .runsCommandWords, let command = ShellCommands.remoteCommandWords(name: name, arguments: arguments.map { $0.literal }) {
            let words = arguments[command...]
            guard let first = words.first, words.allSatisfy({ $0.literal != nil }) else { return nil }
            let text = words.map { $0.literal! }.joined(separator: " ")
            let status = analyseNestedShell(Array(text.utf8), at: first.offset + Self.openingQuoteLength(first), dialect: .posix, chain: chain)
            // `ssh` exits with the remote command's status; `watch` with its own.
            return name == "ssh" ? status : nil
        }
        // Code needs a code option (`-c`, `-Command`, …) after the interpreter's name: look for that first, it is rare.
        guard arguments.contains(where: { ShellCommands.isCodeOption($0.literal) }), !ShellCommands.printsItsArguments(name) else { return nil }
        for index in arguments.indices {
            guard let text = arguments[index].literal, ShellCommands.role(of: baseName(text)).contains(.interpreter),
                  let nested = Invocation(Array(arguments[index...])), InterpreterCall(nested.arguments, shellFamily: nested.role.contains(.shell), name: nested.name).code != nil
            else { continue }
            var simple = SimpleCommand(offset: arguments[index].offset)
            simple.words = Array(arguments[index...])
            simple.end = arguments.last!.end
            // One level deeper: code behind a wrapper is not rewritten by `lint --fix`.
            var inner = DownloadExecAnalyzer(state: state, depth: depth + 1)
            let status = inner.interpret(nested, simple: simple, piped: nil, chain: chain)
            findings += inner.findings
            state = inner.state
            return status
        }
        return nil
    }

    /// Code that another shell process runs (`sh -c '…'`, a heredoc, `su -c`,
    /// `ssh HOST …`): it starts knowing the checks that passed here, with
    /// options and functions of its own. What it downloads stays in the
    /// workspace; the checks that decide its exit status are returned.
    /// `context` ends each finding's message, saying where the code runs when it is not where it stands.
    private mutating func analyseNestedShell(
        _ code: [UInt8], at offset: Int, dialect: ShellDialect, chain: VerificationChain, context: String? = nil
    ) -> Checks? {
        guard depth < Self.maximumNestedScripts, case .success(let nested) = ShellParser.parse(code, baseOffset: offset, dialect: dialect) else { return nil }
        var inner = DownloadExecAnalyzer(state: state, depth: depth + 1)
        inner.state.startProcess(errexit: false)
        let last = inner.walk(nested, inherited: VerificationChain(passed: chain.passed))
        findings += inner.findings.map { finding in
            var finding = finding
            if let context { finding.message += " " + context }
            return finding
        }
        state.workspace = inner.state.workspace
        return inner.state.shell.verified.union(last.passed)
    }

    /// Keeps each assigned string that names a downloader, where its text
    /// starts, so that `eval "$cmd"` or `bash -c "$cmd"` later reads it as
    /// code; its findings are reported where the string is written.
    private mutating func recordCodeStrings(_ assignments: [ShellWord]) {
        for word in assignments {
            guard let literal = word.literal, let equals = literal.firstIndex(of: "=") else { continue }
            let name = String(literal[..<equals])
            let value = Array(literal[literal.index(after: equals)...].utf8)
            guard DownloadWordScan.mentionsDownload(value) else {
                if !state.shell.codeStrings.isEmpty { state.shell.codeStrings[name] = nil }
                continue
            }
            let quote = word.parts.dropFirst().first.map { if case .quoted = $0 { 1 } else { 0 } } ?? 0
            state.shell.codeStrings[name] = StoredCode(name: "$" + name, bytes: value, offset: word.offset + name.utf8.count + 1 + quote)
        }
    }

    /// Records `sum=$(sha256sum f | cut -d' ' -f1)`: the variable then stands for the digest of `f`.
    private mutating func recordDigestVariables(_ assignments: [ShellWord]) {
        for word in assignments {
            let text = word.literal ?? word.text
            guard let equals = text.firstIndex(of: "=") else { continue }
            let name = String(text[..<equals])
            if let file = word.substitutions.lazy.compactMap({ Self.digestedFile(in: $0.0) }).first {
                state.shell.digestVariables[name] = file
            } else if !state.shell.digestVariables.isEmpty {
                state.shell.digestVariables[name] = nil
            }
        }
    }

    /// The tools whose output is a file's digest, as hand-written checks compute it.
    private static let digestTools: Set<String> = ["sha256sum", "sha512sum", "sha384sum", "sha224sum", "b2sum", "shasum", "sha256", "sha512"]

    /// The file whose digest `list` prints (`sha256sum f | cut …`, `shasum -a 256 f`, `openssl dgst -sha256 f`), or nil.
    private static func digestedFile(in list: ShellList) -> String? {
        for item in list.items {
            for pipeline in item.pipelines {
                for case .simple(let simple) in pipeline.commands {
                    guard let invocation = Invocation(simple.words) else { continue }
                    var operands = invocation.arguments.compactMap(\.literal)
                    if invocation.name == "openssl" {
                        guard operands.first == "dgst" else { continue }
                        operands.removeFirst()
                    } else if !digestTools.contains(invocation.name) {
                        continue
                    }
                    // `shasum -a 256 f`: the value of `-a` is no file.
                    var index = 0
                    while index < operands.count, operands[index].hasPrefix("-") { index += operands[index] == "-a" ? 2 : 1 }
                    if index < operands.count, operands[index] != "-" { return operands[index] }
                }
            }
        }
        return nil
    }

    /// `X = Y`, `X == Y` or `X != Y` where one side is a file's digest: the file, and whether success means they match.
    private func digestComparison(_ arguments: [ShellWord]) -> (file: String, matches: Bool)? {
        guard let index = arguments.firstIndex(where: { ["=", "==", "!="].contains($0.literal ?? "") }), index > 0, index + 1 < arguments.count else { return nil }
        for side in [arguments[index - 1], arguments[index + 1]] {
            let file = side.substitutions.lazy.compactMap { Self.digestedFile(in: $0.0) }.first ?? side.literal.flatMap { literal -> String? in
                guard literal.hasPrefix("$") else { return nil }
                var name = Substring(literal.dropFirst())
                if name.hasPrefix("{"), name.hasSuffix("}") { name = name.dropFirst().dropLast() }
                return state.shell.digestVariables[String(name)]
            }
            if let file { return (file, arguments[index].literal != "!=") }
        }
        return nil
    }

    /// The code a word refers to when it is one variable holding a recorded string: `$cmd`, `"$cmd"`, `${cmd}`.
    private func storedCode(_ word: ShellWord) -> StoredCode? {
        guard !state.shell.codeStrings.isEmpty, let literal = word.literal, literal.hasPrefix("$") else { return nil }
        var name = Substring(literal.dropFirst())
        if name.hasPrefix("{"), name.hasSuffix("}") { name = name.dropFirst().dropLast() }
        return state.shell.codeStrings[String(name)]
    }

    /// 1 when the word starts with a quote, so that code inside it is placed after the quote.
    private static func openingQuoteLength(_ word: ShellWord) -> Int {
        word.startsQuoted ? 1 : 0
    }

    private static let powerShellNames: Set<String> = ["pwsh", "powershell", "pwsh.exe", "powershell.exe"]

    /// `pwsh -Command '…'`: PowerShell code, read as PowerShell.
    private mutating func analysePowerShellCode(_ code: ShellWord) {
        guard let text = code.literal else { return }
        let base = code.offset + Self.openingQuoteLength(code)
        var ownState = DownloadFlowState()
        let scanned = PowerShellScanner.scan(Array(text.utf8), state: &ownState)
        for finding in scanned {
            report(offset: base + finding.offset, finding.message, url: finding.url, arguments: [], fix: finding.fix)
        }
    }

    /// A word holding shell code (`su -c '…'`): its downloads run, and its text is analysed as a script.
    private mutating func analyseShellCode(_ word: ShellWord, runner: String, chain: VerificationChain, droppingPrefix: Int = 0) -> Checks? {
        for download in downloads(in: word) {
            report(offset: download.offset, "\(download.described) is run by \(runner) -c", download: download, fix: .manual(FixPlan.quoted))
        }
        guard let text = word.literal else { return nil }
        let code = Array(text.utf8.dropFirst(droppingPrefix))
        return analyseNestedShell(code, at: word.offset + droppingPrefix + Self.openingQuoteLength(word), dialect: .posix, chain: chain)
    }

    /// Returns the checks that decide the interpreter's exit status when it runs shell code written here.
    private mutating func interpret(_ invocation: Invocation, simple: SimpleCommand, piped: Download?, chain: VerificationChain) -> Checks? {
        let name = invocation.name
        let redirections = simple.redirections
        let shellFamily = invocation.role.contains(.shell)
        let call = InterpreterCall(invocation.arguments, shellFamily: shellFamily, name: name)
        if let code = call.code {
            let codeIsOneDownload = code.text == "$(…)" && code.substitutions.count == 1 && code.substitutions[0].0.isSingleCommand
                && code.offset == invocation.arguments.last?.offset
            for download in downloads(in: code) {
                let fix = codeIsOneDownload && call.onlyCodeOption
                    ? runPlan(invocation, simple: simple, download: download, replacingFrom: invocation.nameWord.offset, arguments: nil)
                    : .manual(FixPlan.unknownForm)
                report(offset: download.offset, "\(download.described) is run by \(name) -c", download: download, fix: fix)
            }
            if shellFamily, let stored = storedCode(code) {
                return analyseNestedShell(
                    stored.bytes, at: stored.offset, dialect: .of(interpreter: name), chain: chain, context: "(in the string \(stored.name) holds, which \(name) -c runs)")
            } else if shellFamily, let text = code.literal {
                return analyseNestedShell(Array(text.utf8), at: code.offset + Self.openingQuoteLength(code), dialect: .of(interpreter: name), chain: chain)
            } else if Self.powerShellNames.contains(name) {
                analysePowerShellCode(code)
            } else {
                walkSubstitutions(in: code)
            }
            return nil
        }
        if let script = call.script, let scriptIndex = call.scriptIndex {
            checkScriptOperand(
                script, runner: name, invocation: invocation, simple: simple, scriptIndex: scriptIndex, chain: chain,
                arguments: call.scriptArguments, otherOptions: call.otherOptions)
            return nil
        }
        if let piped {
            let fix: FixPlan
            if piped.throughFilters {
                fix = .manual(FixPlan.filtered)
            } else if call.otherOptions {
                fix = .manual(FixPlan.options)
            } else {
                fix = runPlan(
                    invocation, simple: simple, download: piped, replacingFrom: piped.command?.lowerBound,
                    arguments: call.firstScriptArgument.map { invocation.arguments[$0...] })
            }
            report(offset: piped.offset, "\(piped.described) is piped into \(invocation.described)", download: piped, arguments: call.scriptArguments, fix: fix)
            return nil
        }
        var status: Checks?
        for redirection in redirections {
            if redirection.operation == .input, let target = redirection.target {
                for (list, isProcess) in target.substitutions where isProcess {
                    for download in outputDownloads(of: list) {
                        report(offset: download.offset, "\(download.described) is fed to \(name) through a process substitution", download: download)
                    }
                }
            }
            if redirection.operation == .input, let path = redirection.target?.literal, let download = unverifiedDownload(at: path, chain: chain) {
                report(offset: invocation.offset, "\(download.described) is saved as \(path) and fed to \(name) unverified", download: download, fix: fetchPlan(download))
            }
            if redirection.operation == .hereString, let target = redirection.target {
                for download in downloads(in: target) {
                    report(offset: download.offset, "\(download.described) is fed to \(name) as a here-string", download: download)
                }
            }
            if let document = redirection.hereDocument, shellFamily {
                status = analyseNestedShell(document.body, at: document.bodyOffset, dialect: .of(interpreter: name), chain: chain)
            }
        }
        return status
    }

    /// `bash FILE`, `. FILE`, `source <(curl …)`: the operand names what runs.
    private mutating func checkScriptOperand(
        _ script: ShellWord, runner: String, invocation: Invocation, simple: SimpleCommand, scriptIndex: Int, chain: VerificationChain,
        arguments: [String], otherOptions: Bool = false
    ) {
        let substitutions = script.substitutions
        for (list, isProcess) in substitutions where isProcess {
            let downloads = outputDownloads(of: list)
            for download in downloads {
                let fix: FixPlan
                if runner == "source" || runner == "." {
                    fix = .manual(FixPlan.currentShell)
                } else if script.text != "<(…)" || substitutions.count != 1 || downloads.count != 1 || list.isSingleCommand == false {
                    fix = .manual(FixPlan.unknownForm)
                } else if otherOptions {
                    fix = .manual(FixPlan.options)
                } else {
                    let rest = invocation.arguments[(scriptIndex + 1)...]
                    fix = runPlan(invocation, simple: simple, download: download, replacingFrom: invocation.nameWord.offset, arguments: rest.isEmpty ? nil : rest)
                }
                report(offset: download.offset, "\(download.described) is run by \(runner) through a process substitution",
                       download: download, arguments: arguments, fix: fix)
            }
        }
        guard let path = script.literal else { return }
        if state.download(at: path) != nil {
            if let download = unverifiedDownload(at: path, chain: chain) {
                report(offset: invocation.offset, "\(download.described) is saved as \(path) and run by \(runner) without verification",
                       download: download, arguments: arguments, fix: fetchPlan(download))
            }
        } else {
            reportRunFromUnpacked(path, runner: runner, offset: invocation.offset)
        }
    }

    /// A command that runs `path` after an unverified download was unpacked where `path` may be.
    private mutating func reportRunFromUnpacked(_ path: String, runner: String?, offset: Int) {
        guard let unpacked = state.workspace.unpacked, unpacked.mayContain(path) else { return }
        let download = unpacked.download
        let how = runner.map { "run by \($0)" } ?? "executed"
        let fix: FixPlan
        if unpacked.throughPipe {
            fix = download.url.map(isWrittenOut) == true && depth == 0 && download.command != nil
                ? .fetch(unit: download.unit, range: download.command!, prefix: download.prefix, path: nil)
                : .manual(download.url.map(isWrittenOut) == true ? FixPlan.quoted : FixPlan.notLiteral)
        } else {
            fix = fetchPlan(download)
        }
        report(offset: offset, "\(download.described) is unpacked by \(unpacked.tool) without verification, and \(path) is \(how) after it", download: download, fix: fix)
    }

    /// A URL with no parameter in it (`https://$HOST/x` is kept as written, but names no one URL).
    private func isWrittenOut(_ url: String) -> Bool {
        !url.contains("$") && !url.contains("`")
    }

    /// The `scriptpin run` rewrite of a command that runs `download` with
    /// `invocation`'s interpreter: from `start` (the download's command for
    /// a pipe) to the interpreter command's last word; what stands before
    /// the interpreter's name (`sudo -E`, assignments) is kept in front.
    private func runPlan(
        _ invocation: Invocation, simple: SimpleCommand, download: Download, replacingFrom start: Int?, arguments: ArraySlice<ShellWord>?
    ) -> FixPlan {
        guard depth == 0 else { return .manual(FixPlan.quoted) }
        guard download.url.map(isWrittenOut) == true else { return .manual(FixPlan.notLiteral) }
        if let launcher = invocation.launcher ?? download.launcher { return .manual(FixPlan.launched(by: launcher)) }
        guard let start, let lastWord = simple.words.last else { return .manual(FixPlan.unknownForm) }
        // A redirection among the replaced words would be lost.
        guard simple.redirections.allSatisfy({ $0.start >= lastWord.end }) else { return .manual(FixPlan.unknownForm) }
        let prefix = simple.offset < invocation.nameWord.offset ? simple.offset..<invocation.nameWord.offset : nil
        let argumentRange = arguments.flatMap { words in words.first.map { $0.offset..<words.last!.end } }
        return .run(
            range: start..<lastWord.end, prefix: prefix, interpreter: invocation.nameWord.offset..<invocation.nameWord.end,
            interpreterName: invocation.name, arguments: argumentRange)
    }

    /// The `scriptpin fetch` rewrite of the command that downloaded a file which is later run.
    private func fetchPlan(_ download: Download) -> FixPlan {
        guard download.url.map(isWrittenOut) == true else { return .manual(FixPlan.notLiteral) }
        guard let path = download.savedPath, let command = download.command else { return .manual(FixPlan.notByDownloader) }
        guard depth == 0 else { return .manual(FixPlan.quoted) }
        if let launcher = download.launcher { return .manual(FixPlan.launched(by: launcher)) }
        return .fetch(unit: download.unit, range: command, prefix: download.prefix, path: path)
    }

    /// Checks that passed when a command succeeded (a verifier, or a group,
    /// subshell or nested shell whose status they decide): they cover the rest
    /// of its `&&` chain, and everything after it when its failure stops the
    /// script (under `set -e` where that applies, or before `|| exit`).
    private mutating func passedChecks(_ checks: Checks, chain: inout VerificationChain, context: WalkContext) {
        chain.passed.formUnion(checks)
        if context.stopsOnFailure || (state.shell.errexit && !context.errexitIgnored) { state.shell.verified.formUnion(checks) }
    }

    /// Command and process substitutions in a word that are not themselves
    /// run as code. Each runs in a subshell, which bash starts without `set -e`.
    private mutating func walkSubstitutions(in word: ShellWord) {
        for (list, _) in word.substitutions {
            let parent = state.shell
            state.shell.errexit = false
            walk(list)
            state.shell = parent
        }
    }

    /// Downloads whose output a command substitution in `word` captures.
    private func downloads(in word: ShellWord) -> [Download] {
        word.substitutions.filter { !$0.isProcess }.flatMap { outputDownloads(of: $0.0) }
    }

    /// Downloads whose stdout is the output of `list` (not redirected, not
    /// consumed by a checksum or archive tool): those that reach the end of a pipeline.
    private func outputDownloads(of list: ShellList) -> [Download] {
        var found: [Download] = []
        var flowing: Download?
        list.walk { event in
            switch event {
            case .andOr:
                break
            case .pipeline:
                flowing = nil
            case .simple(let command):
                if command.skimmed == .consumesInput { flowing = nil }
                guard let invocation = Invocation(command.words) else { return }
                if invocation.role.contains(.downloader),
                   let download = ShellCommands.download(name: invocation.name, arguments: invocation.arguments, offset: invocation.offset),
                   case .standardOutput = download.output, redirectedStdout(command.redirections) == nil {
                    flowing = download.download
                } else if !invocation.role.isDisjoint(with: [.blocksPipedData, .interpreter]) {
                    flowing = nil
                }
            case .group(let inner):
                found += outputDownloads(of: inner)
                flowing = nil
            case .conditional(let conditional):
                found += outputDownloads(of: conditional.allParts)
                flowing = nil
            case .function:
                flowing = nil
            case .endOfPipeline:
                if let download = flowing { found.append(download) }
                flowing = nil
            }
        }
        return found
    }

    private mutating func report(offset: Int, _ message: String, download: Download, arguments: [String] = [], fix: FixPlan? = nil) {
        let plan = fix ?? (download.url == nil ? .manual(FixPlan.notLiteral) : .manual(FixPlan.unknownForm))
        report(offset: offset, message, url: download.url, arguments: arguments, fix: plan)
    }

    private mutating func report(offset: Int, _ message: String, url: String?, arguments: [String], fix: FixPlan = .manual(FixPlan.unknownForm)) {
        guard !findings.contains(where: { $0.offset == offset }) else { return }
        var finding = DownloadExecFinding(offset: offset, message: message, url: url, arguments: arguments)
        // A URL that is not written out cannot be pinned, whatever the form.
        finding.fix = url.map(isWrittenOut) == true ? fix : .manual(FixPlan.notLiteral)
        findings.append(finding)
    }
}

/// Where a command's stdout goes when it is redirected to a file.
private func redirectedStdout(_ redirections: [Redirection]) -> String? {
    for redirection in redirections where redirection.operation.writesFile
        && (redirection.descriptor == nil || redirection.descriptor == 1) {
        return redirection.target?.literal ?? redirection.target?.text
    }
    return nil
}
