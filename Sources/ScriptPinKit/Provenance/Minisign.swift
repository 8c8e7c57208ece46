#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// minisign's formats: a public key is `Ed` + an 8-byte key id + the Ed25519
/// key; a signature file holds the signature over the message (`Ed`) or over
/// its BLAKE2b-512 (`ED`, the default since minisign 0.11), then a trusted
/// comment and a second signature over the first and the comment, so that
/// the comment cannot be changed either.
enum Minisign {
    struct Key {
        /// As minisign prints it: the id's bytes last to first in uppercase hex, without leading zeros.
        let id: String
        let idBytes: [UInt8]
        let publicKey: [UInt8]

        /// A public key file (`untrusted comment: …` and the base64 line), or nil when `text` is not one.
        init?(file text: String) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingSuffix("\r") }
            guard lines.count == 2, lines[0].hasPrefix(Minisign.untrustedPrefix),
                  let decoded = Data(base64Encoded: String(lines[1])).map(Array.init), decoded.count == 42,
                  decoded[0...1].elementsEqual("Ed".utf8)
            else { return nil }
            idBytes = Array(decoded[2..<10])
            publicKey = Array(decoded[10...])
            id = Minisign.displayed(idBytes)
        }
    }

    static let untrustedPrefix = "untrusted comment:"
    static let trustedPrefix = "trusted comment: "

    /// minisign's display of a key id: the little-endian number in hex (`%PRIX64`).
    static func displayed(_ id: [UInt8]) -> String {
        String(id.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, radix: 16, uppercase: true)
    }

    /// A key id as a pin line may write it (any case, with or without leading zeros), as `displayed` gives it.
    static func normalized(_ id: String) -> String {
        UInt64(id, radix: 16).map { String($0, radix: 16, uppercase: true) } ?? id
    }

    /// Whether `signatureFile` is `key`'s over `message`: `.success` with the
    /// trusted comment, or `.failure` saying what is wrong.
    static func verify(_ signatureFile: [UInt8], over message: [UInt8], key: Key) -> Result<String, SignatureProblem> {
        let lines = String(decoding: signatureFile, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .map { String($0.trimmingSuffix("\r")) }
        guard lines.count == 4, lines[0].hasPrefix(untrustedPrefix), lines[2].hasPrefix(trustedPrefix),
              let signature = Data(base64Encoded: lines[1]).map(Array.init), signature.count == 74,
              let globalSignature = Data(base64Encoded: lines[3]).map(Array.init), globalSignature.count == 64
        else { return .failure(.malformed("it is not a minisign signature file (four lines: two comments and two base64 signatures)")) }
        let algorithm = String(decoding: signature[0...1], as: UTF8.self)
        let keyID = Array(signature[2..<10])
        let signatureBytes = Array(signature[10...])
        guard keyID == key.idBytes else { return .failure(.otherKey("minisign key \(displayed(keyID))")) }
        let trustedComment = String(lines[2].dropFirst(trustedPrefix.count))
        do throws(OpenSSLError) {
            let publicKey = try PublicKey.ed25519(key.publicKey)
            let signed: [UInt8]
            switch algorithm {
            case "ED": signed = try blake2b512(message)
            case "Ed": signed = message
            default: return .failure(.malformed("its algorithm '\(algorithm)' is not one minisign writes (Ed or ED)"))
            }
            guard try publicKey.verifies(signatureBytes, over: signed, hash: nil) else { return .failure(.doesNotMatch) }
            guard try publicKey.verifies(globalSignature, over: signatureBytes + Array(trustedComment.utf8), hash: nil) else {
                return .failure(.malformed("its trusted comment was changed after signing (the second signature does not cover it)"))
            }
        } catch {
            return .failure(.malformed(error.description))
        }
        return .success("good minisign signature by key \(key.id), trusted comment: \(trustedComment)")
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ suffix: Character) -> Substring {
        last == suffix ? dropLast() : self
    }
}
