#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// OpenSSH's signature format (PROTOCOL.sshsig): `ssh-keygen -Y sign -n
/// NAMESPACE` signs a hash of the message together with the namespace, so
/// a signature made for one purpose (a git tag, an e-mail) is not accepted
/// for another.
enum SSHSignature {
    /// An OpenSSH public key as a `.pub` file or an `authorized_keys` line holds it.
    struct Key {
        /// The key in SSH's wire encoding, which the fingerprint and SSHSIG's copy of the key are made of.
        let blob: [UInt8]
        let type: String
        /// `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints it.
        let fingerprint: String

        /// A `TYPE BASE64 [COMMENT]` line, or nil when `line` is not one.
        init?(line: Substring) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let blob = Data(base64Encoded: String(fields[1])).map(Array.init) else { return nil }
            self.init(blob: blob)
            guard type == fields[0] else { return nil }
        }

        init?(blob: [UInt8]) {
            var reader = WireReader(blob)
            guard let type = reader.string(), let digest = BodyFacts.sha256(of: blob) else { return nil }
            self.blob = blob
            self.type = String(decoding: type, as: UTF8.self)
            fingerprint = "SHA256:" + Data(digest.bytes).base64EncodedString().filter { $0 != "=" }
        }

        /// The key for libcrypto, and the hash each signature format of it uses; nil for a type scriptpin does not check.
        fileprivate func verifier(for format: String) throws(SignatureProblem) -> (PublicKey, PublicKey.MessageHash?) {
            var reader = WireReader(blob)
            _ = reader.string()
            let parts: (make: () throws(OpenSSLError) -> PublicKey, hash: PublicKey.MessageHash?)?
            switch (type, format) {
            case ("ssh-ed25519", "ssh-ed25519"):
                parts = reader.string().map { raw in ({ () throws(OpenSSLError) in try PublicKey.ed25519(raw) }, nil) }
            case ("ssh-rsa", "rsa-sha2-256"), ("ssh-rsa", "rsa-sha2-512"):
                if let exponent = reader.string(), let modulus = reader.string() {
                    parts = ({ () throws(OpenSSLError) in try PublicKey.rsa(modulus: modulus, exponent: exponent) }, format == "rsa-sha2-256" ? .sha256 : .sha512)
                } else { parts = nil }
            case ("ssh-rsa", "ssh-rsa"):
                throw .weak("it is an RSA signature over SHA-1 (ssh-rsa); sign with rsa-sha2-256 or rsa-sha2-512")
            case ("ecdsa-sha2-nistp256", type), ("ecdsa-sha2-nistp384", type), ("ecdsa-sha2-nistp521", type):
                let (curve, hash): (PublicKey.Curve, PublicKey.MessageHash) = switch type {
                case "ecdsa-sha2-nistp256": (.p256, .sha256)
                case "ecdsa-sha2-nistp384": (.p384, .sha384)
                default: (.p521, .sha512)
                }
                if reader.string() != nil, let point = reader.string() {
                    parts = ({ () throws(OpenSSLError) in try PublicKey.ecdsa(curve, point: point) }, hash)
                } else { parts = nil }
            default:
                throw .malformed("a \(format) signature by a \(type) key is not one scriptpin checks (ssh-ed25519, rsa-sha2-256/512, ecdsa-sha2-nistp256/384/521)")
            }
            guard let parts else { throw .malformed("the key \(fingerprint) is not a well-formed \(type) key") }
            do throws(OpenSSLError) { return (try parts.make(), parts.hash) } catch {
                throw .malformed("the key \(fingerprint) cannot be used: \(error.description)")
            }
        }
    }

    static let magic = Array("SSHSIG".utf8)
    static let armorBegin = "-----BEGIN SSH SIGNATURE-----"
    static let armorEnd = "-----END SSH SIGNATURE-----"

    /// Whether the armored `signatureFile` is `key`'s over `message` in `namespace`.
    static func verify(_ signatureFile: [UInt8], over message: [UInt8], key: Key, namespace: String) -> Result<String, SignatureProblem> {
        let lines = String(decoding: signatureFile, as: UTF8.self).split(separator: "\n").map { $0.filter { !$0.isWhitespace } }
        guard let begin = lines.firstIndex(of: armorBegin.filter { !$0.isWhitespace }),
              let end = lines[begin...].firstIndex(of: armorEnd.filter { !$0.isWhitespace }),
              let blob = Data(base64Encoded: lines[begin + 1..<end].joined()).map(Array.init)
        else { return .failure(.malformed("it is not an armored SSH signature (\(armorBegin))")) }
        var reader = WireReader(blob)
        guard reader.bytes(magic.count) == magic, reader.uint32() == 1,
              let signerBlob = reader.string(), let signedNamespace = reader.string(), let reserved = reader.string(),
              let hashName = reader.string(), let signatureBlob = reader.string(), reader.isAtEnd
        else { return .failure(.malformed("it is not an SSHSIG version 1 signature")) }
        guard signerBlob == key.blob else {
            return .failure(.otherKey(Key(blob: signerBlob).map { "SSH key \($0.fingerprint)" } ?? "an unreadable SSH key"))
        }
        guard signedNamespace.elementsEqual(namespace.utf8) else {
            return .failure(.malformed("it was made for the namespace '\(String(decoding: signedNamespace, as: UTF8.self))', and the pin expects '\(namespace)'"))
        }
        let algorithm: DigestAlgorithm
        switch String(decoding: hashName, as: UTF8.self) {
        case "sha256": algorithm = .sha256
        case "sha512": algorithm = .sha512
        case let other: return .failure(.malformed("its hash '\(other)' is not one SSHSIG allows (sha256, sha512)"))
        }
        var signatureReader = WireReader(signatureBlob)
        guard let format = signatureReader.string(), var signature = signatureReader.string(), signatureReader.isAtEnd,
              let messageDigest = BodyFacts.digest(algorithm, of: message)
        else { return .failure(.malformed("its signature field is not a well-formed SSH signature")) }
        let formatName = String(decoding: format, as: UTF8.self)
        do throws(SignatureProblem) {
            let (publicKey, hash) = try key.verifier(for: formatName)
            if key.type.hasPrefix("ecdsa-") {
                var integers = WireReader(signature)
                guard let r = integers.string(), let s = integers.string(), integers.isAtEnd else {
                    return .failure(.malformed("its ECDSA signature is not two integers"))
                }
                signature = ecdsaSignature(r: r, s: s)
            }
            let signed = magic + WireReader.encoded(Array(namespace.utf8)) + WireReader.encoded(reserved)
                + WireReader.encoded(hashName) + WireReader.encoded(messageDigest.bytes)
            guard (try? publicKey.verifies(signature, over: signed, hash: hash)) == true else { return .failure(.doesNotMatch) }
        } catch {
            return .failure(error)
        }
        return .success("good \(formatName) signature by SSH key \(key.fingerprint) in the namespace \(namespace)")
    }
}

/// SSH's wire encoding: big-endian 32-bit lengths before byte strings.
struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint32() -> UInt32? {
        bytes(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    /// A length-prefixed string (also how keys, mpints and nested blobs are carried).
    mutating func string() -> [UInt8]? {
        guard let length = uint32() else { return nil }
        return bytes(Int(length))
    }

    static func encoded(_ string: [UInt8]) -> [UInt8] {
        let count = UInt32(string.count)
        return [UInt8(count >> 24), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)] + string
    }
}
