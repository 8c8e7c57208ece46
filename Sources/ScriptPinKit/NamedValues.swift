/// A setting whose values are a fixed set of words (`auto`, `required`,
/// `off`). The command line, its help and errors, and the pin file's
/// messages all describe it from the cases themselves, so they cannot drift
/// apart when a value is added.
public protocol NamedValues: CaseIterable, RawRepresentable, Sendable where RawValue == String {}

extension NamedValues {
    /// `auto|required|off`, for usage lines.
    public static var alternatives: String {
        allCases.map(\.rawValue).joined(separator: "|")
    }

    /// `auto, required or off`, for sentences.
    public static var spelledOut: String {
        let names = allCases.map(\.rawValue)
        guard let last = names.last, names.count > 1 else { return names.joined() }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }
}
