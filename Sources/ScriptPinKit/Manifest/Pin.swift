/// What a pin promises: the body served at `url` hashes to one of `sha256`.
public struct Pin: Sendable, Equatable {
    public var name: String
    public var url: String
    /// One or more accepted digests; several let a rotation accept old and new.
    public var sha256: [Digest]
    public var interpreter: String?
    /// Variable names or `PREFIX*` patterns the script may see although they look secret.
    public var environment: [String]
    public var maxSize: Int64?
    /// The ISO date (YYYY-MM-DD) a person last approved the digests.
    public var approved: String?
    /// The hosts the script may reach; empty leaves its network unrestricted.
    public var egress: [EgressRule]
    /// The paths the script may change; empty leaves its writes unrestricted.
    public var write: [WriteRule]
    /// Paths masked from the script besides the credential stores (`~/` or absolute).
    public var hide: [String]
    /// Masked paths the script may see after all.
    public var expose: [String]
    /// How hard `run` insists on confinement; nil is `auto`.
    public var confine: ConfinementMode?
    /// Second channels that confirm the body, each checked by `add`, `update` and `check`.
    public var evidence: [Evidence]
    /// Whether `run` and `fetch` check the evidence too; nil is `optional`.
    public var provenance: ProvenanceMode?

    public init(
        name: String, url: String, sha256: [Digest], interpreter: String? = nil,
        environment: [String] = [], maxSize: Int64? = nil, approved: String? = nil,
        egress: [EgressRule] = [], write: [WriteRule] = [], hide: [String] = [], expose: [String] = [], confine: ConfinementMode? = nil,
        evidence: [Evidence] = [], provenance: ProvenanceMode? = nil
    ) {
        self.name = name
        self.url = url
        self.sha256 = sha256
        self.interpreter = interpreter
        self.environment = environment
        self.maxSize = maxSize
        self.approved = approved
        self.egress = egress
        self.write = write
        self.hide = hide
        self.expose = expose
        self.confine = confine
        self.evidence = evidence
        self.provenance = provenance
    }

    /// Whether `digest` is one this pin accepts.
    public func accepts(_ digest: Digest) -> Bool {
        sha256.contains(digest)
    }
}

/// Limits and shapes that pin files must respect.
public enum PinRules {
    /// What no `write` line may name, wherever the pin runs: the kernel's
    /// interfaces (never layered, so a line could not mean what it says),
    /// and the directory through which a GitHub runner reads the files that
    /// change later steps. The manifest, scriptpin's own directory and the
    /// runner's files at their run-time paths are refused where those are known.
    static let protectedWriteTrees = ["/proc", "/sys", "/dev"]
    static let runnerCommandDirectoryName = "_runner_file_commands"

    /// Why `value` may not be a `write` line, or nil.
    static func protectedWriteProblem(_ value: String) -> String? {
        let path = value.hasPrefix("/") ? normalizedPath(value) : value
        if let tree = protectedWriteTrees.first(where: { path == $0 || path.hasPrefix($0 + "/") }) {
            return "write \(value): \(tree) is the kernel's, and a script never gets to write it; remove the line"
        }
        if value.split(separator: "/").contains(Substring(runnerCommandDirectoryName)) {
            return "write \(value): the runner reads the files there to change later steps, which is what write lines protect; remove the line"
        }
        return nil
    }

    /// A pin is a few lines; anything bigger is not a pin and is refused unread.
    public static let maximumFileSize = 64 * 1024
    public static let maximumNameLength = 64
    /// The largest `max-size` a pin may declare. Installer scripts are kilobytes;
    /// a gigabyte bound still refuses a runaway body before it fills memory or disk.
    public static let maximumDeclaredSize: Int64 = 1 << 30
    public static let fileExtension = ".pin"

    /// `[a-z0-9][a-z0-9._-]*`, at most 64 characters: safe as a file name and in a shell command.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumNameLength, isLowerAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// A valid pin name for a URL the catalogue does not know, for the `scriptpin add`
    /// that `run` and `lint` suggest: the last path segment without its
    /// file type (`rustup-init.sh` → `rustup-init`); a word that only says how a
    /// script runs (`install`, `bash`), or is too short to name anything, is joined to the project it belongs to,
    /// the GitHub repository or the host (`nvm-install`, `codecov-bash`); an
    /// empty path gives the host's name (`sh.rustup.rs` → `rustup`,
    /// `get.docker.com` → `get-docker`). Never a bare interpreter or file-type word.
    public static func suggestedName(forURL url: String) -> String {
        guard let parsed = ScriptURL(url) else { return fallbackName }
        let stem = parsed.pathSegments.last.map { nameWord(withoutFileType($0)) } ?? ""
        let project = projectWord(of: parsed)
        let name: String
        // A stem of one or two letters (`i.sh`) names nothing on its own.
        if stem.count >= 3 && !genericWords.contains(stem) && !stem.allSatisfy(\.isNumber) {
            name = stem
        } else if let project, !stem.isEmpty {
            name = project == stem ? project : project + "-" + stem
        } else if let project {
            name = project
        } else {
            name = stem.isEmpty || runnerWords.contains(stem) ? fallbackName : stem
        }
        let bounded = String(name.prefix(maximumNameLength))
        return isValidName(bounded) ? bounded : fallbackName
    }

    private static let fallbackName = "installer-script"

    /// Interpreter and file-type words: never a name on their own.
    static let runnerWords: Set<String> = ["sh", "bash", "zsh", "ksh", "dash", "shell", "script", "scripts", "py", "python", "python3", "ps1", "pl", "rb", "run", "exec"]
    /// Words that say what a script does for any project, not which project it is.
    static let genericWords: Set<String> = runnerWords.union(["install", "installer", "setup", "init", "get", "bootstrap", "download", "latest", "main", "master", "head", "index", "raw", "upload", "uploader"])
    /// Leading host labels that name a service rather than the project (`raw.`, `www.`, `sh.`).
    private static let serviceLabels: Set<String> = ["www", "raw", "sh", "bash", "cdn", "static", "dl", "downloads", "files", "assets"]
    private static let fileTypes = [".sh", ".bash", ".zsh", ".ksh", ".ps1", ".py", ".pl", ".rb"]

    private static func withoutFileType(_ segment: String) -> String {
        let lower = segment.lowercased()
        for type in fileTypes where lower.hasSuffix(type) && lower.count > type.count { return String(lower.dropLast(type.count)) }
        return lower
    }

    /// The repository of a GitHub URL; else the host without its top-level
    /// label and service labels; nil for an address.
    private static func projectWord(of url: ScriptURL) -> String? {
        let segments = url.pathSegments
        if url.host == "raw.githubusercontent.com" || url.host == "github.com" || url.host == "gist.githubusercontent.com", segments.count >= 2 {
            let repository = nameWord(segments[1])
            return repository.isEmpty ? nil : repository
        }
        if url.host.allSatisfy({ $0.isNumber || $0 == "." }) || url.host.hasPrefix("[") { return nil }
        var labels = url.host.split(separator: ".").map(String.init)
        if labels.count > 1 { labels.removeLast() }
        while labels.count > 1, serviceLabels.contains(labels[0]) { labels.removeFirst() }
        let word = nameWord(labels.joined(separator: "-"))
        return word.isEmpty ? nil : word
    }

    /// `text` with each character that may not stand in a name made `-`, runs of them made one, and the ends trimmed.
    private static func nameWord(_ text: String) -> String {
        var bytes: [UInt8] = []
        for scalar in text.lowercased().unicodeScalars {
            if let byte = UInt8(exactly: scalar.value), isLowerAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                bytes.append(byte)
            } else if bytes.last != UInt8(ascii: "-") {
                bytes.append(UInt8(ascii: "-"))
            }
        }
        let isEdge: (UInt8) -> Bool = { !isLowerAlphanumeric($0) }
        while let first = bytes.first, isEdge(first) { bytes.removeFirst() }
        while let last = bytes.last, isEdge(last) { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A variable name, or a prefix ending in `*`.
    public static func isValidEnvironmentPattern(_ pattern: String) -> Bool {
        var bytes = Array(pattern.utf8)
        if bytes.last == UInt8(ascii: "*") { bytes.removeLast() }
        guard let first = bytes.first, isLetter(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// Why `value` cannot be a pin field's value, or nil. One line of
    /// printable text: a newline would start a line of its own (a second,
    /// unreviewed `sha256`), and a control character could hide text from
    /// whoever reads the pin on a terminal. Tabs separate `env` patterns
    /// when read, but scriptpin never writes one.
    public static func valueProblem(_ value: String, allowingTabs: Bool = false) -> String? {
        if value.isEmpty { return "it is empty" }
        if value.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) { return "it contains a line break" }
        if value.unicodeScalars.contains(where: { $0 == "\t" && !allowingTabs || VisibleText.isHiding($0) }) {
            return "it contains a control character"
        }
        return nil
    }

    /// A calendar date written YYYY-MM-DD.
    public static func isValidDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.utf8.allSatisfy(isDigit) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1
        else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || isDigit(byte)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
