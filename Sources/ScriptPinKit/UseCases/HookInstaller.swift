/// `scriptpin hook install`: a git pre-commit hook that runs `scriptpin verify`
/// and `scriptpin lint --staged` and blocks the commit when either fails.
public struct HookInstaller: Sendable {
    /// Marks a hook this command wrote, so that it may be replaced without --force.
    public static let marker = "# Installed by `scriptpin hook install`."

    public var force = false
    /// The scriptpin binary the hook calls when `scriptpin` is not in PATH.
    public var executable: String

    public init(executable: String) {
        self.executable = executable
    }

    public func run(reporter: any Reporter, context: ProcessContext) throws(ScriptPinError) {
        // `--git-path hooks` honours core.hooksPath.
        let purpose = "install the pre-commit hook"
        let hooks = try git(["rev-parse", "--git-path", "hooks"], for: purpose, context: context)
        guard hooks.succeeded else { throw .notInGitRepository(purpose: purpose) }
        var directory = String(decoding: hooks.output, as: UTF8.self)
        while directory.hasSuffix("\n") { directory.removeLast() }
        do { try createDirectories(directory, mode: 0o755) } catch { throw .writeFailed(path: directory, error) }
        let path = joinPath(directory, "pre-commit")
        if fileKind(path) != .missing {
            let existing = (try? readFile(path, limit: 1 << 20)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
            guard force || existing.contains(Self.marker) else {
                throw .foreignHook(path: path)
            }
        }
        try writeAtomically(path, text: script, mode: 0o755)
        reporter.note("scriptpin: installed \(path)")
    }

    var script: String {
        """
        #!/bin/sh
        \(Self.marker)
        # Blocks the commit when a pin is invalid, a staged file names a pin that is not committed,
        # or a staged file runs a download without a pin.
        scriptpin=$(command -v scriptpin || echo \(ShellQuoting.quote(executable)))
        top=$(git rev-parse --show-toplevel) || exit 1
        if [ -d "$top/known-hashes" ]; then
            if ! "$scriptpin" verify --manifest "$top/known-hashes" --staged >/dev/null; then
                echo "scriptpin: the commit was blocked: fix the pins and references above, then commit again" >&2
                exit 1
            fi
        else
            echo "scriptpin: no known-hashes/ in this repository yet; skipping verify" >&2
        fi
        if ! "$scriptpin" lint --staged; then
            echo "scriptpin: the commit was blocked by the findings above" >&2
            exit 1
        fi

        """
    }
}
