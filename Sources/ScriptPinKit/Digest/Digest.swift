#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// A digest value. Equality runs in constant time, so that comparing a body
/// against a pin leaks nothing about how many leading bytes matched.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    public let bytes: [UInt8]

    public init(algorithm: DigestAlgorithm, bytes: [UInt8]) {
        precondition(bytes.count == algorithm.byteCount, "a \(algorithm) digest has \(algorithm.byteCount) bytes")
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Parses the three spellings people paste: bare hex in any case (the
    /// algorithm given by its length unless `expected` says), `sha256:<hex>`,
    /// and SRI `sha256-<base64>`.
    public init?(parsing text: String, expected: DigestAlgorithm? = nil) {
        for algorithm in DigestAlgorithm.allCases {
            let name = algorithm.rawValue
            if text.hasPrefix(name + ":") {
                guard expected == nil || expected == algorithm,
                      let bytes = Self.bytes(fromHex: text.dropFirst(name.count + 1)),
                      bytes.count == algorithm.byteCount
                else { return nil }
                self.init(algorithm: algorithm, bytes: bytes)
                return
            }
            if text.hasPrefix(name + "-") {
                guard expected == nil || expected == algorithm,
                      let data = Data(base64Encoded: String(text.dropFirst(name.count + 1))),
                      data.count == algorithm.byteCount
                else { return nil }
                self.init(algorithm: algorithm, bytes: Array(data))
                return
            }
        }
        guard let bytes = Self.bytes(fromHex: Substring(text)),
              let algorithm = expected ?? DigestAlgorithm(hexLength: text.utf8.count),
              bytes.count == algorithm.byteCount
        else { return nil }
        self.init(algorithm: algorithm, bytes: bytes)
    }

    /// Lowercase hex, the form `sha256sum` prints and pins store.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var characters = [UInt8]()
        characters.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Subresource Integrity form, `sha256-<base64>`.
    public var sri: String {
        "\(algorithm.rawValue)-\(Data(bytes).base64EncodedString())"
    }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        guard lhs.algorithm == rhs.algorithm, lhs.bytes.count == rhs.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.bytes.indices {
            difference |= lhs.bytes[index] ^ rhs.bytes[index]
        }
        return difference == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(algorithm)
        hasher.combine(bytes)
    }

    private static func bytes(fromHex text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count % 2 == 0 else { return nil }
        var result = [UInt8]()
        result.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
