import ScriptPinKit

/// The one place where outcomes and errors become process exit codes
/// (documented in the README's table and in `scriptpin --help`).
enum ExitCode {
    static let success: Int32 = 0
    /// A bad command line, for every command but `run`.
    static let usage: Int32 = 2

    /// 0 for success, else the category's code: 1 verification failed, 2 invalid input, 3 unavailable.
    static func of(_ outcome: Outcome) -> Int32 {
        switch outcome {
        case .succeeded: success
        case .failed(let category): of(category)
        }
    }

    static func of(_ category: ScriptPinError.Category) -> Int32 {
        Int32(category.rawValue)
    }

    /// `run` passes the script's status through (0–123, 128+N for signal N)
    /// and keeps 124–127 for its own failures.
    enum Run {
        static let fetchFailed: Int32 = 124
        static let refused: Int32 = 125
        static let notExecutable: Int32 = 126
        static let notFound: Int32 = 127

        static func of(_ error: ScriptPinError) -> Int32 {
            switch error {
            case .fetch, .storeEntryMissing, .evidenceUnreachable: fetchFailed
            case .interpreterNotFound: notFound
            case .interpreterNotExecutable, .spawnFailed: notExecutable
            default: refused
            }
        }

        static func of(_ outcome: RunCommand.Outcome) -> Int32 {
            switch outcome {
            case .ran(let termination, _): termination.exitCode
            case .printed: success
            }
        }
    }
}

/// Which exit codes a command uses, a property of the command: most use the
/// categories (0–3); `run` and `fetch` keep 0–123 for the script (or for a
/// pipe's reader) and use 124–127 for their own failures, usage errors included.
enum ExitCodeScheme: Sendable {
    case categories
    case runner

    var usage: Int32 {
        switch self {
        case .categories: ExitCode.usage
        case .runner: ExitCode.Run.refused
        }
    }

    func of(_ error: ScriptPinError) -> Int32 {
        switch self {
        case .categories: ExitCode.of(error.category)
        case .runner: ExitCode.Run.of(error)
        }
    }
}
