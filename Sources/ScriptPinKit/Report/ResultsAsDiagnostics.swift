/// A reporter whose results go to the diagnostics: for a command whose
/// stdout carries a document of its own (`update --format markdown`), the
/// review it prints for a person still reaches the log, on stderr.
public final class ResultsAsDiagnostics: Reporter {
    private let base: any Reporter

    public init(_ base: any Reporter) {
        self.base = base
    }

    public func result(_ text: String) {
        base.note(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    public func result(bytes: UnsafeRawBufferPointer) {
        result(String(decoding: bytes, as: UTF8.self))
    }

    public func note(_ text: String) { base.note(text) }
    public func warning(_ message: String) { base.warning(message) }
    public func error(_ message: String) { base.error(message) }
    public func progress(_ text: String?) { base.progress(text) }
    public func reclaimTerminal(startingLine: Bool) { base.reclaimTerminal(startingLine: startingLine) }
    public func styled(_ text: String, _ style: TextStyle) -> String { base.styled(text, style) }
    public func hint(_ remedy: Remedy) -> String { base.hint(remedy) }
}
