/// What `verify` adds for the pre-commit hook: every `scriptpin run NAME`
/// and `scriptpin fetch NAME` in the repository's code names a pin that
/// exists and that git tracks. A pin file left untracked, or silently
/// ignored by a `.gitignore`, passes every check on the machine that wrote
/// it and breaks CI at run time.
/// The pin a `scriptpin …` command line names and which of its words names
/// it, read with that command's own declaration (the library knows no
/// command's options); nil when it names none, or not in words written out.
public typealias PinTargetReader = @Sendable ([String?]) -> (name: String, argument: Int)?

struct PinReferenceCheck {
    let target: PinTargetReader
    let staged: Bool

    /// One reference that does not resolve, as `verify` prints it.
    struct Problem: Equatable {
        let location: String
        let message: String
    }

    func problems(for manifest: Manifest, reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) -> (problems: [Problem], references: Int) {
        var lint = LintCommand()
        lint.paths = [parentDirectory(of: manifest.directory)]
        lint.staged = staged
        lint.collectsReferences = true
        let files = try lint.lintFiles(reporter: reporter, context: context)
        guard files.contains(where: { !$0.references.isEmpty }) else { return ([], 0) }
        let tracked = trackedPinFiles(of: manifest, context: context)
        if tracked == nil {
            reporter.note("scriptpin: \(manifest.directory) is not in a git repository, so whether its pins are committed was not checked")
        }
        var problems: [Problem] = []
        var count = 0
        for file in files {
            for reference in file.references {
                guard let name = target(reference.arguments)?.name, PinRules.isValidName(name) else { continue }
                count += 1
                let location = "\(file.path):\(reference.line):\(reference.column)"
                let shown = manifest.path(forPinNamed: name)
                if fileKind(manifest.filePath(forPinNamed: name)) != .regular {
                    problems.append(Problem(location: location, message: "`scriptpin \(reference.arguments.first.flatMap { $0 } ?? "run") \(name)` names no pin: \(shown) does not exist; pin it with `scriptpin add \(name) URL`"))
                } else if let tracked, !tracked.contains(name + PinRules.fileExtension) {
                    let index = staged ? "staged" : "tracked by git"
                    let ignored = ignoringRule(for: manifest.filePath(forPinNamed: name), context: context)
                    let because = ignored.map { ": it is ignored by \($0), so `git add` skips it; add `!\(name + PinRules.fileExtension)` to a .gitignore or fix that rule" } ?? ""
                    problems.append(Problem(location: location, message: "pin \(name) is not \(index)\(because); run `git add \(shown)` so that CI gets it"))
                }
            }
        }
        return (problems, count)
    }

    /// The pin files git's index holds in the manifest directory; nil outside a repository.
    private func trackedPinFiles(of manifest: Manifest, context: ProcessContext) -> Set<String>? {
        guard let listed = try? git(["-C", manifest.location.path, "ls-files", "-z", "--cached", "--", "."], for: "checking that pins are committed", context: context),
              listed.succeeded
        else { return nil }
        return Set(listed.output.split(separator: 0).map { baseName(String(decoding: $0, as: UTF8.self)) })
    }

    /// `FILE:LINE (PATTERN)` of the ignore rule that matches `path`, or nil.
    private func ignoringRule(for path: String, context: ProcessContext) -> String? {
        guard let answer = try? git(["-C", parentDirectory(of: path), "check-ignore", "-v", "--no-index", "--", baseName(path)],
                                    for: "checking that pins are committed", context: context),
              answer.succeeded
        else { return nil }
        // `SOURCE:LINE:PATTERN<TAB>PATH`
        let rule = String(decoding: answer.output, as: UTF8.self).split(separator: "\t").first.map(String.init) ?? ""
        let parts = rule.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3 else { return nil }
        return "\(parts[0]):\(parts[1]) (`\(parts[2])`)"
    }
}
