internal import CLibCrypto

/// A failure inside libcrypto, carrying OpenSSL's own error text.
public struct OpenSSLError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let detail: String

    /// Drains OpenSSL's thread-local error queue into one message.
    init(operation: String) {
        self.operation = operation
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        self.detail = messages.isEmpty ? "no error reported by OpenSSL" : messages.joined(separator: "; ")
    }

    public var description: String {
        "OpenSSL \(operation) failed: \(detail); check that the system's libcrypto (libssl3) is installed and not in a restricted FIPS mode"
    }
}

/// An incremental SHA-2 computation in an OpenSSL `EVP_MD_CTX`, which this
/// class owns and frees. Bytes go in with `update`; `finalize` gives the digest.
public final class StreamingHasher {
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer

    public init(_ algorithm: DigestAlgorithm) throws(OpenSSLError) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError(operation: "EVP_MD_CTX_new") }
        self.context = context
        guard EVP_DigestInit_ex(context, Self.messageDigest(algorithm), nil) == 1 else {
            throw OpenSSLError(operation: "EVP_DigestInit_ex(\(algorithm.rawValue))")
        }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) throws(OpenSSLError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else {
            throw OpenSSLError(operation: "EVP_DigestUpdate")
        }
    }

    public func update(_ bytes: [UInt8]) throws(OpenSSLError) {
        let accepted = bytes.withUnsafeBytes { buffer in
            buffer.isEmpty || EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1
        }
        guard accepted else { throw OpenSSLError(operation: "EVP_DigestUpdate") }
    }

    /// Ends the computation; the hasher must not be updated afterwards.
    public func finalize() throws(OpenSSLError) -> Digest {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
            throw OpenSSLError(operation: "EVP_DigestFinal_ex")
        }
        guard Int(length) == algorithm.byteCount,
              Int(scriptpin_evp_md_size(Self.messageDigest(algorithm))) == algorithm.byteCount
        else {
            throw OpenSSLError(operation: "EVP_DigestFinal_ex (unexpected digest length \(length))")
        }
        return Digest(algorithm: algorithm, bytes: Array(output.prefix(Int(length))))
    }

    private static func messageDigest(_ algorithm: DigestAlgorithm) -> OpaquePointer? {
        switch algorithm {
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        case .sha512: EVP_sha512()
        }
    }

    deinit {
        EVP_MD_CTX_free(context)
    }
}

extension BuildInfo {
    /// The OpenSSL this process runs with ("OpenSSL 3.0.17 1 Jul 2025"), not the one it was compiled against.
    public static var openSSLVersion: String {
        String(cString: OpenSSL_version(OPENSSL_VERSION))
    }
}
