/// Which standard streams are terminals, and whether colour is wanted:
/// colour, progress lines and prompts depend on them.
public struct TerminalFacts: Sendable {
    public let inputIsTerminal: Bool
    public let outputIsTerminal: Bool
    public let errorIsTerminal: Bool
    /// Whether this process is in the foreground of the input terminal, so that it may read it and change its modes without being stopped.
    public let inputIsForeground: Bool
    /// False when `NO_COLOR` is set to anything but the empty string.
    public let colourAllowed: Bool

    public init(
        inputIsTerminal: Bool = false, outputIsTerminal: Bool = false, errorIsTerminal: Bool = false, inputIsForeground: Bool = false,
        colourAllowed: Bool = false
    ) {
        self.inputIsTerminal = inputIsTerminal
        self.outputIsTerminal = outputIsTerminal
        self.errorIsTerminal = errorIsTerminal
        self.inputIsForeground = inputIsForeground
        self.colourAllowed = colourAllowed
    }
}
