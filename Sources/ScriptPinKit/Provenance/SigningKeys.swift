/// Why a signature does not confirm what it is said to cover.
enum SignatureProblem: Error, Sendable {
    /// Not a signature of the kind the line names, or one that cannot be read.
    case malformed(String)
    /// Made by a key other than the one the pin names.
    case otherKey(String)
    /// Well-formed, by the right key, and not over these bytes (or refused by gpgv).
    case invalid(String)
    /// Made with a hash that can be forged.
    case weak(String)
    /// The pin's key is not among the repository's keys.
    case keyMissing(String)
    /// The program that checks this kind is not installed.
    case toolMissing(String)

    static let doesNotMatch = SignatureProblem.invalid("it does not verify: the signed bytes differ from these")

    var message: String {
        switch self {
        case .malformed(let text), .invalid(let text), .weak(let text), .keyMissing(let text), .toolMissing(let text): text
        case .otherKey(let signer): "it is signed by \(signer), not by the key the pin names"
        }
    }
}

/// The public keys a repository trusts for signature lines, kept beside its
/// pins in `known-hashes/keys/` and reviewed like them: minisign public key
/// files, OpenSSH public keys (`.pub`, one or more per file), and OpenPGP
/// keyrings (`*.gpg`, as `gpg --export` writes them). A line names its key by
/// id or fingerprint; a key the directory does not hold confirms nothing.
struct SigningKeys: Sendable {
    /// A key file is a few kilobytes; a keyring of a vendor's release keys rarely 100.
    static let maximumKeyFileSize = 1024 * 1024
    static let keyringExtension = ".gpg"

    /// As messages show it.
    let directory: String
    private let minisign: [String: Minisign.Key]
    private let ssh: [String: SSHSignature.Key]
    private let keyrings: [String]

    /// The keys in `directory` (`resolvedDirectory` as the file system finds
    /// it); none when it does not exist. Files that are not keys are passed
    /// over, and so are files others could have written when `checksOwnership`
    /// (a manifest found by walking up, as its pins are).
    init(directory: String, resolvedDirectory: String, checksOwnership: Bool) {
        self.directory = directory
        var minisign: [String: Minisign.Key] = [:]
        var ssh: [String: SSHSignature.Key] = [:]
        var keyrings: [String] = []
        for name in ((try? directoryEntries(resolvedDirectory)) ?? []).sorted() {
            let path = joinPath(resolvedDirectory, name)
            guard fileKind(path) == .regular, !checksOwnership || Manifest.ownershipProblem(path) == nil else { continue }
            if name.hasSuffix(Self.keyringExtension) {
                keyrings.append(path)
                continue
            }
            guard let bytes = try? readFile(path, limit: Self.maximumKeyFileSize) else { continue }
            let text = String(decoding: bytes, as: UTF8.self)
            if let key = Minisign.Key(file: text) {
                minisign[key.id] = key
                continue
            }
            for line in text.split(separator: "\n") {
                if let key = SSHSignature.Key(line: line) { ssh[key.fingerprint] = key }
            }
        }
        (self.minisign, self.ssh, self.keyrings) = (minisign, ssh, keyrings)
    }

    /// Whether `signature` (a signature file's bytes) is the line's key's over `message`.
    func verify(_ signature: [UInt8], over message: [UInt8], as line: SignatureEvidence, temporaryDirectory: String) -> Result<String, SignatureProblem> {
        switch line.kind {
        case .minisign:
            guard let key = minisign[Minisign.normalized(line.key)] else {
                return .failure(.keyMissing("\(directory) holds no minisign public key \(line.key); add the vendor's .pub file there"))
            }
            return Minisign.verify(signature, over: message, key: key)
        case .ssh:
            guard let key = ssh[line.key] else {
                return .failure(.keyMissing("\(directory) holds no SSH public key \(line.key); add the signer's .pub file there"))
            }
            return SSHSignature.verify(signature, over: message, key: key, namespace: line.namespace ?? SignatureEvidence.fileNamespace)
        case .pgp:
            return PGPSignature.verify(signature, over: message, fingerprint: line.key, keyrings: keyrings, temporaryDirectory: temporaryDirectory)
        }
    }
}

extension SigningKeys {
    /// No keys: for a body pinned ad hoc, which has no signature lines.
    static let none = SigningKeys(directory: Manifest.keysDirectoryName, resolvedDirectory: "", checksOwnership: false)

    /// The keys beside `manifest`'s pins.
    init(beside manifest: Manifest) {
        self.init(
            directory: joinPath(manifest.directory, Manifest.keysDirectoryName),
            resolvedDirectory: joinPath(manifest.location.path, Manifest.keysDirectoryName),
            checksOwnership: manifest.location.isDiscovered)
    }
}
