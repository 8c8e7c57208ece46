/// Where a use case sends what it has to say while it works: its results,
/// notes, warnings and progress. The library never writes to a terminal
/// itself; the executable decides how, and whether, each is shown (colour
/// only on a terminal, progress never in a pipe). swift-format's finding
/// consumer is the model.
public protocol Reporter: AnyObject, Sendable {
    /// Part of the command's result, for stdout, exactly as given.
    func result(_ text: String)
    /// Result bytes that must arrive unchanged (`run --print`).
    func result(bytes: UnsafeRawBufferPointer)
    /// A diagnostic line for stderr.
    func note(_ text: String)
    func warning(_ message: String)
    func error(_ message: String)
    /// A transient status line; nil clears it.
    func progress(_ text: String?)
    /// The script has had the terminal: before scriptpin's own lines, the
    /// terminal's attributes are reset (after a script's `ESC[8m` they would
    /// be invisible) and, with `startingLine`, a new line begins (else they
    /// would continue a line the script left).
    func reclaimTerminal(startingLine: Bool)
    /// `text` in `style` when results are shown in colour, else unchanged.
    func styled(_ text: String, _ style: TextStyle) -> String
    /// How the caller words `remedy`, appended to the sentence it completes
    /// (", or name it with --manifest DIR"); empty when there is nothing to say.
    func hint(_ remedy: Remedy) -> String
}

extension Reporter {
    /// A result line.
    public func line(_ text: String) {
        result(text + "\n")
    }
}

/// The styles results use: the executable maps them to terminal colours.
public enum TextStyle: String, Sendable {
    case bold = "1"
    case red = "31"
    case green = "32"
    case yellow = "33"
    case cyan = "36"
}
