/// How a command ended, for the executable to turn into an exit code:
/// nil when everything succeeded, else the most serious kind of failure.
public typealias Outcome = ScriptPinError.Category?
