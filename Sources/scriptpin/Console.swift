import Glibc
import ScriptPinKit
import Synchronization

/// The terminal side of a `Reporter`: results on stdout, diagnostics on
/// stderr, colour only when that stream is a terminal and `NO_COLOR` is
/// unset, progress lines and prompts only on a terminal.
final class Console: Reporter {
    enum Stream: Sendable {
        case output
        case error
    }

    let colouredOutput: Bool
    let colouredErrors: Bool
    /// Whether stderr is a terminal: progress lines and prompts need one.
    let interactiveErrors: Bool
    let interactiveInput: Bool
    private let lock = Mutex(())
    private let outputDescriptor: Int32
    private let errorDescriptor: Int32

    init(terminal: TerminalFacts, outputDescriptor: Int32 = 1, errorDescriptor: Int32 = 2) {
        self.outputDescriptor = outputDescriptor
        self.errorDescriptor = errorDescriptor
        self.colouredOutput = terminal.colourAllowed && terminal.outputIsTerminal
        self.colouredErrors = terminal.colourAllowed && terminal.errorIsTerminal
        self.interactiveErrors = terminal.errorIsTerminal
        self.interactiveInput = terminal.inputIsTerminal
    }

    /// `text` wrapped in an ANSI style when `stream` is coloured.
    func styled(_ text: String, _ style: TextStyle, on stream: Stream) -> String {
        let coloured = stream == .output ? colouredOutput : colouredErrors
        return coloured ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func result(_ text: String) {
        write(text, to: .output)
    }

    func result(bytes: UnsafeRawBufferPointer) {
        write(bytes: bytes, to: .output)
    }

    func styled(_ text: String, _ style: TextStyle) -> String {
        styled(text, style, on: .output)
    }

    /// The remedies in the words of this command line.
    func hint(_ remedy: Remedy) -> String {
        switch remedy {
        case .nameManifest: ", or name it with --manifest DIR or SCRIPTPIN_MANIFEST"
        case .nameTrustedManifest: ", or, if you trust it, name it explicitly with --manifest DIR or SCRIPTPIN_MANIFEST"
        case .chooseInterpreter: " or choose another with --interpreter"
        case .chooseInterpreterForShebang: "; choose the interpreter with --interpreter or the pin's interpreter line"
        case .recordInterpreter: ", or give one with --interpreter"
        case .confirmWithoutTerminal: ". Pass --yes when there is no terminal to answer"
        case .trustPrivateCA: ". If the server uses a private CA, pass it with --ca-file"
        case .checkCAFile: "; check --ca-file or SSL_CERT_FILE"
        case .raiseTimeout: ", or raise --timeout"
        case .raiseSizeLimit: " with --max-size or the pin's max-size if the script really grew"
        case .allowVariable: " with --allow-env NAME or the pin's env line"
        case .replaceHook: " with --force"
        case .runUnconfined: "; run with --confine off to go without confinement"
        case .auditEgress: " (`scriptpin run --egress-audit` shows the ones it contacts)"
        case .auditWrites: " (`scriptpin run --write-audit` shows the ones it changes)"
        case .exposePath: ", or name it with --expose if the script may reach it"
        case .rerunFix: ". Run `scriptpin lint --fix` again"
        case .addEvidence: "; give it one with --source URL, --source github:OWNER/REPO@REF:PATH or --sums URL (see the README's Provenance section)"
        }
    }

    /// Writes a diagnostic line to stderr.
    func note(_ text: String) {
        write(text + "\n", to: .error)
    }

    /// `Error: message` on stderr, the prefix in red on a terminal.
    /// The message may quote a server's text or a script's `#!` line, so its
    /// hiding controls are escaped.
    func error(_ message: String) {
        note(styled("Error:", .red, on: .error) + " " + VisibleText.escape(message))
    }

    func warning(_ message: String) {
        note(styled("Warning:", .yellow, on: .error) + " " + VisibleText.escape(message))
    }

    /// Replaces the current terminal line on stderr (nil clears it); does nothing in a pipe.
    func progress(_ text: String?) {
        guard interactiveErrors else { return }
        write("\r\u{1B}[2K" + (text ?? ""), to: .error)
    }

    /// On a terminal: SGR reset, cursor shown, the default character set (SI).
    func reclaimTerminal(startingLine: Bool) {
        guard interactiveErrors else { return }
        write("\u{1B}[0m\u{1B}[?25h\u{0F}" + (startingLine ? "\n" : ""), to: .error)
    }

    func write(_ text: String, to stream: Stream) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { write(bytes: $0, to: stream) }
    }

    /// Writes raw bytes unchanged, for output that must be byte-exact (`run --print`).
    func write(bytes: UnsafeRawBufferPointer, to stream: Stream) {
        let descriptor = stream == .output ? outputDescriptor : errorDescriptor
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                // A closed pipe (`scriptpin check | head`) is not worth a crash or a retry loop.
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Asks a yes/no question on the terminal; false without a terminal or on anything but yes.
    func confirm(_ question: String) -> Bool {
        guard interactiveInput else { return false }
        write(question + " [y/N] ", to: .error)
        guard let answer = readLine(strippingNewline: true) else { return false }
        return ["y", "yes"].contains(answer.lowercased())
    }
}
