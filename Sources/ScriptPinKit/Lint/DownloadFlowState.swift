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

    var described: String {
        url.map { "\($0) (downloaded by \(tool))" } ?? "the output of \(tool)"
    }
}

/// What one execution context remembers between its commands: a shell
/// script, a Dockerfile stage, or a CI job whose steps run in one workspace.
public final class DownloadFlowState {
    /// Which analysis unit of the file is being read, so that a download
    /// remembered from an earlier unit can be located in it.
    var unit = 0
    /// Files written by a download, by path as written in the source.
    var downloadedFiles: [String: Download] = [:]
    var verifiedFiles: Set<String> = []
    var verifiedEverything = false
    /// The last unverified download an archive tool unpacked, and where.
    var unpacked: Unpacked?
    /// Functions defined so far whose body runs its stdin with an interpreter, and that interpreter.
    var functions: [String: String] = [:]
    /// The grammar of the shell that runs the units read with this state.
    var dialect: ShellDialect
    /// `set -e` is on (or the runner stops at the first failing command), so
    /// a failed verification stops everything after it.
    var errexit: Bool

    public init(errexit: Bool = false, dialect: ShellDialect = .posix) {
        self.errexit = errexit
        self.dialect = dialect
    }

    /// What belongs to one shell process rather than to the files it
    /// leaves: a subshell `( … )` starts with a copy and its changes end with it.
    struct ShellScope {
        let errexit: Bool
        let functions: [String: String]
        let verifiedFiles: Set<String>
        let verifiedEverything: Bool
    }

    var shellScope: ShellScope {
        ShellScope(errexit: errexit, functions: functions, verifiedFiles: verifiedFiles, verifiedEverything: verifiedEverything)
    }

    /// Ends a subshell: its options and functions are dropped; the checks
    /// that stopped it are kept only when its failure stops the parent too.
    func restore(_ scope: ShellScope, keepingChecks: Bool) {
        errexit = scope.errexit
        functions = scope.functions
        guard !keepingChecks else { return }
        verifiedFiles = scope.verifiedFiles.intersection(verifiedFiles)
        verifiedEverything = scope.verifiedEverything && verifiedEverything
    }

    func isVerified(_ path: String, chain: VerificationChain) -> Bool {
        verifiedEverything || verifiedFiles.contains(path) || chain.everything || chain.files.contains(path)
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
