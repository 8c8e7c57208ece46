/// `tar x…` and `unzip`: what they unpack, from where, and into where.
struct ArchiveExtraction {
    /// The archive operand (`-f F`, `xzf F`, `unzip F`); nil when reading stdin.
    var archive: String?
    var directory: String?
    /// `-O` / `--to-stdout` / `unzip -p`: the contents go to stdout instead of files.
    var toStandardOutput = false

    var readsStandardInput: Bool { archive == nil || archive == "-" }

    init?(name: String, arguments: [ShellWord]) {
        switch name {
        case "tar", "bsdtar", "gtar", "unzip": break
        default: return nil
        }
        let texts = arguments.map { $0.literal ?? $0.text }
        switch name {
        case "tar", "bsdtar", "gtar":
            var extracts = false
            var index = 0
            while index < texts.count {
                let text = texts[index]
                index += 1
                if text == "--extract" || text == "--get" { extracts = true; continue }
                if text == "--to-stdout" { toStandardOutput = true; continue }
                if text.hasPrefix("--file=") { archive = String(text.dropFirst(7)); continue }
                if text.hasPrefix("--directory=") { directory = String(text.dropFirst(12)); continue }
                if text == "--file" || text == "--directory" {
                    if index < texts.count { if text == "--file" { archive = texts[index] } else { directory = texts[index] } }
                    index += 1
                    continue
                }
                if text == "-C" {
                    if index < texts.count { directory = texts[index] }
                    index += 1
                    continue
                }
                // A cluster of short options: `-xzf F`, or the old style without a dash as the first word (`xzf F`).
                let isCluster = (text.hasPrefix("-") && !text.hasPrefix("--") && text.count > 1) || (index == 1 && !text.hasPrefix("-"))
                guard isCluster else { continue }
                let letters = (text.hasPrefix("-") ? text.dropFirst() : Substring(text)).utf8
                if letters.contains(UInt8(ascii: "x")) { extracts = true }
                if letters.contains(UInt8(ascii: "O")) { toStandardOutput = true }
                if let f = letters.firstIndex(of: UInt8(ascii: "f")) {
                    // The letters after f, if any, are its value; else the next word.
                    let afterF = letters[letters.index(after: f)...]
                    if !afterF.isEmpty && text.hasPrefix("-") {
                        archive = String(Substring(afterF))
                    } else if index < texts.count {
                        archive = texts[index]
                        index += 1
                    }
                }
            }
            guard extracts else { return nil }
        case "unzip":
            var index = 0
            while index < texts.count {
                let text = texts[index]
                index += 1
                if text == "-d" {
                    if index < texts.count { directory = texts[index] }
                    index += 1
                } else if text == "-p" || text == "-c" {
                    toStandardOutput = true
                } else if !text.hasPrefix("-") && archive == nil {
                    archive = text
                }
            }
            // unzip cannot read an archive from a pipe.
            guard archive != nil else { return nil }
        default:
            return nil
        }
    }
}
