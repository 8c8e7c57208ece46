/// What a git command printed on stdout and how it ended.
struct GitOutput {
    let succeeded: Bool
    let output: [UInt8]
}

/// Runs `git ARGUMENTS` with this process's environment, stdout captured.
func git(_ arguments: [String]) throws(ScriptPinError) -> GitOutput {
    do {
        let result = try spawnAndWait(SpawnRequest(arguments: ["git"] + arguments, capturesOutput: true))
        return GitOutput(succeeded: result.termination == .exited(0), output: result.output)
    } catch {
        switch error {
        case .notFound: throw .usage("git was not found in PATH; install git to lint staged files or install the hook")
        case .notExecutable(let errno), .failed(let errno): throw .spawnFailed("git", errno)
        }
    }
}
