/// Every failure scriptpin reports. Each case has one hand-written sentence
/// that says what happened, to which file or URL, and what to do next.
public enum ScriptPinError: Error, Sendable, CustomStringConvertible {
    /// The command line could not be understood.
    case usage(String)
    /// A file could not be read; `path` is nil for standard input.
    case readFailed(path: String?, Errno)
    case writeFailed(path: String, Errno)
    case crypto(OpenSSLError)
    case invalidManifest([PinProblem])
    case manifestNotFound(searchedFrom: String, repositoryRoot: String?)
    /// A discovered manifest that someone else could have planted or changed.
    case untrustedManifest(path: String, problem: String)
    case unknownPin(name: String, manifest: String)
    case pinExists(name: String, path: String)
    case fetch(FetchError)
    /// A downloaded body matched no pin for its URL.
    case notPinned(url: String, actual: Digest, suggestedName: String)
    case mismatch(what: String, expected: [Digest], actual: Digest)
    case storeEntryModified(path: String, expected: Digest, actual: Digest)
    case storeEntryMissing(name: String, digests: [Digest], store: String)
    case storeEntryTooLarge(path: String, limit: Int64)
    case interpreterNotFound(String)
    case interpreterNotExecutable(String, Errno)
    case spawnFailed(String, Errno)
    case processProtectionFailed(Errno)
    /// The script's `#!` line holds bytes that cannot be passed on as a program and argument.
    case unusableShebang
    /// A pre-commit hook exists that scriptpin did not write.
    case foreignHook(path: String)
    case notConfirmed(String)
    /// Confinement was required and the kernel would not provide it; nothing was fetched or run.
    case confinementUnavailable(ConfinementDiagnosis, requiredBy: ConfinementModeSource)
    /// The egress proxy could not be started for a script whose network it must carry.
    case egressProxyFailed(Errno)
    /// The pseudo-terminal a confined script gets could not be made or relayed.
    case terminalRelayFailed(Errno)
    /// A path confinement must mask or protect could not be examined, so the sandbox could not be planned.
    case confinementPathUnreadable(path: String, Errno)
    /// The layers of a write-confined run could not be read after the script.
    case writeLayersUnreadable(Errno)
    /// A pin that would not read back as written; nothing was written.
    case refusedPinWrite(path: String, reason: String)
    /// An environment variable scriptpin reads holds a value it cannot use.
    case invalidEnvironment(name: String, expected: String)
    /// A program scriptpin needs for this command is not installed; `purpose` says what it was for.
    case programNotFound(name: String, purpose: String)
    /// What `purpose` names works on a git repository, and the working directory is outside one.
    case notInGitRepository(purpose: String)
    /// git ran, but could not do what was asked: `what` names it, `remedy` the way out.
    case gitFailed(what: String, remedy: String)
    /// A vendor's checksum file (`verify --sums`) that holds no usable checksum lines.
    case invalidSumsFile(path: String, problem: String)
    /// The manifest directory named by `--manifest` or `SCRIPTPIN_MANIFEST` does not exist.
    case manifestDirectoryMissing(path: String)
    /// Settings from the command line and the pin that cannot hold together; nothing was run.
    case conflictingSettings(String)
    /// A second channel disagrees with the body; `consequence` says what was therefore not done.
    case evidenceContradicts(subject: String, findings: [String], consequence: String)
    /// A second channel could not be asked, and the body is not taken on the digest alone.
    case evidenceUnreachable(subject: String, findings: [String], consequence: String)

    /// How the failure ranks for the process exit code.
    public enum Category: Int, Sendable, Comparable {
        /// A network or I/O failure: exit 3.
        case unavailable = 3
        /// Bad command line or an invalid pin or manifest: exit 2.
        case invalidInput = 2
        /// A digest did not match: exit 1.
        case verificationFailed = 1

        /// A failed verification outranks everything, then invalid input,
        /// then I/O, so that the exit code names the most serious outcome.
        private var severity: Int {
            switch self {
            case .verificationFailed: 3
            case .invalidInput: 2
            case .unavailable: 1
            }
        }

        public static func < (lhs: Category, rhs: Category) -> Bool { lhs.severity < rhs.severity }
    }

    public var category: Category {
        switch self {
        case .usage, .readFailed, .invalidManifest, .manifestNotFound, .untrustedManifest, .unknownPin, .pinExists, .notConfirmed,
             .refusedPinWrite, .unusableShebang, .foreignHook, .invalidEnvironment, .notInGitRepository, .invalidSumsFile,
             .manifestDirectoryMissing, .conflictingSettings:
            .invalidInput
        case .notPinned, .mismatch, .storeEntryModified, .storeEntryTooLarge, .evidenceContradicts:
            .verificationFailed
        case .writeFailed, .crypto, .fetch, .storeEntryMissing, .interpreterNotFound, .interpreterNotExecutable,
             .spawnFailed, .processProtectionFailed, .confinementUnavailable, .egressProxyFailed,
             .confinementPathUnreadable, .writeLayersUnreadable, .terminalRelayFailed, .programNotFound, .gitFailed, .evidenceUnreachable:
            .unavailable
        }
    }

    public var description: String {
        switch self {
        case .usage(let message):
            return message
        case .readFailed(let path?, let errno) where errno == .isDirectory:
            return "\(path): Is a directory; name a file, or pass the files inside it"
        case .readFailed(let path?, let errno):
            return "\(path): \(errno)"
        case .readFailed(nil, let errno):
            return "standard input: \(errno)"
        case .writeFailed(let path, let errno):
            return "cannot write \(path): \(errno); check the directory's permissions and free space"
        case .crypto(let error):
            return error.description
        case .invalidManifest(let problems):
            return problems.map(\.description).joined(separator: "\n")
        case .manifestNotFound(let start, nil):
            return "no known-hashes/ directory in \(start) or any parent; create one"
        case .manifestNotFound(let start, let root?):
            return "no known-hashes/ directory in \(start) or any parent up to the repository root \(root); create one there"
        case .untrustedManifest(let path, let problem):
            return "refusing the manifest \(path): \(problem), so someone else could plant or change a pin in it. Fix its owner or mode"
        case .unknownPin(let name, let manifest) where !PinRules.isValidName(name):
            // Not a pin name, so perhaps something pasted in the wrong place: never repeated.
            return "no pin has the name given (it is not even a valid pin name) in \(manifest); `scriptpin verify` lists the pins"
        case .unknownPin(let name, let manifest):
            return "no pin named '\(name)' in \(manifest); `scriptpin verify` lists the pins, `scriptpin add \(name) URL` creates one"
        case .pinExists(let name, let path):
            return "\(path) already pins '\(name)'; use `scriptpin update \(name)` to change it"
        case .fetch(let error):
            return error.description
        case .notPinned(let url, let actual, let name):
            return "\(url) is not pinned; it served \(actual). Review it, then pin it with: scriptpin add \(name) \(url)"
        case .mismatch(let what, let expected, let actual):
            let wanted = expected.map(\.description).joined(separator: " or ")
            return "\(what) does not match its pin: expected \(wanted), got \(actual); nothing was run or written. If the change is legitimate, review it with `scriptpin update`"
        case .storeEntryModified(let path, let expected, let actual):
            return "stored copy \(path) was modified: it should hash to \(expected.hex) but hashes to \(actual.hex); it was not used. The next successful fetch replaces it"
        case .storeEntryTooLarge(let path, let limit):
            return "stored copy \(path) is larger than the \(limit)-byte size limit, so it cannot be the approved body; it was not used. The next successful fetch replaces it"
        case .storeEntryMissing(let name, let digests, let store):
            let wanted = digests.map(\.hex).joined(separator: " or ")
            return "no stored copy of '\(name)' (\(wanted)) in \(store); run it once online to store it"
        case .interpreterNotFound(let program):
            return "interpreter '\(program)' was not found in PATH; install it"
        case .interpreterNotExecutable(let program, let errno):
            return "interpreter '\(program)' cannot be executed: \(errno); check its permissions"
        case .processProtectionFailed(let errno):
            return "could not make scriptpin non-dumpable (prctl: \(errno)), so the script could read the withheld variables from scriptpin's own memory; nothing was fetched or run"
        case .confinementUnavailable(let diagnosis, let source):
            return "confinement is required (\(source.reason)), and this system cannot provide it, so nothing was fetched or run: \(diagnosis)"
        case .egressProxyFailed(let errno):
            return "could not start the egress proxy: \(errno); the script was not run"
        case .terminalRelayFailed(let errno):
            return "could not give the confined script a terminal of its own (\(errno)); the script was not run. Redirect its standard input and output away from the terminal, or free a pseudo-terminal"
        case .confinementPathUnreadable(let path, let errno):
            return "cannot tell whether \(path) exists (\(errno)), so it could be neither masked nor protected; the script was not run. Make the path's directory searchable by this user"
        case .writeLayersUnreadable(let errno):
            return "could not read what the script changed (\(errno)); none of its changes reached the host, not even those in the write list. Run it again, or audit it with --write-audit"
        case .spawnFailed(let program, let errno):
            return "could not start '\(program)': \(errno)"
        case .refusedPinWrite(let path, let reason):
            return "refusing to write \(path): \(reason); nothing was written. Every value in a pin is one line of printable text"
        case .notConfirmed(let what):
            return "\(what) was not confirmed; nothing was changed"
        case .unusableShebang:
            return "the script's #! line holds control characters or bytes that are not UTF-8, so it was not used"
        case .foreignHook(let path):
            return "\(path) exists and was not written by scriptpin; merge it by hand, or replace it"
        case .invalidEnvironment(let name, let expected):
            return "\(name) is set, but not to \(expected); set it to one, or unset it"
        case .programNotFound(let name, let purpose):
            return "\(name) was not found in PATH; install \(name) to \(purpose)"
        case .notInGitRepository(let purpose):
            return "cannot \(purpose) here: the working directory is not inside a git repository; run scriptpin from the repository's working tree"
        case .gitFailed(let what, let remedy):
            return "git could not \(what); \(remedy)"
        case .invalidSumsFile(let path, let problem):
            return "\(path) \(problem); nothing was verified. Give the checksum file the vendor publishes, with lines like '<hex>  NAME' as sha256sum prints them"
        case .manifestDirectoryMissing(let path):
            return "manifest directory \(path) does not exist; create it with `mkdir -p \(path)` or correct the path"
        case .conflictingSettings(let message):
            return message
        case .evidenceContradicts(let subject, let findings, let consequence):
            return "the evidence contradicts \(subject): \(findings.joined(separator: "; ")); \(consequence). The vendor's repository, checksum file or signing key is a channel whoever controls the download host does not control: if they disagree, treat the download as tampered with until the vendor explains the difference"
        case .evidenceUnreachable(let subject, let findings, let consequence):
            return "the evidence for \(subject) could not be checked: \(findings.joined(separator: "; ")); \(consequence). Try again when the host answers"
        }
    }

    /// The setting that would resolve this failure, for the caller to word.
    public var remedy: Remedy? {
        switch self {
        case .manifestNotFound: .nameManifest
        case .untrustedManifest: .nameTrustedManifest
        case .interpreterNotFound, .interpreterNotExecutable: .chooseInterpreter
        case .unusableShebang: .chooseInterpreterForShebang
        case .notConfirmed: .confirmWithoutTerminal
        case .foreignHook: .replaceHook
        // Egress rules are enforced by confinement alone: going without it is no remedy for them.
        case .confinementUnavailable(_, let source): source == .egressRules || source == .writeRules ? nil : .runUnconfined
        case .confinementPathUnreadable: .exposePath
        case .fetch(let failure): failure.remedy
        default: nil
        }
    }
}
