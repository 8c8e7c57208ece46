/// `scriptpin lint --fix`: pins every finding whose URL is written out and
/// rewrites its command in place to `scriptpin run NAME` or `scriptpin
/// fetch NAME -o FILE`. In two steps, like `add`: `prepare` fetches and
/// shows every new pin, the changes as a diff and what is left to do by
/// hand; `commit` writes it all under the manifest lock.
public struct LintFixCommand: Sendable {
    /// Which files to fix: `paths`, `excludes` and `includeDocs` as `lint` takes them.
    public var lint = LintCommand()
    public var manifest: String?
    public var fetchOptions = FetchOptions()
    /// Names chosen for the pins of these URLs (`--name URL=NAME`), in place of the proposed ones.
    public var chosenNames: [ChosenName] = []
    /// What a finding becomes; nil: `scriptpin`, except in Dockerfiles, where
    /// scriptpin is usually not in the image: `checksum`.
    public var style: FixStyle?
    /// How a Dockerfile's finding is verified in the `checksum` style.
    public var dockerfileStyle = DockerfileStyle.inline

    /// What `--fix` rewrites a finding to.
    public enum FixStyle: String, NamedValues {
        /// `scriptpin run NAME` or `scriptpin fetch NAME -o FILE`: the pin is checked where the code runs.
        case scriptpin
        /// The download, then `sha256sum -c` of the pin's digest, then the run:
        /// for images and runners without scriptpin; the pin is still written, so `check` watches the URL.
        case checksum
    }

    /// How a Dockerfile gets the verified file in the `checksum` style.
    public enum DockerfileStyle: String, NamedValues {
        /// `curl -fsSLo FILE URL && echo "HEX  FILE" | sha256sum -c - && …` inside the `RUN`.
        case inline
        /// `ADD --checksum=sha256:HEX URL FILE` before the `RUN` (BuildKit
        /// verifies it), and the `# syntax=` directive that flag needs.
        case add
    }

    /// The directive BuildKit needs for `ADD --checksum`, written at the top of a Dockerfile that has none.
    static let dockerfileSyntaxDirective = "# syntax=docker/dockerfile:1\n"

    /// `URL=NAME`: split at the last `=`, which a pin name cannot hold and a query can.
    public struct ChosenName: Sendable, Equatable {
        public let url: String
        public let name: String

        public init?(argument: String) {
            guard let equals = argument.lastIndex(of: "=") else { return nil }
            url = String(argument[..<equals])
            name = String(argument[argument.index(after: equals)...])
            guard ScriptURL.problem(with: url) == nil, PinRules.isValidName(name) else { return nil }
        }
    }

    public init() {}

    /// A finding left alone, and why.
    public struct ManualChange: Sendable, Equatable {
        public let path: String
        public let line: Int
        public let column: Int
        public let reason: String
    }

    public struct Prepared {
        let pins: [AddCommand.Prepared]
        let edits: [FileEdit]
        public let manual: [ManualChange]
        /// Findings whose URL could not be fetched, among `manual`.
        public let unfetchable: Int
        /// Files whose code could not be parsed, so that what they hold was neither checked nor fixed.
        public let unparsable: [String]
        let manifestPath: String
        let createsManifest: Bool

        public var hasChanges: Bool { !pins.isEmpty || !edits.isEmpty }

        public var question: String {
            "Write \(plural(pins.count, "new pin")) and rewrite \(plural(edits.count, "file"))?"
        }

        /// 1 while findings need a manual change, else 2 when a file could not be parsed, else 3 when a URL could not be fetched, else success.
        public var outcome: Outcome {
            if manual.count > unfetchable { return .failed(.verificationFailed) }
            if !unparsable.isEmpty { return .failed(.invalidInput) }
            if unfetchable > 0 { return .failed(.unavailable) }
            return .succeeded
        }
    }

    public func prepare(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Prepared {
        // The staged contents are in the git index, and a fix rewrites the working tree's files.
        guard !lint.staged else { throw .conflictingSettings("fixing rewrites files in the working tree, not the staged contents in the git index; fix the working tree, then stage it") }
        var files = try lint.lintFiles(reporter: reporter, context: context)
        let (existing, createsManifest) = try manifestForPins(context: context)
        var naming = PinNaming(manifest: existing)
        for chosen in chosenNames {
            let (url, name) = (chosen.url, chosen.name)
            if chosenNames.contains(where: { $0.url == url && $0.name != name }) {
                throw .usage("--name gives \(ScriptURL.redact(url)) two names; give one")
            }
            if let entry = existing.entry(forURL: url), entry.pin.name != name {
                throw .usage("\(ScriptURL.redact(url)) is pinned already, as \(entry.pin.name); to change its name run `scriptpin rename \(entry.pin.name) \(name)`")
            }
            guard naming.choose(name, for: url) else {
                throw .usage("the name \(name) (given with --name) is the pin of another URL already; choose another")
            }
        }
        LintCommand.settleNames(in: &files, naming: &naming)
        let found = Set(files.flatMap { $0.diagnostics.compactMap(\.suggestion?.url) })
        if let unused = chosenNames.map(\.url).first(where: { !found.contains($0) }) {
            throw .usage("--name names \(ScriptURL.redact(unused)), which no finding downloads; give the URL exactly as the code writes it")
        }

        var planner = Planner(existing: existing, fetchOptions: fetchOptions)
        var edits: [FileEdit] = []
        var manual: [ManualChange] = []
        for file in files {
            guard let kind = file.kind else { continue }
            var replacements: [(range: Range<Int>, text: String)] = []
            var insertions: [(offset: Int, text: String)] = []
            let style = self.style ?? (kind == .dockerfile ? .checksum : .scriptpin)
            var fileManual: [ManualChange] = []
            for diagnostic in file.diagnostics where diagnostic.rule == .downloadExec {
                func leave(_ reason: String) {
                    fileManual.append(ManualChange(path: file.path, line: diagnostic.line, column: diagnostic.column, reason: reason))
                }
                if let reason = Self.kindReason(kind) {
                    leave(reason)
                    continue
                }
                switch diagnostic.repair {
                case .manual(let reason)?:
                    leave(reason)
                case nil:
                    leave(FixPlan.unknownForm)
                case .rewrite(let rewrite)?:
                    let addsFile = kind == .dockerfile && style == .checksum && dockerfileStyle == .add
                    if let reason = Self.styleProblem(rewrite, style: style, addingFile: addsFile) {
                        leave(reason)
                        continue
                    }
                    let name = diagnostic.suggestion?.name ?? PinNaming.proposedName(forURL: rewrite.url)
                    switch planner.pin(for: rewrite.url, named: name, reporter: reporter, context: context) {
                    case .failure(let failure):
                        leave(failure.reason)
                    case .success(let target):
                        if replacements.contains(where: { $0.range == rewrite.range }) { continue }
                        if replacements.contains(where: { $0.range.overlaps(rewrite.range) }) {
                            leave("it overlaps another rewrite in the same command")
                            continue
                        }
                        let (text, insertion) = Self.replacement(rewrite, pin: target, style: style, addingFile: addsFile, kind: kind)
                        replacements.append((rewrite.range, text))
                        if let insertion { insertions.append(insertion) }
                    }
                }
            }
            if !insertions.isEmpty, let directive = Self.missingSyntaxDirective(file) {
                insertions.insert((0, directive), at: 0)
            }
            if !replacements.isEmpty {
                switch Self.edit(file, kind: kind, replacements: replacements, insertions: insertions) {
                case .success(let edit):
                    edits.append(edit)
                case .failure(let failure):
                    for diagnostic in file.diagnostics where diagnostic.rule == .downloadExec
                        && !fileManual.contains(where: { $0.line == diagnostic.line && $0.column == diagnostic.column }) {
                        fileManual.append(ManualChange(path: file.path, line: diagnostic.line, column: diagnostic.column, reason: failure.reason))
                    }
                }
            }
            manual += fileManual.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        }

        for edit in edits {
            let old = String(decoding: edit.original, as: UTF8.self)
            let new = String(decoding: edit.updated, as: UTF8.self)
            if let diff = UnifiedDiff(old: old, new: new) {
                reporter.result(colouredDiff(diff.render(oldLabel: "a/\(edit.path)", newLabel: "b/\(edit.path)"), reporter: reporter))
            }
        }
        // A workflow installs scriptpin for its steps; a composite action relies on its caller's.
        for edit in edits where edit.path.contains(".github/workflows/") {
            let text = String(decoding: edit.updated, as: UTF8.self)
            if !text.contains("scriptpin@") && !text.contains("setup-scriptpin") {
                reporter.note("scriptpin: \(edit.path) does not install scriptpin yet: add the setup step (`- uses: OWNER/scriptpin@<full commit id>`, see the README's Install section) before the rewritten steps")
            }
        }
        if !manual.isEmpty {
            reporter.line("needs a manual change:")
            for change in manual { reporter.line("  \(change.path):\(change.line):\(change.column): \(change.reason)") }
        }
        let unparsable = files.filter { $0.diagnostics.contains { $0.rule == .parseError } }.map(\.path)
        if !unparsable.isEmpty {
            reporter.line("could not be parsed, so not checked or fixed (see `scriptpin lint` for where):")
            for path in unparsable { reporter.line("  \(VisibleText.escape(path))") }
        }
        let prepared = Prepared(
            pins: planner.newPins, edits: edits, manual: manual, unfetchable: planner.unfetchableFindings, unparsable: unparsable,
            manifestPath: existing.location.path, createsManifest: createsManifest)
        reporter.note("scriptpin: fix: \(plural(planner.newPins.count, "new pin")), \(plural(planner.reusedPins.count, "pin")) reused, \(plural(edits.count, "file")) to rewrite, \(plural(manual.count, "finding")) left for a manual change")
        return prepared
    }

    /// Creates the manifest if needed, then, holding its lock, writes the
    /// new pins and every edited file (atomically, each still as it was read).
    public static func commit(_ prepared: Prepared, reporter: any Reporter) throws(ScriptPinError) {
        guard prepared.hasChanges else { return }
        if prepared.createsManifest {
            do { try createDirectories(prepared.manifestPath, mode: 0o755) } catch { throw .writeFailed(path: prepared.manifestPath, error) }
        }
        let lock = try ManifestLock(directory: prepared.manifestPath)
        for pin in prepared.pins { try AddCommand.write(pin, reporter: reporter, holding: lock) }
        for edit in prepared.edits {
            guard edit.isUnchanged else {
                reporter.warning("\(edit.path) changed while its findings were being fixed; it was not rewritten\(reporter.hint(.rerunFix))")
                continue
            }
            try edit.write()
            reporter.note("scriptpin: rewrote \(edit.path)")
        }
    }

    /// Why findings in a file of `kind` are left alone, or nil when they can be rewritten.
    private static func kindReason(_ kind: LintFileKind) -> String? {
        switch kind {
        case .dockerfile, .shell, .shellTemplate, .githubWorkflow, .gitlabCI, .makefile, .jenkinsfile, .travis, .circleCI, .azurePipelines, .bitbucketPipelines, .ansible:
            nil
        case .powershell:
            FixPlan.powerShell
        case .markdown:
            "documentation: examples in prose are left alone"
        }
    }

    /// The manifest pins go to; when the repository has none, a new `known-hashes/` at its root.
    private func manifestForPins(context: ProcessContext) throws(ScriptPinError) -> (Manifest, creates: Bool) {
        do {
            return (try Manifest.discover(explicit: manifest, context: context), false)
        } catch .manifestNotFound(_, let root?) where manifest == nil && context.nonEmptyValue(Manifest.environmentVariable) == nil {
            let path = joinPath(root, Manifest.defaultDirectoryName)
            let shown = path.hasPrefix(context.workingDirectory + "/") ? String(path.dropFirst(context.workingDirectory.count + 1)) : path
            return (Manifest(location: ManifestLocation(directory: shown, path: path, isDiscovered: true), entries: []), true)
        }
    }

    /// Why `rewrite` has no form in `style`, or nil.
    private static func styleProblem(_ rewrite: LintRewrite, style: FixStyle, addingFile: Bool) -> String? {
        guard style == .checksum else { return nil }
        if case .fetch(_, nil) = rewrite.form {
            return "the download is piped on (into tar or the like) and the checksum form needs a file: save it with `curl -fsSLo FILE`, check it with `sha256sum -c`, then unpack the file"
        }
        if addingFile && rewrite.instructionStart == nil { return FixPlan.unknownForm }
        return nil
    }

    /// What a finding's bytes become (in a form `styleProblem` accepts), and,
    /// for an `ADD` that fetches the file, the line to insert before the instruction.
    private static func replacement(
        _ rewrite: LintRewrite, pin: Planner.Target, style: FixStyle, addingFile: Bool, kind: LintFileKind
    ) -> (text: String, insertion: (offset: Int, text: String)?) {
        let url = pin.url
        let hex = pin.digest.hex
        let instruction = rewrite.instructionStart ?? 0
        // A fresh file of mktemp's, not a name in /tmp another user could plant a link at; `$$` in a Make recipe.
        let dollar = kind == .makefile ? "$$" : "$"
        let temporary = "\"\(dollar)scriptpin_file\""
        switch (style, rewrite.form) {
        case (.scriptpin, .run(let prefix, let interpreter, let interpreterName, let arguments)):
            var text = prefix + "scriptpin run " + pin.name
            if pin.interpreterName != interpreterName { text += " --interpreter " + interpreter }
            if let arguments { text += " -- " + arguments }
            return (text, nil)
        case (.scriptpin, .fetch(let prefix, let path?)):
            return (prefix + "scriptpin fetch \(pin.name) -o \(path)", nil)
        case (_, .fetch(let prefix, nil)):
            // `styleProblem` keeps the checksum style away from a download piped on.
            return (prefix + "scriptpin fetch \(pin.name)", nil)
        case (.checksum, .run(let prefix, let interpreter, _, let arguments)):
            if addingFile {
                // The image's own file system: BuildKit writes the file, nobody else can.
                let file = "/tmp/" + pin.name
                return (prefix + interpreter + " " + file + (arguments.map { " " + $0 } ?? ""), (instruction, addLine(url: url, hex: hex, file: file)))
            }
            let run = prefix + interpreter + " " + temporary + (arguments.map { " " + $0 } ?? "")
            return ("scriptpin_file=\(dollar)(mktemp) && curl -fsSLo \(temporary) \(url) && \(checkCommand(hex: hex, file: temporary)) && \(run)", nil)
        case (.checksum, .fetch(let prefix, let path?)):
            if addingFile { return ("test -f \(path)", (instruction, addLine(url: url, hex: hex, file: path))) }
            // Whatever follows the download (`;` as well as `&&`) must not run a file that failed its check.
            return ("{ \(prefix)curl -fsSLo \(path) \(url) && \(checkCommand(hex: hex, file: path)) || exit 1; }", nil)
        }
    }

    /// `file` as a shell word: a quoted variable's quotes merge into the line's.
    private static func checkCommand(hex: String, file: String) -> String {
        let unquoted = file.hasPrefix("\"") ? String(file.dropFirst().dropLast()) : file
        return "echo \"\(hex)  \(unquoted)\" | sha256sum -c -"
    }

    /// BuildKit checks the digest before the file exists in the image; 0755 so that any `USER` can run it.
    private static func addLine(url: String, hex: String, file: String) -> String {
        "ADD --checksum=sha256:\(hex) --chmod=755 \(url) \(file)\n"
    }

    /// The `# syntax=` directive to write at the top of a Dockerfile, or nil when its parser directives name one.
    private static func missingSyntaxDirective(_ file: LintedFile) -> String? {
        guard let bytes = try? readFile(file.path, limit: LintCommand.maximumFileSize) else { return nil }
        // Parser directives are `# key=value` comments before anything else.
        for line in SourceLines(bytes).lines {
            let text = String(decoding: line.bytes, as: UTF8.self).lowercased().filter { $0 != " " && $0 != "\t" }
            guard text.hasPrefix("#"), text.contains("=") else { break }
            if text.hasPrefix("#syntax=") { return nil }
        }
        return dockerfileSyntaxDirective
    }

    /// The file with `replacements` applied, provided it still parses as well as before.
    private static func edit(
        _ file: LintedFile, kind: LintFileKind, replacements: [(range: Range<Int>, text: String)], insertions: [(offset: Int, text: String)]
    ) -> Result<FileEdit, ManualFailure> {
        guard let original = try? readFile(file.path, limit: LintCommand.maximumFileSize), let status = fileStatus(file.path) else {
            return .failure(ManualFailure("the file could not be read again to rewrite it"))
        }
        // From the end backwards, so each change leaves the offsets before it as they were;
        // insertions at one offset keep their order, and come before a replacement starting there.
        let changes = replacements.map { (range: $0.range, text: $0.text, order: Int.max) }
            + insertions.enumerated().map { (range: $1.offset..<$1.offset, text: $1.text, order: $0) }
        var updated = original
        for change in changes.sorted(by: { ($0.range.lowerBound, $0.order) > ($1.range.lowerBound, $1.order) }) {
            guard change.range.upperBound <= updated.count else { return .failure(ManualFailure("the file changed while it was linted")) }
            updated.replaceSubrange(change.range, with: Array(change.text.utf8))
        }
        let problemsBefore = file.diagnostics.count { $0.rule == .parseError }
        let problemsAfter = LintEngine.lint(updated, kind: kind, parsesEverything: true).count { $0.rule == .parseError }
        guard problemsAfter <= problemsBefore else {
            return .failure(ManualFailure("the rewritten file would not parse; change it by hand"))
        }
        return .success(FileEdit(path: file.path, original: original, updated: updated, mode: status.mode & 0o7777))
    }
}

/// Chooses the pin for each URL: the manifest's own, one made earlier in
/// this run, or a new one prepared as `add` would under the name the run's
/// naming gave the URL, fetching each URL once.
private struct Planner {
    struct Target {
        let name: String
        /// The pin's URL: the code's, or the stable URL that serves the same bytes.
        let url: String
        /// The base name of the program `run` will use, when known without the script.
        let interpreterName: String?
        /// The digest the checksum form checks.
        let digest: Digest
    }

    let existing: Manifest
    let fetchOptions: FetchOptions
    private(set) var newPins: [AddCommand.Prepared] = []
    private(set) var reusedPins: Set<String> = []
    private(set) var unfetchableFindings = 0
    private var chosen: [String: Target] = [:]
    private var failures: [String: String] = [:]

    init(existing: Manifest, fetchOptions: FetchOptions) {
        self.existing = existing
        self.fetchOptions = fetchOptions
    }

    mutating func pin(for url: String, named name: String, reporter: any Reporter, context: ProcessContext) -> Result<Target, ManualFailure> {
        if let target = chosen[url] { return .success(target) }
        if let failure = failures[url] {
            unfetchableFindings += 1
            return .failure(ManualFailure(failure))
        }
        if let entry = existing.entry(forURL: url) {
            let target = Target(name: entry.pin.name, url: entry.pin.url, interpreterName: entry.pin.interpreter.map(Self.programName), digest: entry.pin.sha256[0])
            chosen[url] = target
            reusedPins.insert(entry.pin.name)
            return .success(target)
        }
        if let problem = ScriptURL.problem(with: url) { return .failure(ManualFailure(problem)) }
        var add = AddCommand()
        add.name = name
        add.url = url
        add.fetchOptions = fetchOptions
        reporter.line("new pin \(add.name):")
        do {
            // The pins are shown before the one question --fix asks, a stable URL among them.
            let prepared = try add.prepare(in: existing, reporter: reporter, context: context).onStableURL()
            if let entry = prepared.pinnedAs {
                let target = Target(name: entry.pin.name, url: entry.pin.url, interpreterName: entry.pin.interpreter.map(Self.programName), digest: prepared.pin.sha256[0])
                chosen[url] = target
                reusedPins.insert(entry.pin.name)
                return .success(target)
            }
            // Without an interpreter line, `run` reads the #! line, or uses sh when there is none.
            let interpreter = prepared.pin.interpreter.map(Self.programName) ?? (prepared.image.shebang() == nil ? "sh" : nil)
            let target = Target(name: add.name, url: prepared.pin.url, interpreterName: interpreter, digest: prepared.pin.sha256[0])
            newPins.append(prepared)
            chosen[url] = target
            return .success(target)
        } catch {
            let reason = "\(ScriptURL.redact(url)) could not be pinned: \(error.description)"
            failures[url] = reason
            if case .fetch = error { unfetchableFindings += 1 }
            return .failure(ManualFailure(reason))
        }
    }

    /// `bash` for `/bin/bash -e`.
    private static func programName(_ interpreter: String) -> String {
        baseName(String(interpreter.split(separator: " ").first ?? ""))
    }
}

/// One file's new content, written only while the file still holds `original`.
struct FileEdit {
    let path: String
    let original: [UInt8]
    let updated: [UInt8]
    let mode: UInt32

    /// The file holds what was read when the edit was made.
    var isUnchanged: Bool {
        (try? readFile(path, limit: LintCommand.maximumFileSize)) == original
    }

    func write() throws(ScriptPinError) {
        try Self.write(updated, to: path, mode: mode)
    }

    /// Puts `original` back, for an edit undone.
    func restore() throws(ScriptPinError) {
        try Self.write(original, to: path, mode: mode)
    }

    private static func write(_ bytes: [UInt8], to path: String, mode: UInt32) throws(ScriptPinError) {
        try writeAtomically(path, mode: mode) { (descriptor) throws(ScriptPinError) in
            do throws(Errno) { try descriptor.writeAll(bytes) } catch { throw .writeFailed(path: path, error) }
        }
    }
}

/// Why a finding's URL has no pin to rewrite to.
struct ManualFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
