extension String {
    /// Every occurrence of `target` replaced: for messages, quoting and
    /// templates in every layer, so it sits at the top of the library.
    func replacingAll(_ target: String, _ replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
