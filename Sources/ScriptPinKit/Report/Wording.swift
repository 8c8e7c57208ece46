/// "1 file", "2 files": a count with its noun, for every message that counts.
func plural(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
