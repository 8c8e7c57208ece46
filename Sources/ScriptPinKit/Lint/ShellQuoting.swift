/// Quoting for text that scriptpin writes into shell code (the hook's
/// fallback path, a Dockerfile exec-form element read as a command).
enum ShellQuoting {
    /// `text` as one single-quoted shell word: `it's` becomes `'it'\''s'`.
    static func quote(_ text: String) -> String {
        "'" + text.replacingAll("'", "'\\''") + "'"
    }
}
