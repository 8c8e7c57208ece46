/// The SHA-2 functions scriptpin accepts. SHA-256 is what pins use; SHA-384
/// and SHA-512 exist because vendors publish `sha512sum` files and SRI hashes.
public enum DigestAlgorithm: String, NamedValues, Hashable {
    case sha256
    case sha384
    case sha512

    /// Length of the digest in bytes.
    public var byteCount: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The algorithm whose hex digest has this many characters, as in a
    /// `sha256sum`/`sha512sum` file where the length is the only clue.
    public init?(hexLength: Int) {
        guard let match = Self.allCases.first(where: { $0.byteCount * 2 == hexLength }) else { return nil }
        self = match
    }
}
