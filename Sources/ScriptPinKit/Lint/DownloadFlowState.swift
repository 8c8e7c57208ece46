/// What a downloader did with what it fetched.
struct Download {
    let tool: String
    let url: String?
    let offset: Int
    /// The downloader's whole command and the words before its name (`sudo`), for `lint --fix`.
    var command: Range<Int>?
    var prefix: Range<Int>?
    /// The analysis unit (a step, a recipe line) the command stands in.
    var unit = 0
    /// The file the downloader itself wrote, as written.
    var savedPath: String?
    /// The bytes went through another command (a filter) on their way.
    var throughFilters = false
    /// Its place in the order of downloads saved to files, set when it is recorded.
    var sequence = 0
    /// Made through a launcher or wrapper (`retry curl`, `ssh host curl`), which a rewrite would drop.
    var launcher: String?

    var described: String {
        url.map { "\($0) (downloaded by \(tool))" } ?? "the output of \(tool)"
    }
}

/// What one execution context knows between its commands: a shell
/// script, a Dockerfile stage, or a CI job whose steps run in one workspace.
///
/// A value, so that a child scope gets a copy: what the workspace holds is
/// shared by every shell that runs in it and is merged back from a child;
/// what a shell knows (its options, its functions, the checks that passed
/// for control to reach this point) ends with the shell that learnt it.
public struct DownloadFlowState {
    /// Which analysis unit of the file is being read, so that a download
    /// remembered from an earlier unit can be located in it.
    var unit = 0
    /// The grammar of the shell that runs the units read with this state.
    var dialect: ShellDialect
    var workspace = WorkspaceFacts()
    var shell: ShellFacts

    public init(errexit: Bool = false, dialect: ShellDialect = .posix) {
        shell = ShellFacts(errexit: errexit)
        self.dialect = dialect
    }

    /// A new shell process in the same flow (a Dockerfile `RUN`, a make
    /// recipe line, a CI step, `sh -c`): options and functions are its own,
    /// while the checks that passed before it was started still hold.
    mutating func startProcess(errexit: Bool) {
        shell.errexit = errexit
        shell.functions = [:]
        shell.directory = nil
    }

    /// A download written to `path`: it is new bytes, so no earlier check covers it.
    mutating func record(_ path: String, _ download: Download) {
        var download = download
        download.sequence = workspace.nextSequence
        workspace.nextSequence += 1
        workspace.downloads[normalized(resolved(path))] = download
    }

    func download(at path: String) -> Download? {
        workspace.downloads[normalized(resolved(path))]
    }

    /// `cd DIR`: relative paths from here on are under it, as written (`$dir`, `build/out`); nil when it is not known.
    mutating func changeDirectory(to directory: String?) {
        guard let directory, !directory.isEmpty, directory != "-", !directory.contains("..") else {
            shell.directory = nil
            return
        }
        shell.directory = resolved(directory)
    }

    /// A relative path under the directory `cd` entered, when one is known.
    private func resolved(_ path: String) -> String {
        guard let directory = shell.directory, !path.hasPrefix("/"), !path.hasPrefix("$"), !path.hasPrefix("~") else { return path }
        var relative = Substring(path)
        while relative.hasPrefix("./") { relative = relative.dropFirst(2) }
        return directory + "/" + relative
    }

    /// What a check naming `paths` covers: the downloads saved there or, when
    /// it names none of them (`sha256sum -c sums`), everything downloaded so far.
    func checks(naming paths: [String]) -> Checks {
        let named = paths.compactMap { download(at: $0)?.sequence }
        return named.isEmpty ? Checks(before: workspace.nextSequence) : Checks(downloads: Set(named))
    }

    /// The download saved as `path`, unless a check that passed covers it.
    func unverifiedDownload(at path: String, passed chain: Checks = Checks()) -> Download? {
        guard let download = download(at: path), !shell.verified.covers(download), !chain.covers(download) else { return nil }
        return download
    }
}

/// What the files of the workspace hold.
struct WorkspaceFacts {
    /// Files written by a download, by path as written in the source.
    var downloads: [String: Download] = [:]
    /// The last unverified download an archive tool unpacked, and where.
    var unpacked: Unpacked?
    /// Numbers downloads in the order they were made, so that a check covers
    /// only what existed when it ran, not a later download to the same path.
    var nextSequence = 0
    /// Every `scriptpin …` command run here, in the order met, for `verify`
    /// to resolve the pins they name.
    var pinInvocations: [PinInvocation] = []
}

/// A `scriptpin` command in code: where its name stands, and its arguments
/// (nil for a word that is not written out).
struct PinInvocation {
    let offset: Int
    let arguments: [String?]
    /// Where each argument's source text stands in the parsed text.
    let argumentRanges: [Range<Int>]
}

/// What one shell process knows.
struct ShellFacts {
    /// `set -e` is on (or the runner stops at the first failing command), so
    /// a failed verification stops everything after it.
    var errexit: Bool
    /// Functions defined so far whose body runs its stdin with an interpreter, and that interpreter.
    var functions: [String: String] = [:]
    /// Checks that passed for control to reach the current command.
    var verified = Checks()
    /// Variables holding a string that names a downloader (`cmd="curl … | bash"`), for the `eval "$cmd"` that runs it.
    var codeStrings: [String: StoredCode] = [:]
    /// Variables holding a file's digest (`sum=$(sha256sum f | cut -d' ' -f1)`), by the file, for the test that compares them.
    var digestVariables: [String: String] = [:]
    /// The directory the last `cd` entered, as written; nil for the one the process started in, or one not known.
    var directory: String?
}

/// Code kept in a variable: its text and where that text stands in the parsed text.
struct StoredCode {
    /// How messages name the variable: `$cmd`.
    let name: String
    let bytes: [UInt8]
    let offset: Int
}

/// Downloads that checks cover: some by number, and every one made before `before`.
struct Checks {
    var downloads: Set<Int> = []
    var before = 0

    func covers(_ download: Download) -> Bool {
        download.sequence < before || downloads.contains(download.sequence)
    }

    mutating func formUnion(_ other: Checks) {
        downloads.formUnion(other.downloads)
        before = max(before, other.before)
    }

    func union(_ other: Checks) -> Checks {
        var result = self
        result.formUnion(other)
        return result
    }
}

/// An unverified downloaded archive that was unpacked: whatever runs from
/// where it was unpacked may be its code (an archive unpacked into the
/// working directory can replace any file there).
struct Unpacked {
    let download: Download
    let tool: String
    /// `-C DIR` / `-d DIR`, as written; nil for the working directory.
    let directory: String?
    /// The archive came through a pipe (so `scriptpin fetch NAME | tar …` replaces the download).
    let throughPipe: Bool

    /// Whether running `path` may run what was unpacked.
    func mayContain(_ path: String) -> Bool {
        if let directory {
            let base = normalized(directory)
            let target = normalized(path)
            return target == base || target.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
        return !path.hasPrefix("/") && !path.hasPrefix("~") && !path.hasPrefix("$")
    }
}

/// A path as written, minus a leading `./`, so that `./install.sh` and `install.sh` match.
func normalized(_ path: String) -> String {
    var result = Substring(path)
    while result.hasPrefix("./") { result = result.dropFirst(2) }
    return String(result)
}
