/// Quoting for text that scriptpin writes into shell code (the hook's
/// fallback path, a Dockerfile exec-form element read as a command).
enum ShellQuoting {
    /// `text` as one single-quoted shell word: `it's` becomes `'it'\''s'`.
    static func quote(_ text: String) -> String {
        "'" + text.replacingAll("'", "'\\''") + "'"
    }

    /// `text` as it is when every byte is plain, else quoted: for a command a person copies.
    static func word(_ text: String) -> String {
        !text.isEmpty && text.utf8.allSatisfy(isPlainWordByte) ? text : quote(text)
    }

    /// A byte that needs no quoting in a shell word, in YAML or in a
    /// Makefile: letters, digits and `._-/+,=@%:` (a path written with only
    /// these can be written into any of them unchanged).
    static func isPlainWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "._-/+,=@%:".utf8.contains(byte)
    }
}
