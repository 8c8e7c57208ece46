/// How a command ended, for the executable to turn into an exit code.
public enum Outcome: Sendable, Equatable {
    case succeeded
    /// The most serious kind of failure among everything the command did.
    case failed(ScriptPinError.Category)

    /// This outcome after one more failure: the more serious of the two.
    public func including(_ category: ScriptPinError.Category) -> Outcome {
        switch self {
        case .succeeded: .failed(category)
        case .failed(let worst): .failed(max(worst, category))
        }
    }

    /// The more serious of this outcome and `other`.
    public func including(_ other: Outcome) -> Outcome {
        guard case .failed(let category) = other else { return self }
        return including(category)
    }
}
