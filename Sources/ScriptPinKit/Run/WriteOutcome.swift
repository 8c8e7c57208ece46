/// What a write-confined script changed, and what became of each change:
/// made on the host (in the write list, or auditing) or discarded.
struct WriteOutcome {
    struct Entry {
        let change: FileChange
        /// Why it could not be made on the host, when it should have been.
        var failure: String?
    }

    /// A modified text file in an audit: how its lines changed.
    struct TextSummary {
        let path: String
        let added: Int
        let removed: Int
        let firstAdded: [String]
    }

    private(set) var kept: [Entry] = []
    private(set) var discarded: [Entry] = []
    /// Directories that were read-only (no layer): writes there refused and not listed.
    private(set) var unlisted: [String] = []
    private(set) var summaries: [TextSummary] = []
    let audit: Bool

    /// Summaries read files up to this size: a profile or a config file, not a toolchain.
    static let summarizedFileLimit = 1 << 20
    /// Discarded writes listed on stderr: a script that writes thousands of files would bury everything else; the report has them all.
    static let listedDiscards = 100
    /// Directories named in the note on refused layers: where the kernel refuses one it refuses them all.
    static let namedUnlistedDirectories = 5
    /// Added lines shown per file: enough to recognise a `PATH` line.
    static let shownAddedLines = 3

    /// Reads the layers, then makes every kept change on the host.
    init(plan: ConfinementPlan, steps: [RootStep], layers: WriteLayerDirectory) throws(ScriptPinError) {
        audit = if case .layered(_, true) = plan.writes { true } else { false }
        let changes: WriteChanges
        do { changes = try WriteChanges(steps: steps, layers: layers, refused: &unlisted) } catch {
            throw .writeLayersUnreadable(error)
        }
        let preservingOwner = effectiveUserID() == 0
        for change in changes.changes {
            switch plan.disposition(of: change) {
            case .temporary:
                // Private to the run, unless auditing: then made as an unconfined run would, and not suggested.
                if audit { try? WriteApplication.apply(change, preservingOwner: preservingOwner) }
                continue
            case .discarded:
                discarded.append(Entry(change: change))
            case .kept:
                if audit, change.kind == .modified, let summary = Self.summary(of: change) { summaries.append(summary) }
                var entry = Entry(change: change)
                do { try WriteApplication.apply(change, preservingOwner: preservingOwner) } catch { entry.failure = error.description }
                kept.append(entry)
            }
        }
    }

    private static func summary(of change: FileChange) -> TextSummary? {
        guard let layerPath = change.layerPath,
              let old = try? readFile(change.path, limit: summarizedFileLimit), let new = try? readFile(layerPath, limit: summarizedFileLimit),
              !old.contains(0), !new.contains(0),
              let diff = UnifiedDiff(old: String(decoding: old, as: UTF8.self), new: String(decoding: new, as: UTF8.self))
        else { return nil }
        let removed = diff.operations.count { if case .removed = $0 { true } else { false } }
        let added = diff.addedLineNumbers
        return TextSummary(
            path: change.path, added: added.count, removed: removed,
            firstAdded: added.prefix(shownAddedLines).map { VisibleText.escape(diff.newLines[$0 - 1]) })
    }

    /// The shortest `write` lines that cover every kept change: a directory
    /// the script created is one line, a file is named as a file; a path
    /// in the working directory is written `./PATH`, one in the home
    /// directory `~/PATH`, so that the lines hold on another machine.
    func suggestedWriteLines(home: String?, workingDirectory: String) -> [String] {
        var covered: [String] = []
        for path in kept.flatMap(\.change.touchedPaths) where !covered.contains(where: { isInside(path, $0) }) {
            covered.removeAll { isInside($0, path) }
            covered.append(path)
        }
        return covered.map { Self.shown($0, home: home, workingDirectory: workingDirectory) }.sorted()
    }

    /// A path as messages and write lines show it: `./FILE` in the working directory, `~/FILE` in the home directory, else absolute.
    static func shown(_ path: String, home: String?, workingDirectory: String) -> String {
        if path == workingDirectory { return "." }
        if isInside(path, workingDirectory) && workingDirectory != "/" { return "." + path.dropFirst(workingDirectory.count) }
        if let home, isInside(path, home) && home != "/" { return path == home ? "~" : "~" + path.dropFirst(home.count) }
        return path
    }

    /// The notes `run` prints after the script.
    func report(to reporter: any Reporter, home: String?, workingDirectory: String, termination: Termination) {
        let show = { (path: String) in VisibleText.escape(Self.shown(path, home: home, workingDirectory: workingDirectory)) }
        for entry in discarded.prefix(Self.listedDiscards) {
            reporter.note("scriptpin: discarded write to \(show(entry.change.path)) (\(entry.change.description(showing: show)); not in the pin's write list)")
        }
        if discarded.count > Self.listedDiscards {
            reporter.note("scriptpin: and \(plural(discarded.count - Self.listedDiscards, "discarded write")) more; `run --report FILE` lists them all")
        }
        for entry in kept {
            if let failure = entry.failure {
                reporter.warning("the script's change to \(show(entry.change.path)) (\(entry.change.description(showing: show))) could not be made on the host: \(failure); make it by hand or run the script again")
            }
        }
        if !unlisted.isEmpty {
            let named = unlisted.prefix(Self.namedUnlistedDirectories).map(show).joined(separator: ", ")
            let more = unlisted.count > Self.namedUnlistedDirectories ? " and \(unlisted.count - Self.namedUnlistedDirectories) more" : ""
            reporter.note("scriptpin: no copy-on-write layer for \(named)\(more) (the kernel refused one, or the directory holds mounts and more entries than scriptpin lays out one by one, or it is not yours to list): they were read-only, so writes to them were refused and cannot be listed")
        }
        reporter.note("scriptpin: files: \(plural(kept.count, "change")) made on the host, \(discarded.count) discarded")
        guard audit else { return }
        let lines = suggestedWriteLines(home: home, workingDirectory: workingDirectory)
        if lines.isEmpty {
            reporter.note("scriptpin: write audit: the script changed nothing outside its temporary directory; `write none` in its pin allows exactly that")
        } else {
            reporter.note("scriptpin: write audit: the script changed \(plural(kept.count, "path")); these suggested lines in its pin allow exactly them:")
            for line in lines { reporter.note("write \(VisibleText.escape(line))") }
        }
        for summary in summaries {
            let first = summary.firstAdded.isEmpty ? "" : ": " + summary.firstAdded.joined(separator: " | ")
            reporter.note("scriptpin: \(show(summary.path)): +\(summary.added) -\(summary.removed) lines\(first)")
        }
        if termination != .exited(0) {
            reporter.warning("the write audit may be incomplete: the script \(termination.sentence), perhaps before it made every change it needs; audit it again once it succeeds")
        }
    }
}
