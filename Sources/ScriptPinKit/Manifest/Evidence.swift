/// A second channel that confirms a pin's body: a pin says the bytes were
/// approved once, evidence says they are what the vendor published where
/// whoever controls the download host cannot reach (the Codecov uploader was
/// changed on its download host while its repository stayed clean).
public enum Evidence: Sendable, Equatable, CustomStringConvertible {
    /// `source …`: the same bytes are published there.
    case source(SourceEvidence)
    /// `sums URL [FILE-NAME]`: the vendor's checksum file lists the body's digest.
    case sums(SumsEvidence)
    /// `signature KIND URL KEY …`: a key in the repository signed the body,
    /// one of the pin's checksum files, or the tag of one of its sources.
    case signature(SignatureEvidence)

    /// The value as the pin line writes it, after its key.
    public var description: String {
        switch self {
        case .source(let source): source.description
        case .sums(let sums): sums.description
        case .signature(let signature): signature.description
        }
    }

    /// The pin line's key.
    var key: PinDocument.Key {
        switch self {
        case .source: .source
        case .sums: .sums
        case .signature: .signature
        }
    }
}

/// Where else the body is published: another URL, or a file in a GitHub
/// repository at a ref (`github:OWNER/REPO@REF:PATH`), with the commit the
/// ref pointed at when the pin was approved.
public struct SourceEvidence: Sendable, Equatable, CustomStringConvertible {
    public enum Location: Sendable, Equatable, CustomStringConvertible {
        case url(String)
        case github(GitHubFile)

        public var description: String {
            switch self {
            case .url(let url): url
            case .github(let file): file.description
            }
        }
    }

    public var location: Location
    /// For a GitHub file: the commit its ref resolved to at approval, which
    /// later checks use (a tag that moved since is reported).
    public var commit: String?
    /// For a GitHub file that the vendor serves with one edit: the text in the
    /// repository's file that the served body holds the commit id in place of
    /// (get.docker.com's `${LOAD_SCRIPT_COMMIT_SHA}`). No other difference is accepted.
    public var commitPlaceholder: String?

    public init(location: Location, commit: String? = nil, commitPlaceholder: String? = nil) {
        self.location = location
        self.commit = commit
        self.commitPlaceholder = commitPlaceholder
    }

    static let commitWord = "commit"
    static let placeholderWord = "commit-in-place-of"

    /// Reads `LOCATION [commit SHA] [commit-in-place-of TEXT]`, or says why it is not one.
    static func parse(_ text: String) -> Result<SourceEvidence, EvidenceProblem> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return .failure(EvidenceProblem("it is empty")) }
        let location: Location
        if first.hasPrefix(GitHubFile.scheme) {
            guard let file = GitHubFile(parsing: first) else {
                return .failure(EvidenceProblem("'\(first)' is not a GitHub file; write github:OWNER/REPO@REF:PATH"))
            }
            location = .github(file)
        } else {
            if let problem = ScriptURL.problem(with: first) { return .failure(EvidenceProblem(problem)) }
            location = .url(first)
        }
        var evidence = SourceEvidence(location: location)
        var rest = words.dropFirst()
        while let word = rest.popFirst() {
            guard let value = rest.popFirst() else { return .failure(EvidenceProblem("'\(word)' needs a value after it")) }
            switch word {
            case commitWord where evidence.commit == nil:
                guard isCommitID(value) else { return .failure(EvidenceProblem("'\(value)' is not a commit id; write the 40 hex digits git prints")) }
                evidence.commit = value.lowercased()
            case placeholderWord where evidence.commitPlaceholder == nil:
                evidence.commitPlaceholder = value
            default:
                return .failure(EvidenceProblem("'\(word)' is not understood here; after the source come `\(commitWord) SHA` and `\(placeholderWord) TEXT`, each once"))
            }
        }
        if evidence.commitPlaceholder != nil, case .url = location {
            return .failure(EvidenceProblem("`\(placeholderWord)` needs a GitHub source with its commit"))
        }
        return .success(evidence)
    }

    public var description: String {
        var text = location.description
        if let commit { text += " \(Self.commitWord) \(commit)" }
        if let commitPlaceholder { text += " \(Self.placeholderWord) \(commitPlaceholder)" }
        return text
    }

    static func isCommitID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { $0 < 128 && Character(Unicode.Scalar($0)).isHexDigit }
    }
}

/// A tag in a GitHub repository (`github:OWNER/REPO@TAG`), whose signed tag object a signature line checks.
public struct GitHubTag: Sendable, Equatable, CustomStringConvertible {
    public let owner: String
    public let repository: String
    public let tag: String

    public init?(parsing text: String) {
        guard text.hasPrefix(GitHubFile.scheme), !text.dropFirst(GitHubFile.scheme.count).contains(":"),
              let file = GitHubFile(parsing: text + ":" + Self.placeholderPath)
        else { return nil }
        (owner, repository, tag) = (file.owner, file.repository, file.ref)
    }

    private static let placeholderPath = "file"

    /// Whether `file` is in this tag's repository at this tag.
    func names(_ file: GitHubFile) -> Bool {
        file.owner == owner && file.repository == repository && file.ref == tag
    }

    /// The tag's repository as the GitHub API addresses files in it.
    var anyFile: GitHubFile {
        GitHubFile(owner: owner, repository: repository, ref: tag, path: Self.placeholderPath)!
    }

    public var description: String { "\(GitHubFile.scheme)\(owner)/\(repository)@\(tag)" }
}

/// A file in a GitHub repository at a ref (tag, branch or commit).
public struct GitHubFile: Sendable, Equatable, CustomStringConvertible {
    public let owner: String
    public let repository: String
    public let ref: String
    public let path: String

    static let scheme = "github:"

    public init?(owner: String, repository: String, ref: String, path: String) {
        guard Self.isName(owner), Self.isName(repository), Self.isRef(ref), Self.isPath(path) else { return nil }
        (self.owner, self.repository, self.ref, self.path) = (owner, repository, ref, path)
    }

    /// `github:OWNER/REPO@REF:PATH`.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.scheme) else { return nil }
        let rest = text.dropFirst(Self.scheme.count)
        guard let slash = rest.firstIndex(of: "/"), let at = rest.firstIndex(of: "@"), slash < at,
              let colon = rest[at...].firstIndex(of: ":")
        else { return nil }
        self.init(
            owner: String(rest[..<slash]), repository: String(rest[rest.index(after: slash)..<at]),
            ref: String(rest[rest.index(after: at)..<colon]), path: String(rest[rest.index(after: colon)...]))
    }

    public var description: String { "\(Self.scheme)\(owner)/\(repository)@\(ref):\(path)" }

    /// GitHub's account and repository names: letters, digits, `-`, `_`, `.`.
    private static func isName(_ text: String) -> Bool {
        !text.isEmpty && text != "." && text != ".." && text.utf8.allSatisfy { byte in
            byte < 128 && (Character(Unicode.Scalar(byte)).isLetter || Character(Unicode.Scalar(byte)).isNumber || "-_.".utf8.contains(byte))
        }
    }

    /// A git ref name as `git check-ref-format` allows it, kept to what fits in a URL path unescaped.
    private static func isRef(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("-") && !text.hasPrefix("/") && !text.hasSuffix("/") && !text.hasSuffix(".lock")
            && !text.contains("..") && !text.contains("//")
            && text.utf8.allSatisfy { byte in
                byte < 128 && (Character(Unicode.Scalar(byte)).isLetter || Character(Unicode.Scalar(byte)).isNumber || "-_./+".utf8.contains(byte))
            }
    }

    /// A relative path of plain segments (no `.`/`..`, no empty segment).
    private static func isPath(_ text: String) -> Bool {
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        return !text.isEmpty && segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.utf8.allSatisfy { byte in byte > 0x20 && byte != 0x7f && !"?#%\\".utf8.contains(byte) }
        }
    }
}

/// A vendor's checksum file that must list the body's digest under a name.
public struct SumsEvidence: Sendable, Equatable, CustomStringConvertible {
    public let url: String
    /// The name the file lists the script under; nil is the last segment of the pin's URL.
    public let fileName: String?

    public init(url: String, fileName: String?) {
        self.url = url
        self.fileName = fileName
    }

    static func parse(_ text: String) -> Result<SumsEvidence, EvidenceProblem> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let url = words.first else { return .failure(EvidenceProblem("it is empty")) }
        if let problem = ScriptURL.problem(with: url) { return .failure(EvidenceProblem(problem)) }
        guard words.count <= 2 else {
            return .failure(EvidenceProblem("a sums line is URL and at most one file name; a name with spaces cannot be written"))
        }
        return .success(SumsEvidence(url: url, fileName: words.count == 2 ? words[1] : nil))
    }

    /// The name to look for, for a pin at `pinURL`.
    func name(forPinURL pinURL: String) -> String {
        fileName ?? ScriptURL(pinURL)?.lastPathSegment ?? ""
    }

    public var description: String {
        url + (fileName.map { " " + $0 } ?? "")
    }
}

/// A detached signature by a key kept in the repository (`known-hashes/keys/`):
/// `KIND LOCATION KEY [namespace NS] [over SUMS-URL]`.
public struct SignatureEvidence: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, NamedValues {
        /// Ed25519 as minisign writes it; KEY is its key id (up to 16 hex digits).
        case minisign
        /// OpenSSH's SSHSIG (`ssh-keygen -Y sign`); KEY is the `SHA256:…` fingerprint.
        case ssh
        /// OpenPGP, checked by the system's `gpgv`; KEY is the primary key's 40-hex-digit fingerprint.
        case pgp
    }

    /// Where the signature is: a URL, or a GitHub tag whose tag object carries it.
    public enum Location: Sendable, Equatable, CustomStringConvertible {
        case url(String)
        case tag(GitHubTag)

        public var description: String {
            switch self {
            case .url(let url): url
            case .tag(let tag): tag.description
            }
        }
    }

    public let kind: Kind
    public let location: Location
    /// The key's id (minisign), fingerprint (ssh: `SHA256:…`, pgp: 40 hex digits).
    public let key: String
    /// What an SSH signature was made for (`ssh-keygen -Y sign -n NAMESPACE`);
    /// git signs tags in the namespace `git`.
    public let namespace: String?
    /// The pin's checksum file the signature covers; nil is the body (or, for a tag, the tag object).
    public var signedSums: String?

    public init(kind: Kind, location: Location, key: String, namespace: String?, signedSums: String?) {
        self.kind = kind
        self.location = location
        self.key = key
        self.namespace = namespace
        self.signedSums = signedSums
    }

    static let namespaceWord = "namespace"
    static let overWord = "over"
    /// The namespace `ssh-keygen -Y sign -n file` signs files in, and the one written when none is given.
    static let fileNamespace = "file"
    static let gitNamespace = "git"

    static func parse(_ text: String) -> Result<SignatureEvidence, EvidenceProblem> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard words.count >= 3 else {
            return .failure(EvidenceProblem("a signature line is KIND URL KEY, KIND being \(Kind.spelledOut)"))
        }
        guard let kind = Kind(rawValue: words[0]) else {
            return .failure(EvidenceProblem("'\(words[0])' is not a signature kind; write \(Kind.spelledOut)"))
        }
        let location: Location
        if words[1].hasPrefix(GitHubFile.scheme) {
            guard let tag = GitHubTag(parsing: words[1]) else {
                return .failure(EvidenceProblem("'\(words[1])' is not a GitHub tag; write github:OWNER/REPO@TAG"))
            }
            guard kind != .minisign else { return .failure(EvidenceProblem("git signs tags with pgp or ssh, not minisign")) }
            location = .tag(tag)
        } else {
            if let problem = ScriptURL.problem(with: words[1]) { return .failure(EvidenceProblem(problem)) }
            location = .url(words[1])
        }
        let key = words[2]
        if let problem = keyProblem(key, kind: kind) { return .failure(EvidenceProblem(problem)) }
        var namespace: String?
        var signedSums: String?
        var rest = words.dropFirst(3)
        while let word = rest.popFirst() {
            guard let value = rest.popFirst() else { return .failure(EvidenceProblem("'\(word)' needs a value after it")) }
            switch word {
            case namespaceWord where namespace == nil && kind == .ssh:
                namespace = value
            case overWord where signedSums == nil:
                if let problem = ScriptURL.problem(with: value) { return .failure(EvidenceProblem(problem)) }
                signedSums = value
            default:
                return .failure(EvidenceProblem(
                    "'\(word)' is not understood here; after the key come `\(namespaceWord) NS` (ssh only) and `\(overWord) SUMS-URL`, each once"))
            }
        }
        if case .tag = location {
            if signedSums != nil { return .failure(EvidenceProblem("a tag's signature covers the tag, not a checksum file")) }
            if kind == .ssh, let namespace, namespace != gitNamespace {
                return .failure(EvidenceProblem("git signs tags in the namespace `\(gitNamespace)`, not `\(namespace)`"))
            }
        }
        let defaultNamespace: String? = switch (kind, location) {
        case (.ssh, .tag): gitNamespace
        case (.ssh, .url): fileNamespace
        default: nil
        }
        return .success(SignatureEvidence(kind: kind, location: location, key: key, namespace: namespace ?? defaultNamespace, signedSums: signedSums))
    }

    private static func keyProblem(_ key: String, kind: Kind) -> String? {
        let hexDigits = key.utf8.allSatisfy { $0 < 128 && Character(Unicode.Scalar($0)).isHexDigit }
        switch kind {
        case .minisign:
            return (1...16).contains(key.utf8.count) && hexDigits ? nil : "'\(key)' is not a minisign key id; write the hex digits at the end of its public key's first line"
        case .ssh:
            return key.hasPrefix("SHA256:") && key.utf8.count == 50
                ? nil : "'\(key)' is not an SSH key fingerprint; write the SHA256:… that `ssh-keygen -lf KEY.pub` prints"
        case .pgp:
            return key.utf8.count == 40 && hexDigits
                ? nil : "'\(key)' is not an OpenPGP fingerprint; write the primary key's 40 hex digits, without spaces"
        }
    }

    public var description: String {
        var text = "\(kind.rawValue) \(location) \(key)"
        if let namespace { text += " \(Self.namespaceWord) \(namespace)" }
        if let signedSums { text += " \(Self.overWord) \(signedSums)" }
        return text
    }
}

/// Why an evidence value is not one, for the pin's and the command line's messages.
public struct EvidenceProblem: Error, Sendable, Equatable {
    public let message: String

    init(_ message: String) {
        self.message = message
    }
}

/// Whether `run` and `fetch` check a pin's evidence as well as its digest.
public enum ProvenanceMode: String, NamedValues {
    /// The digest only: fast, and works offline from the store.
    case optional
    /// The evidence too, online, before anything runs.
    case required
}

extension Array where Element == Evidence {
    /// Why these lines do not hold together: a signature over a checksum file
    /// the pin does not check, or over a tag none of its sources is at.
    func crossReferenceProblem(at index: Int) -> String? {
        guard case .signature(let signature) = self[index] else { return nil }
        if let sums = signature.signedSums, !contains(where: { if case .sums(let line) = $0 { line.url == sums } else { false } }) {
            return "the signature is over \(sums), which no sums line of the pin checks; add `sums \(sums)`"
        }
        if case .tag(let tag) = signature.location, !contains(where: { line in
            if case .source(let source) = line, case .github(let file) = source.location { tag.names(file) } else { false }
        }) {
            return "the signature is over tag \(tag.tag) of \(tag.owner)/\(tag.repository), and no source line of the pin is a file at that tag; add `source \(tag):PATH`"
        }
        return nil
    }
}
