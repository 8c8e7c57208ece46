import Foundation
import Testing
@testable import ScriptPinKit

@Suite("Digests through libcrypto")
struct DigestTests {
    private func hex(_ algorithm: DigestAlgorithm, _ bytes: [UInt8]) throws -> String {
        let hasher = try StreamingHasher(algorithm)
        try hasher.update(bytes)
        return try hasher.finalize().hex
    }

    @Test("FIPS 180-4 example vectors")
    func fipsVectors() throws {
        let abc = Array("abc".utf8)
        let twoBlock = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let long = Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)
        #expect(try hex(.sha256, abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try hex(.sha256, twoBlock) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(try hex(.sha384, abc) == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(try hex(.sha512, abc) == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(try hex(.sha512, long) == "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909")
        #expect(try hex(.sha256, []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(try hex(.sha256, million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("Streaming in uneven pieces gives the one-shot digest")
    func streamingMatchesOneShot() throws {
        var generator = SeededGenerator(seed: 7)
        let data = generator.bytes(10_000)
        let hasher = try StreamingHasher(.sha256)
        var offset = 0
        while offset < data.count {
            let step = Int.random(in: 0...300, using: &generator)
            let end = min(data.count, offset + step)
            try hasher.update(Array(data[offset..<end]))
            offset = end
        }
        #expect(try hasher.finalize().hex == hex(.sha256, data))
    }

    @Test("Parses bare hex in any case, sha256:<hex> and SRI; prints lowercase hex")
    func parsing() throws {
        let hexText = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let bare = try #require(Digest(parsing: hexText))
        #expect(bare.algorithm == .sha256)
        #expect(Digest(parsing: hexText.uppercased()) == bare)
        #expect(Digest(parsing: "sha256:" + hexText) == bare)
        #expect(Digest(parsing: "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=") == bare)
        #expect(bare.sri == "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
        #expect(Digest(parsing: hexText.uppercased())?.hex == hexText)
        #expect(Digest(parsing: String(repeating: "ab", count: 64))?.algorithm == .sha512)
        #expect(Digest(parsing: String(repeating: "ab", count: 48))?.algorithm == .sha384)
        for invalid in ["", "xyz", String(hexText.dropLast()), hexText + "0", "sha256:" + hexText.dropLast(2),
                        "sha512:" + hexText, "sha256-notbase64!", "md5:" + hexText, String(repeating: "g", count: 64)] {
            #expect(Digest(parsing: invalid) == nil, "\(invalid) should be rejected")
        }
        #expect(Digest(parsing: String(repeating: "ab", count: 64), expected: .sha256) == nil)
    }

    @Test("Equality compares every byte and the algorithm")
    func equality() throws {
        let first = Digest(algorithm: .sha256, bytes: [UInt8](repeating: 1, count: 32))
        var lastDiffers = first.bytes
        lastDiffers[31] = 2
        #expect(first == Digest(algorithm: .sha256, bytes: first.bytes))
        #expect(first != Digest(algorithm: .sha256, bytes: lastDiffers))
        #expect(Set([first, Digest(algorithm: .sha256, bytes: first.bytes)]).count == 1)
    }

    @Test("Byte-identical to sha256sum and sha512sum around every block boundary and at several MiB")
    func matchesCoreutils() throws {
        let directory = TemporaryDirectory()
        var generator = SeededGenerator(seed: 42)
        var names: [String] = []
        let lengths = Array(0...260) + [1 << 20, 3 * (1 << 20) + 17, 5 * (1 << 20) - 1]
        for length in lengths {
            let name = "data-\(length)"
            directory.write(name, Data(generator.bytes(length)))
            names.append(name)
        }
        for (algorithm, tool) in [("sha256", "sha256sum"), ("sha512", "sha512sum")] {
            let expected = ProcessRunner.run(tool, names, in: directory.path)
            let actual = ProcessRunner.scriptpin(["hash", "--algo", algorithm] + names, in: directory.path)
            #expect(expected.status == 0)
            #expect(actual.status == 0)
            #expect(actual.stderr == "")
            #expect(actual.stdoutData == expected.stdoutData, "scriptpin hash --algo \(algorithm) differs from \(tool)")
        }
    }

    @Test("File names with backslash, newline or carriage return are escaped like sha256sum")
    func escapedNames() {
        let directory = TemporaryDirectory()
        let names = ["back\\slash", "new\nline", "carriage\rreturn", "plain"]
        for name in names { directory.write(name, name) }
        let expected = ProcessRunner.run("sha256sum", names, in: directory.path)
        let actual = ProcessRunner.scriptpin(["hash"] + names, in: directory.path)
        #expect(actual.stdoutData == expected.stdoutData)
    }
}
