/// A place where something downloaded is executed without a pin.
public struct DownloadExecFinding: Sendable, Equatable {
    /// Byte offset in the analysed text.
    public let offset: Int
    public var message: String
    /// The URL when it is a literal in the source.
    public let url: String?
    /// Arguments the script is run with, for the suggested `scriptpin run NAME -- ARGS`.
    public let arguments: [String]
    /// How `lint --fix` can rewrite it, or why it cannot.
    public var fix: FixPlan = .manual(FixPlan.unknownForm)
}

/// How `lint --fix` replaces the code of a finding, in byte offsets of the
/// analysed text; the replacement keeps the source's own text for
/// everything it does not change (a prefix such as `sudo -E`, the script's
/// arguments), so that its quoting stays valid wherever the code stands.
public enum FixPlan: Sendable, Equatable {
    /// `range` becomes `PREFIX scriptpin run NAME [--interpreter I] [-- ARGUMENTS]`.
    case run(range: Range<Int>, prefix: Range<Int>?, interpreter: Range<Int>, interpreterName: String, arguments: Range<Int>?)
    /// The download command `range` (of analysis unit `unit`) becomes `PREFIX scriptpin fetch NAME -o PATH`,
    /// or, without a path, `PREFIX scriptpin fetch NAME` writing to the pipe it stood in.
    case fetch(unit: Int, range: Range<Int>, prefix: Range<Int>?, path: String?)
    case manual(String)

    static let unknownForm = "a form that is not rewritten automatically; change it by hand to `scriptpin run NAME` or `scriptpin fetch NAME -o FILE`"
    static let notLiteral = "the URL is not written out (it is built from variables or substitutions), so there is nothing to pin"
    static let quoted = "the code is inside a quoted command string or a substitution"
    static let filtered = "the download passes through other commands before the interpreter"
    static let options = "the interpreter is given options besides reading its standard input"
    static let currentShell = "eval and source run the code in this shell, while scriptpin run starts a new process"
    static let notByDownloader = "the file was written by another command than the download"
    static let powerShell = "PowerShell: only shell code is rewritten automatically"

    /// The code runs through `launcher` (on another host, as another user, in a container, through a wrapper), which a rewrite would change.
    static func launched(by launcher: String) -> String {
        "it runs through \(launcher), which a rewrite here would drop or change; put `scriptpin run NAME` where the script runs, by hand"
    }
}
