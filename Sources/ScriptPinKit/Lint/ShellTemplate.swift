/// Shell scripts kept as templates (`install.sh.tmpl`, `setup.bash.j2`,
/// `deploy.sh.erb`): read as shell once each template directive (`{{ … }}`,
/// `{% … %}`, `{# … #}`, `<% … %>`) is stepped over. Each directive's bytes
/// become `_` (its line breaks kept), so every position in the masked text
/// is the file's own, and a directive in a URL leaves a word that is no URL.
enum ShellTemplate {
    /// The name endings of shell templates: a shell script's extension, then the template engine's.
    static let suffixes = [".sh.tmpl", ".bash.tmpl", ".sh.tpl", ".sh.j2", ".bash.j2", ".sh.jinja", ".sh.jinja2", ".sh.erb", ".bash.erb", ".sh.mustache"]

    static func isTemplateName(_ lower: String) -> Bool {
        suffixes.contains(where: lower.hasSuffix)
    }

    /// Directive delimiters, opening and closing.
    private static let delimiters: [(open: [UInt8], close: [UInt8])] = [("{{", "}}"), ("{%", "%}"), ("{#", "#}"), ("<%", "%>")].map {
        (Array($0.0.utf8), Array($0.1.utf8))
    }

    /// The masked bytes, or the offset of a directive that is never closed.
    static func mask(_ bytes: [UInt8]) -> Result<[UInt8], UnclosedDirective> {
        var masked = bytes
        var index = 0
        while index + 1 < bytes.count {
            guard let delimiter = delimiters.first(where: { bytes[index] == $0.open[0] && bytes[index + 1] == $0.open[1] }) else {
                index += 1
                continue
            }
            guard let close = bytes.firstOffset(of: delimiter.close, from: index + 2) else { return .failure(UnclosedDirective(offset: index)) }
            let end = close + delimiter.close.count
            for position in index..<end where masked[position] != UInt8(ascii: "\n") { masked[position] = UInt8(ascii: "_") }
            index = end
        }
        return .success(masked)
    }

    struct UnclosedDirective: Error {
        let offset: Int
    }
}
