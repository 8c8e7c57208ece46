import Foundation
import Synchronization
import Testing
@testable import ScriptPinKit

/// Keeps everything a use case reports, in order, for exact assertions.
final class RecordingReporter: Reporter {
    private let recorded = Mutex<[String]>([])
    private let bytes = Mutex<[UInt8]>([])

    var events: [String] { recorded.withLock { $0 } }
    var resultBytes: [UInt8] { bytes.withLock { $0 } }

    func result(_ text: String) { recorded.withLock { $0.append("result: " + text) } }
    func result(bytes chunk: UnsafeRawBufferPointer) { bytes.withLock { $0.append(contentsOf: chunk) } }
    func note(_ text: String) { recorded.withLock { $0.append("note: " + text) } }
    func warning(_ message: String) { recorded.withLock { $0.append("warning: " + message) } }
    func error(_ message: String) { recorded.withLock { $0.append("error: " + message) } }
    func progress(_ text: String?) {}
    func reclaimTerminal(startingLine: Bool) { recorded.withLock { $0.append("reclaim terminal" + (startingLine ? " on a new line" : "")) } }
    func styled(_ text: String, _ style: TextStyle) -> String { "<\(style)>\(text)</\(style)>" }
    func hint(_ remedy: Remedy) -> String { " [\(remedy)]" }
}

@Suite("The library driven directly: requests in, outcomes and reports out")
struct LibraryTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    /// A context for the workspace, as the executable would build it, without touching this process.
    private var context: ProcessContext {
        ProcessContext(
            environment: [("HOME", work.path), ("SCRIPTPIN_CACHE", work.cache), ("SSL_CERT_FILE", server.caFile)].map(EnvironmentVariable.init),
            workingDirectory: work.path)
    }

    @Test("add prepares without writing, reports the preview, and writes only on commit")
    func addPrepareCommit() throws {
        let script = "#!/bin/sh\necho library\n"
        server.serve("lib.sh", script)
        var add = AddCommand()
        add.name = "lib"
        add.url = server.url("files/lib.sh")
        add.fetchOptions = FetchOptions(environmentCAFile: context.caFileFromEnvironment)
        let reporter = RecordingReporter()
        let prepared = try add.prepare(reporter: reporter, context: context)
        #expect(prepared.pin.sha256.map(\.hex) == [sha256Hex(script)])
        #expect(prepared.pin.interpreter == "sh")
        #expect(prepared.question == "Pin lib to this digest?")
        #expect(!work.directory.exists("known-hashes/lib.pin"), "nothing is written before commit")
        #expect(reporter.events.contains("result: sha256       \(sha256Hex(script))\n"))
        #expect(reporter.events.contains("result:   | echo library\n"))
        try AddCommand.commit(prepared, reporter: reporter)
        #expect(work.directory.read("known-hashes/lib.pin")?.contains("sha256 \(sha256Hex(script))\ninterpreter sh\n") == true)
        #expect(reporter.events.last == "note: scriptpin: wrote \(prepared.path); review and commit it")
    }

    @Test("run --print hands the verified bytes to the reporter and reports the outcome")
    func runPrints() throws {
        let script = "#!/bin/sh\necho printed\n"
        server.serve("p.sh", script)
        work.pin("p", url: server.url("files/p.sh"), content: script)
        var run = RunCommand()
        run.target = "p"
        run.printInsteadOfRunning = true
        run.fetchOptions = FetchOptions(environmentCAFile: server.caFile)
        let reporter = RecordingReporter()
        #expect(try run.run(reporter: reporter, context: context) == .printed)
        #expect(reporter.resultBytes == Array(script.utf8))
        var unknown = run
        unknown.target = "nope"
        #expect(throws: ScriptPinError.self) { _ = try unknown.run(reporter: reporter, context: context) }
        var offline = run
        offline.offline = true
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: "\(work.cache)/sha256/\(sha256Hex(script))"))
        do {
            _ = try offline.run(reporter: reporter, context: context)
            Issue.record("a modified store entry was used")
        } catch {
            #expect(reporter.explain(error).hasPrefix("stored copy \(work.cache)/sha256/\(sha256Hex(script)) was modified"))
        }
        let missing = ScriptPinError.manifestNotFound(searchedFrom: "/x", repositoryRoot: nil)
        #expect(reporter.explain(missing) == "no known-hashes/ directory in /x or any parent; create one [nameManifest]",
                "the library names the remedy; the caller words it")
    }

    @Test("verify finds the manifest from the context's working directory and returns the outcome")
    func verifyFromContext() {
        work.pin("one", url: "https://example.com/one.sh", content: "echo one\n")
        let reporter = RecordingReporter()
        #expect(VerifyCommand().run(reporter: reporter, context: context) == .succeeded)
        #expect(reporter.events == [
            "result: known-hashes/one.pin: <green>OK</green>\n", "note: scriptpin: 1 pins in known-hashes are valid",
        ])
        work.directory.write("known-hashes/bad.pin", "url http://example.com/x\n")
        #expect(VerifyCommand().run(reporter: RecordingReporter(), context: context) == .failed(.invalidInput))
    }
}
