/// One file's diagnostics, with the path as the user named it.
public struct LintedFile: Sendable {
    public let path: String
    public var diagnostics: [LintDiagnostic]
    /// How the file was read; nil when it could not be read.
    public var kind: LintFileKind?
    /// The `scriptpin` commands in its code, when they were asked for.
    public var references: [PinReference] = []
}

/// `scriptpin lint`: find every place where something downloaded is
/// executed without a pin, in shell scripts, Dockerfiles, CI workflows and
/// Makefiles.
public struct LintCommand: Sendable {
    /// Larger files are not scripts anyone reviews; they are skipped with a note.
    public static let maximumFileSize = 16 * 1024 * 1024
    /// A NUL byte in this many leading bytes marks a binary file.
    public static let binaryProbeSize = 8 * 1024
    public static let ignoreMarker = "scriptpin: ignore"

    public typealias Format = ReportFormat

    public var paths: [String] = []
    public var excludes: [String] = []
    public var includeDocs = false
    public var staged = false
    public var format = Format.text
    /// Also collect every `scriptpin` command in the files' code (for `verify`).
    var collectsReferences = false

    public init() {}

    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Outcome {
        var files = try lintFiles(reporter: reporter, context: context)
        // A repository with no manifest yet, or one that does not load, still gets names.
        var naming = PinNaming(manifest: try? Manifest.discover(explicit: nil, context: context))
        Self.settleNames(in: &files, naming: &naming)
        let report = LintReport(files: files)
        reporter.result(report.render(format, reporter: reporter))
        if report.findings > 0 {
            if staged {
                // The pre-commit hook's case: the next command, for exactly the files to change.
                let paths = report.files.filter { $0.diagnostics.contains { $0.rule == .downloadExec } }.map { VisibleText.escape(ShellQuoting.word($0.path)) }
                reporter.note("scriptpin: to pin them, run `scriptpin lint --fix \(paths.joined(separator: " "))`, review the rewrite, and stage the changed files and the new pins")
            }
            return .failed(.verificationFailed)
        }
        if report.problems > 0 { return .failed(.invalidInput) }
        return .succeeded
    }

    /// Every file's diagnostics, in the walk's order; notes about skipped files go to `reporter`.
    func lintFiles(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> [LintedFile] {
        let includeDocs = self.includeDocs
        let references = collectsReferences
        let results: [(LintedFile?, String?)]
        if staged {
            results = concurrentMap(try stagedFiles(context: context), scratch: { ReadBuffer() }) { source, buffer in
                Self.lint(source, includeDocs: includeDocs, references: references, buffer: buffer)
            }
        } else {
            // The top-level entries are walked in parallel, and then the files
            // are linted in parallel one by one: the files that download
            // something, which cost the most, often sit together in one
            // directory. Results keep the walk's order.
            let roots = try discoveredRoots()
            let excludes = self.excludes
            let sources = concurrentMap(roots) { root in
                var sources: [Source] = []
                if root.isDirectory {
                    Self.walk(root.path, display: root.display, excludes: excludes, into: &sources)
                } else {
                    sources.append(Source(path: root.display, explicit: root.explicit, stagedContent: nil))
                }
                return sources
            }.flatMap { $0 }
            results = concurrentMap(sources, scratch: { ReadBuffer() }) { source, buffer in
                Self.lint(source, includeDocs: includeDocs, references: references, buffer: buffer)
            }
        }
        var files: [LintedFile] = []
        for (file, note) in results {
            if let note { reporter.note(note) }
            if let file { files.append(file) }
        }
        return files
    }

    /// Gives each finding's URL its name for the whole run, in the walk's order.
    static func settleNames(in files: inout [LintedFile], naming: inout PinNaming) {
        for fileIndex in files.indices {
            for index in files[fileIndex].diagnostics.indices {
                guard let url = files[fileIndex].diagnostics[index].suggestion?.url else { continue }
                files[fileIndex].diagnostics[index].suggestion?.name = naming.name(for: url)
                files[fileIndex].diagnostics[index].suggestion?.isPinned = naming.isPinned(url)
            }
        }
    }

    /// A starting point of the walk: a file named on the command line, or an entry of a named directory.
    struct Root: Sendable {
        let path: String
        let display: String
        let isDirectory: Bool
        let explicit: Bool
    }

    /// A file to lint: its path as shown, and how to get its bytes.
    struct Source: Sendable {
        let path: String
        let explicit: Bool
        /// For `--staged`: the blob in the git index instead of the working tree.
        let stagedContent: [UInt8]?
        /// A directory of the walk that could not be listed: reported, as an unreadable file is.
        var unlistable: Errno?
    }

    /// Bytes read to find a `#!` line in a file whose name does not tell its kind.
    static let shebangProbeSize = 128

    /// What reading a file gave: its bytes to lint, or the answer that needs no copy of them.
    private enum Contents {
        case bytes([UInt8])
        /// A text file of a known kind that names no downloader: nothing to parse.
        case namesNoDownloader
    }

    /// Lints one file, reading it through `buffer` (a worker's, reused from
    /// file to file): most files name no downloader, and are answered from
    /// the buffer without a copy of their bytes.
    static func lint(_ source: Source, includeDocs: Bool, references: Bool = false, buffer: ReadBuffer = ReadBuffer()) -> (LintedFile?, String?) {
        if let errno = source.unlistable {
            return (LintedFile(path: source.path, diagnostics: [
                LintDiagnostic(line: 1, column: 1, rule: .parseError, message: "cannot list this directory: \(errno); nothing in it was checked", url: nil),
            ]), nil)
        }
        var kind: LintFileKind?
        var playbookCandidate = false
        switch LintFileKind.classify(path: source.path, includeDocs: includeDocs) {
        case .kind(let known):
            kind = known
        case .needsShebang:
            if source.explicit { kind = .shell }
        case .needsContent:
            playbookCandidate = true
        }
        let bytes: [UInt8]
        if let staged = source.stagedContent {
            bytes = staged
        } else {
            do {
                if kind == nil {
                    // Peek at the first line only: most such files are not scripts (a YAML file's first play, for a playbook).
                    guard let head = try readPrefix(source.path, count: playbookCandidate ? MoreCIFiles.playbookProbeSize : shebangProbeSize),
                          LintFileKind.hasShellShebang(head) || (playbookCandidate && MoreCIFiles.isPlaybook(head))
                    else {
                        return (nil, nil)
                    }
                }
                let known = kind
                let read = try buffer.withContents(of: source.path, limit: maximumFileSize) { view -> Contents in
                    let text = view.assumingMemoryBound(to: UInt8.self)
                    // A binary file goes on as bytes, to be skipped (and named) below.
                    let answered = known != nil && !references && !containsNUL(text, within: binaryProbeSize) && !DownloadWordScan.mentionsDownload(text)
                    return answered ? .namesNoDownloader : .bytes(Array(text))
                }
                switch read {
                case nil:
                    return (nil, "scriptpin: \(source.path): skipped: larger than \(maximumFileSize) bytes")
                case .namesNoDownloader:
                    return (LintedFile(path: source.path, diagnostics: [], kind: known), nil)
                case .bytes(let read):
                    bytes = read
                }
            } catch {
                return (LintedFile(path: source.path, diagnostics: [
                    LintDiagnostic(line: 1, column: 1, rule: .parseError, message: "cannot read it: \(error)", url: nil),
                ]), nil)
            }
        }
        guard let kind = kind ?? (playbookCandidate && MoreCIFiles.isPlaybook(bytes) ? .ansible : LintFileKind.hasShellShebang(bytes) ? .shell : nil)
        else { return (nil, nil) }
        if containsNUL(bytes, within: binaryProbeSize) {
            return (nil, source.explicit ? "scriptpin: \(source.path): skipped: binary file" : nil)
        }
        let diagnostics = suppress(LintEngine.lint(bytes, kind: kind), in: bytes)
        var file = LintedFile(path: source.path, diagnostics: diagnostics, kind: kind)
        if references { file.references = LintEngine.pinReferences(in: bytes, kind: kind) }
        return (file, nil)
    }

    /// Drops findings with `# scriptpin: ignore <reason>` on their line or the line above.
    static func suppress(_ diagnostics: [LintDiagnostic], in bytes: [UInt8]) -> [LintDiagnostic] {
        let marker = Array(("# " + ignoreMarker).utf8)
        // Most files have no marker at all: one search, and no lines to split.
        guard diagnostics.contains(where: { $0.rule == .downloadExec }), bytes.firstOffset(of: marker) != nil else { return diagnostics }
        let lines = SourceLines(bytes).lines
        func ignores(_ number: Int) -> Bool {
            guard number >= 1, number <= lines.count else { return false }
            return lines[number - 1].bytes.firstOffset(of: marker) != nil
        }
        return diagnostics.filter { $0.rule != .downloadExec || !(ignores($0.line) || ignores($0.line - 1)) }
    }

    private func discoveredRoots() throws(ScriptPinError) -> [Root] {
        var roots: [Root] = []
        for path in paths.isEmpty ? ["."] : paths {
            switch fileKindWithoutFollowing(path) {
            case .missing:
                throw .readFailed(path: path, .noSuchFile)
            case .directory:
                let display = path == "." ? "" : path
                for name in (try? directoryEntries(path)) ?? [] {
                    let child = joinPath(path, name)
                    let shown = display.isEmpty ? name : joinPath(display, name)
                    if Self.isExcluded(shown, excludes: excludes) { continue }
                    switch fileKindWithoutFollowing(child) {
                    case .directory where !Self.skippedDirectories.contains(name):
                        roots.append(Root(path: child, display: shown, isDirectory: true, explicit: false))
                    case .regular:
                        roots.append(Root(path: child, display: shown, isDirectory: false, explicit: false))
                    default:
                        break
                    }
                }
            default:
                if !Self.isExcluded(path, excludes: excludes) {
                    roots.append(Root(path: path, display: path, isDirectory: false, explicit: true))
                }
            }
        }
        return roots
    }

    private static let skippedDirectories: Set<String> = [".git", ".build"]

    private static func walk(_ directory: String, display: String, excludes: [String], into sources: inout [Source]) {
        let entries: [DirectoryEntry]
        do { entries = try directoryListing(directory) } catch {
            sources.append(Source(path: display, explicit: false, stagedContent: nil, unlistable: error))
            return
        }
        for entry in entries {
            let name = entry.name
            let path = joinPath(directory, name)
            let shown = joinPath(display, name)
            if isExcluded(shown, excludes: excludes) { continue }
            switch entry.kind ?? fileKindWithoutFollowing(path) {
            case .directory:
                if !skippedDirectories.contains(name) { walk(path, display: shown, excludes: excludes, into: &sources) }
            case .regular:
                sources.append(Source(path: shown, explicit: false, stagedContent: nil))
            default:
                break
            }
        }
    }

    private static func isExcluded(_ path: String, excludes: [String]) -> Bool {
        guard !excludes.isEmpty else { return false }
        let name = String(path.split(separator: "/").last ?? Substring(path))
        return excludes.contains { pattern in
            globMatches(pattern, path) || globMatches(pattern, name)
        }
    }

    /// The staged contents (the git index) of every added, copied, modified,
    /// renamed or retyped file, each read by its object id: a name is only a
    /// label here, so `1:x.sh`, `0:y.sh` or bytes that are not UTF-8 cannot
    /// make git show another file, or none.
    private func stagedFiles(context: ProcessContext) throws(ScriptPinError) -> [Source] {
        let purpose = "lint the staged files"
        // Outside a repository `git diff` would fall back to comparing paths, and print its usage.
        guard try git(["rev-parse", "--git-dir"], for: purpose, context: context).succeeded else {
            throw .notInGitRepository(purpose: purpose)
        }
        let listing = try git(["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--diff-filter=ACMT"], for: purpose, context: context)
        guard listing.succeeded else {
            throw .gitFailed(what: "list the staged files (`git diff --cached` failed)", remedy: "check the repository with `git status`")
        }
        var sources: [Source] = []
        for entry in StagedEntry.parse(listing.output) where entry.isRegularFile {
            let name = VisibleText.escape(bytes: entry.path)
            if Self.isExcluded(name, excludes: excludes) { continue }
            let blob = try git(["cat-file", "blob", entry.objectID], for: purpose, context: context)
            guard blob.succeeded else {
                throw .gitFailed(what: "read the staged content of \(name) (object \(entry.objectID))", remedy: "check the repository with `git fsck`")
            }
            sources.append(Source(path: name, explicit: false, stagedContent: blob.output))
        }
        return sources
    }
}

/// One line of `git diff --cached --raw -z --no-abbrev`:
/// `:OLDMODE NEWMODE OLDID NEWID STATUS` NUL `PATH` NUL.
struct StagedEntry: Equatable {
    let newMode: String
    let objectID: String
    /// The path exactly as git stores it: bytes, not necessarily UTF-8.
    let path: [UInt8]

    /// A blob that is a file (not a symbolic link's target, not a submodule).
    var isRegularFile: Bool { newMode == "100644" || newMode == "100755" }

    static func parse(_ output: [UInt8]) -> [StagedEntry] {
        let fields = output.split(separator: 0, omittingEmptySubsequences: false)
        var entries: [StagedEntry] = []
        var index = 0
        while index + 1 < fields.count {
            let metadata = fields[index].split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            if metadata.count == 5, metadata[0].hasPrefix(":") {
                entries.append(StagedEntry(newMode: metadata[1], objectID: metadata[3], path: Array(fields[index + 1])))
            }
            index += 2
        }
        return entries
    }
}
