/// What a git command printed on stdout and how it ended.
struct GitOutput {
    let succeeded: Bool
    let output: [UInt8]
}

/// Runs `git ARGUMENTS` with the context's environment (git's own
/// variables, such as `GIT_DIR` in a hook, must reach it), stdout captured;
/// `purpose` says what git is needed for, should it be missing.
func git(_ arguments: [String], for purpose: String, context: ProcessContext) throws(ScriptPinError) -> GitOutput {
    do {
        let request = SpawnRequest(arguments: ["git"] + arguments, environment: context.environment.map(\.entry), capturesOutput: true)
        let result = try spawnAndWait(request)
        return GitOutput(succeeded: result.termination == .exited(0), output: result.output)
    } catch {
        switch error {
        case .notFound: throw .programNotFound(name: "git", purpose: purpose)
        case .notExecutable(let errno), .failed(let errno): throw .spawnFailed("git", errno)
        }
    }
}
