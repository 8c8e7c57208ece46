/// One `write` line: a path the script may change (a directory and
/// everything under it, or one file), or `none` for nothing but its
/// private temporary directory.
public enum WriteRule: Sendable, Hashable, CustomStringConvertible {
    case none
    /// `/ABSOLUTE`, `~` or `~/PATH` (under the home directory), or `.` or `./PATH` (under the working directory).
    case path(String)

    /// Reads `none`, `.`, `./PATH`, `~`, `~/PATH` or `/PATH`; `..` components are refused, so that a line
    /// means what it says without resolving anything.
    public init?(parsing text: String) {
        if text == "none" {
            self = .none
            return
        }
        let rooted = text == "." || text.hasPrefix("./") || text == "~" || text.hasPrefix("~/") || text.hasPrefix("/")
        guard rooted, !text.split(separator: "/").contains("..") else { return nil }
        self = .path(text)
    }

    /// The value as a `write` line writes it.
    public var description: String {
        switch self {
        case .none: "none"
        case .path(let path): path
        }
    }

    /// The absolute path this line names, `~` and `.` resolved; nil for `none`.
    func absolutePath(home: String?, workingDirectory: String) -> String? {
        guard case .path(let path) = self else { return nil }
        if path == "." || path.hasPrefix("./") { return normalizedPath(joinPath(workingDirectory, String(path.dropFirst(1)))) }
        if path == "~" || path.hasPrefix("~/") { return normalizedPath(joinPath(home ?? "/", String(path.dropFirst(1)))) }
        return normalizedPath(path)
    }

    /// Why `text` is not a write value, for pin and command-line errors.
    public static let formatHelp = "write /PATH, ~/PATH, . or ./PATH (the working directory, or a path in it) or none"
}
