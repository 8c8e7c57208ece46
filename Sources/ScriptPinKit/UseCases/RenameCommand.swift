/// `scriptpin rename OLD NEW`: gives a pin a new name and rewrites every
/// `scriptpin run OLD` and `scriptpin fetch OLD` that lint finds in the
/// repository's code, so that nothing is left naming a pin that is gone.
/// `prepare` reads and shows every change; `commit` makes them all under
/// the manifest lock, or, when one write fails, undoes the others.
public struct RenameCommand: Sendable {
    public var oldName = ""
    public var newName = ""
    public var manifest: String?
    /// Reads which word of a `scriptpin …` command names its pin (the executable knows the commands' options).
    public var pinTarget: PinTargetReader

    public init(pinTarget: @escaping PinTargetReader) {
        self.pinTarget = pinTarget
    }

    /// A reference that names the old pin where the file's bytes cannot be rewritten as they stand.
    public struct Unrewritable: Sendable, Equatable {
        public let location: String
    }

    public struct Prepared {
        let oldFile: String
        let newFile: String
        public let newPath: String
        let text: String
        let lockDirectory: String
        let edits: [FileEdit]
        public let unrewritable: [Unrewritable]

        public var question: String { "Rename the pin and rewrite \(plural(edits.count, "file"))?" }
    }

    public func prepare(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> Prepared {
        for name in [oldName, newName] where !PinRules.isValidName(name) {
            throw .usage("'\(VisibleText.escape(name))' is not a pin name; use lowercase letters, digits, '.', '_' and '-', at most \(PinRules.maximumNameLength) characters")
        }
        guard oldName != newName else { throw .usage("the old and new names are the same; nothing to rename") }
        let manifest = try Manifest.discover(explicit: manifest, context: context)
        guard let entry = manifest.entry(named: oldName) else { throw .unknownPin(name: oldName, manifest: manifest.directory) }
        let newFile = manifest.filePath(forPinNamed: newName)
        if manifest.entry(named: newName) != nil || fileKind(newFile) != .missing {
            throw .pinExists(name: newName, path: manifest.path(forPinNamed: newName))
        }

        var lint = LintCommand()
        lint.paths = [parentDirectory(of: manifest.directory)]
        lint.collectsReferences = true
        var edits: [FileEdit] = []
        var unrewritable: [Unrewritable] = []
        for file in try lint.lintFiles(reporter: reporter, context: context) where !file.references.isEmpty {
            var ranges: [Range<Int>] = []
            for reference in file.references {
                guard let target = pinTarget(reference.arguments), target.name == oldName else { continue }
                let location = "\(file.path):\(reference.line):\(reference.column)"
                guard let range = reference.argumentRanges.indices.contains(target.argument) ? reference.argumentRanges[target.argument] : nil else {
                    unrewritable.append(Unrewritable(location: location))
                    continue
                }
                ranges.append(range)
                reporter.line("\(location): scriptpin \(reference.arguments.first.flatMap { $0 } ?? "run") \(oldName) → \(newName)")
            }
            guard !ranges.isEmpty else { continue }
            guard let original = try? readFile(file.path, limit: LintCommand.maximumFileSize), let status = fileStatus(file.path) else {
                throw .readFailed(path: file.path, .noSuchFile)
            }
            var updated = original
            for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
                updated.replaceSubrange(range, with: Array(newName.utf8))
            }
            edits.append(FileEdit(path: file.path, original: original, updated: updated, mode: status.mode & 0o7777))
        }
        if !unrewritable.isEmpty {
            reporter.line("names the pin in a form that cannot be rewritten in place (change by hand):")
            for place in unrewritable { reporter.line("  \(place.location)") }
        }
        reporter.line("\(manifest.path(forPinNamed: oldName)) → \(manifest.path(forPinNamed: newName))")
        return Prepared(
            oldFile: manifest.filePath(forPinNamed: oldName), newFile: newFile, newPath: manifest.path(forPinNamed: newName),
            text: Self.renamed(entry.document, from: oldName, to: newName).render(),
            lockDirectory: manifest.location.path, edits: edits, unrewritable: unrewritable)
    }

    /// The document with comments that name the pin (`# OLD`, `# OLD: added by …`) naming the new name.
    private static func renamed(_ document: PinDocument, from old: String, to new: String) -> PinDocument {
        PinDocument(lines: document.lines.map { line in
            guard case .comment(let text) = line else { return line }
            let body = text.drop { $0 == "#" || $0 == " " }
            guard body == old || body.hasPrefix(old + ":") else { return line }
            return .comment(String(text.prefix(text.count - body.count)) + new + body.dropFirst(old.count))
        })
    }

    /// Writes the new pin, then every file, then removes the old pin; a
    /// failed write puts back what was written before it.
    public static func commit(_ prepared: Prepared, reporter: any Reporter) throws(ScriptPinError) {
        let lock = try ManifestLock(directory: prepared.lockDirectory)
        try apply(prepared, reporter: reporter, holding: lock)
    }

    private static func apply(_ prepared: Prepared, reporter: any Reporter, holding lock: borrowing ManifestLock) throws(ScriptPinError) {
        guard fileKind(prepared.newFile) == .missing else { throw .pinExists(name: baseName(prepared.newFile), path: prepared.newPath) }
        if let changed = prepared.edits.first(where: { !$0.isUnchanged }) {
            throw .conflictingSettings("\(changed.path) changed since it was read; nothing was renamed; run `scriptpin rename` again")
        }
        try writeAtomically(prepared.newFile, text: prepared.text)
        var written: [FileEdit] = []
        do throws(ScriptPinError) {
            for edit in prepared.edits {
                try edit.write()
                written.append(edit)
            }
        } catch {
            for edit in written { try? edit.restore() }
            removeFile(prepared.newFile)
            throw error
        }
        removeFile(prepared.oldFile)
        for edit in prepared.edits { reporter.note("scriptpin: rewrote \(edit.path)") }
        reporter.note("scriptpin: renamed the pin to \(prepared.newPath); review and commit the changes")
    }
}
