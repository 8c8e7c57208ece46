internal import CLibCrypto

/// A public key in an OpenSSL `EVP_PKEY`, which this class owns and frees:
/// the one place signatures are checked, whatever format carried them
/// (minisign, OpenSSH's SSHSIG). Formats give the key's parts; this type
/// builds the key from them and answers whether a signature is valid.
final class PublicKey {
    /// The hash a signature scheme applies to the message before signing it;
    /// Ed25519 hashes internally and takes none.
    enum MessageHash {
        case sha256
        case sha384
        case sha512
    }

    /// The elliptic curves OpenSSH signs with (NIST P-256, P-384 and P-521).
    enum Curve {
        case p256
        case p384
        case p521

        /// The curve's object identifier, DER-encoded.
        fileprivate var objectIdentifier: [UInt8] {
            switch self {
            case .p256: [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
            case .p384: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x22]
            case .p521: [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x23]
            }
        }
    }

    private let key: OpaquePointer

    private init(owning key: OpaquePointer) {
        self.key = key
    }

    /// The 32-byte Ed25519 key minisign and OpenSSH carry.
    static func ed25519(_ raw: [UInt8]) throws(OpenSSLError) -> PublicKey {
        guard raw.count == 32, let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw OpenSSLError(operation: "EVP_PKEY_new_raw_public_key(Ed25519)")
        }
        return PublicKey(owning: key)
    }

    /// An RSA key from its modulus and public exponent (unsigned, big-endian).
    static func rsa(modulus: [UInt8], exponent: [UInt8]) throws(OpenSSLError) -> PublicKey {
        let rsaEncryption: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let publicKey = DER.sequence(DER.integer(modulus) + DER.integer(exponent))
        return try subjectPublicKeyInfo(DER.sequence(DER.sequence(rsaEncryption + DER.null) + DER.bitString(publicKey)))
    }

    /// An ECDSA key from its curve and point (SEC 1 encoding, as OpenSSH carries it).
    static func ecdsa(_ curve: Curve, point: [UInt8]) throws(OpenSSLError) -> PublicKey {
        let ecPublicKey: [UInt8] = [0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
        return try subjectPublicKeyInfo(DER.sequence(DER.sequence(ecPublicKey + curve.objectIdentifier) + DER.bitString(point)))
    }

    private static func subjectPublicKeyInfo(_ der: [UInt8]) throws(OpenSSLError) -> PublicKey {
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw OpenSSLError(operation: "d2i_PUBKEY") }
        return PublicKey(owning: key)
    }

    /// Whether `signature` is this key's over `message`: Ed25519 with no
    /// `hash`, RSA PKCS #1 v1.5 and ECDSA with one. False for any signature
    /// that does not verify, malformed ones included.
    func verifies(_ signature: [UInt8], over message: [UInt8], hash: MessageHash?) throws(OpenSSLError) -> Bool {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError(operation: "EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        let messageDigest: OpaquePointer? = switch hash {
        case nil: nil
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
        guard EVP_DigestVerifyInit(context, nil, messageDigest, nil, key) == 1 else {
            throw OpenSSLError(operation: "EVP_DigestVerifyInit")
        }
        let status = EVP_DigestVerify(context, signature, signature.count, message, message.count)
        // 0 is a wrong signature and a negative value a malformed one: both are "no".
        if status != 1 { ERR_clear_error() }
        return status == 1
    }

    deinit {
        EVP_PKEY_free(key)
    }
}

/// An ECDSA signature from its two integers, DER-encoded as libcrypto reads it
/// (OpenSSH carries r and s as two SSH integers).
func ecdsaSignature(r: [UInt8], s: [UInt8]) -> [UInt8] {
    DER.sequence(DER.integer(r) + DER.integer(s))
}

/// BLAKE2b-512, the hash minisign's prehashed signatures cover.
func blake2b512(_ bytes: [UInt8]) throws(OpenSSLError) -> [UInt8] {
    try oneShotDigest(EVP_blake2b512(), of: [bytes], length: 64, name: "BLAKE2b-512")
}

/// Git's id for a file's content: SHA-1 over `blob SIZE\0` and the bytes.
/// A commit's tree names each file by it, so a served body can be matched to
/// the file at a commit (through GitHub's API) without downloading the file.
/// Never a pin's digest: SHA-1 is a weak hash, which git and GitHub harden
/// by refusing objects built to collide (sha1dc).
func gitBlobID(of bytes: [UInt8]) throws(OpenSSLError) -> String {
    try gitObjectID(type: "blob", of: bytes)
}

/// Git's id for an object of `type` ("blob", "tag"): what a tree or a ref names it by.
func gitObjectID(type: String, of bytes: [UInt8]) throws(OpenSSLError) -> String {
    let header = Array("\(type) \(bytes.count)\0".utf8)
    return try oneShotDigest(EVP_sha1(), of: [header, bytes], length: 20, name: "SHA-1 of a git \(type)")
        .map { byte in String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16) }.joined()
}

private func oneShotDigest(_ messageDigest: OpaquePointer?, of parts: [[UInt8]], length: Int, name: String) throws(OpenSSLError) -> [UInt8] {
    guard let context = EVP_MD_CTX_new() else { throw OpenSSLError(operation: "EVP_MD_CTX_new") }
    defer { EVP_MD_CTX_free(context) }
    guard EVP_DigestInit_ex(context, messageDigest, nil) == 1,
          parts.allSatisfy({ part in part.withUnsafeBytes { $0.isEmpty || EVP_DigestUpdate(context, $0.baseAddress, $0.count) == 1 } })
    else { throw OpenSSLError(operation: name) }
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var produced: UInt32 = 0
    guard EVP_DigestFinal_ex(context, &output, &produced) == 1, Int(produced) == length else {
        throw OpenSSLError(operation: "EVP_DigestFinal_ex (\(name))")
    }
    return Array(output.prefix(length))
}

/// The few DER encodings a public key's SubjectPublicKeyInfo and an ECDSA
/// signature need: lengths, unsigned integers, a bit string, a sequence.
private enum DER {
    static let null: [UInt8] = [0x05, 0x00]

    static func sequence(_ content: [UInt8]) -> [UInt8] {
        element(0x30, content)
    }

    /// A non-negative INTEGER from unsigned big-endian bytes: leading zeros
    /// dropped, one put back where the high bit would make it negative.
    static func integer(_ unsigned: [UInt8]) -> [UInt8] {
        var bytes = Array(unsigned.drop(while: { $0 == 0 }))
        if bytes.isEmpty || bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return element(0x02, bytes)
    }

    static func bitString(_ content: [UInt8]) -> [UInt8] {
        element(0x03, [0] + content)
    }

    private static func element(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        if content.count < 0x80 {
            length = [UInt8(content.count)]
        } else {
            var remaining = content.count
            while remaining > 0 {
                length.insert(UInt8(remaining & 0xff), at: 0)
                remaining >>= 8
            }
            length.insert(0x80 | UInt8(length.count), at: 0)
        }
        return [tag] + length + content
    }
}
