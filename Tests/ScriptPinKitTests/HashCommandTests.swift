import Foundation
import Testing

@Suite("scriptpin hash, end to end")
struct HashCommandTests {
    @Test("Standard input is '-', and is the default")
    func standardInput() {
        let directory = TemporaryDirectory()
        let input = Data("abc".utf8)
        let line = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  -\n"
        #expect(ProcessRunner.scriptpin(["hash"], in: directory.path, input: input).stdout == line)
        #expect(ProcessRunner.scriptpin(["hash", "-"], in: directory.path, input: input).stdout == line)
    }

    @Test("--sri prints sha256-<base64>, and options may follow the operands")
    func subresourceIntegrity() {
        let directory = TemporaryDirectory()
        directory.write("abc", "abc")
        let result = ProcessRunner.scriptpin(["hash", "abc", "--sri"], in: directory.path)
        #expect(result.stdout == "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=  abc\n")
        #expect(result.status == 0)
    }

    @Test("Missing, unreadable and directory arguments are named, exit 2, and the rest are still hashed")
    func badArguments() throws {
        let directory = TemporaryDirectory()
        directory.write("good", "abc")
        directory.write("locked", "secret")
        chmod(directory.url("locked"), 0)
        try FileManager.default.createDirectory(atPath: directory.url("folder"), withIntermediateDirectories: false)
        let result = ProcessRunner.scriptpin(["hash", "missing", "good", "folder", "locked"], in: directory.path)
        #expect(result.status == 2)
        #expect(result.stdout.hasPrefix("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  good\n"))
        #expect(result.stderr.contains("Error: missing: No such file or directory\n"))
        #expect(result.stderr.contains("Error: folder: Is a directory"))
        if getuid() != 0 {
            #expect(result.stderr.contains("Error: locked: Permission denied\n"))
        }
    }

    @Test("Binary garbage and empty files hash like any other file")
    func garbage() {
        let directory = TemporaryDirectory()
        var generator = SeededGenerator(seed: 3)
        directory.write("garbage", Data(generator.bytes(70_000)))
        directory.write("empty", "")
        let expected = ProcessRunner.run("sha256sum", ["garbage", "empty"], in: directory.path)
        let result = ProcessRunner.scriptpin(["hash", "garbage", "empty"], in: directory.path)
        #expect(result.stdout == expected.stdout)
        #expect(result.status == 0)
    }

    @Test("Usage errors print Error: and a usage line, exit 2")
    func usageErrors() {
        let directory = TemporaryDirectory()
        let unknown = ProcessRunner.scriptpin(["hash", "--colour"], in: directory.path)
        #expect(unknown.status == 2)
        #expect(unknown.stdout == "")
        #expect(unknown.stderr == "Error: unknown option '--colour' for `scriptpin hash`\nUsage: scriptpin hash [<file|url|->...] [--algo sha256|sha384|sha512] [--sri] [--ca-file <path>] [--timeout <seconds>] [--max-size <bytes>]\n")
        let badAlgorithm = ProcessRunner.scriptpin(["hash", "--algo", "md5"], in: directory.path)
        #expect(badAlgorithm.status == 2)
        #expect(badAlgorithm.stderr.hasPrefix("Error: --algo takes sha256, sha384 or sha512\n"))
        let missingValue = ProcessRunner.scriptpin(["hash", "--algo"], in: directory.path)
        #expect(missingValue.status == 2)
        #expect(missingValue.stderr.hasPrefix("Error: --algo needs a value"))
    }
}
