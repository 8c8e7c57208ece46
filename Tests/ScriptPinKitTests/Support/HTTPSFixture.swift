import Foundation

/// A test's view of the real HTTPS server on 127.0.0.1
/// (Fixtures/https_server.py), with a CA made for this test run: its own
/// files, request log and collected POST bodies, in a space of its own.
/// One server process serves every test, since starting one (Python and
/// four certificates) for each test cost more than most tests take.
final class HTTPSFixture: @unchecked Sendable {
    /// The space's directory; the server maps `/v/NAME/…` to it.
    let root = TemporaryDirectory("scriptpin-https")
    private let server: SharedHTTPSServer

    init() throws {
        server = try SharedHTTPSServer.shared.get()
    }

    var caFile: String { server.caFile }
    var trustedPort: Int { server.trustedPort }
    var untrustedPort: Int { server.untrustedPort }
    var wrongHostPort: Int { server.wrongHostPort }
    var collectorPort: Int { server.collectorPort }

    /// Makes this space the stand-in for `host` on the vendors port (the last claim wins),
    /// so that a fetch through `vendorConnectTo` gets this space's hosts/HOST/… or, for
    /// raw.githubusercontent.com, a file of its repos/.
    func standIn(for host: String) {
        server.claim(host, for: root.path)
    }

    /// `SCRIPTPIN_CONNECT_TO` for the vendors port: every host's port 443 goes there.
    var vendorConnectTo: String { ":443:127.0.0.1:\(server.vendorsPort)" }

    /// Publishes `content` at /files/NAME, replacing what was there.
    func serve(_ name: String, _ content: String) {
        root.write("files/\(name)", content)
    }

    /// The URL of `path` in this test's space.
    func url(_ path: String, port: Int? = nil, host: String = "127.0.0.1") -> String {
        "https://\(host):\(port ?? trustedPort)\(self.path(path))"
    }

    /// The collector's plain-HTTP URL for `path` in this test's space.
    func collectorURL(_ path: String) -> String {
        "http://127.0.0.1:\(collectorPort)\(self.path(path))"
    }

    /// The absolute path of `path` in this test's space, for a URL written by hand.
    func path(_ path: String) -> String {
        "/v/\((root.path as NSString).lastPathComponent)/\(path)"
    }

    /// This space's requests, and any that reached the server outside every space.
    var requests: [String] {
        ((root.read("requests.log") ?? "") + server.strayRequests).split(separator: "\n").map(String.init)
    }

    /// Every POST body the collector received.
    var collected: String { root.read("collected.log") ?? "" }
}

/// The server process every `HTTPSFixture` shares. It ends with the test
/// process: its standard input is a pipe that closes when this process exits.
final class SharedHTTPSServer: @unchecked Sendable {
    static let shared = Result { try SharedHTTPSServer() }

    private let directory = TemporaryDirectory("scriptpin-https-server")
    let caFile: String
    let trustedPort: Int
    let untrustedPort: Int
    let wrongHostPort: Int
    let collectorPort: Int
    let vendorsPort: Int
    private let process = Process()
    private let input = Pipe()

    private init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", ProcessRunner.fixtures + "/https_server.py", directory.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let info = try JSONSerialization.jsonObject(with: line) as? [String: Any],
              let ports = info["ports"] as? [String: Int], let ca = info["ca"] as? String
        else { throw FixtureError.serverDidNotStart(String(decoding: line, as: UTF8.self)) }
        caFile = ca
        trustedPort = ports["trusted"]!
        untrustedPort = ports["untrusted"]!
        wrongHostPort = ports["wronghost"]!
        collectorPort = ports["collector"]!
        vendorsPort = ports["vendors"]!
    }

    func claim(_ host: String, for space: String) {
        _ = directory.write("hosts/\(host)", space)
    }

    enum FixtureError: Error {
        case serverDidNotStart(String)
    }

    var strayRequests: String { directory.read("requests.log") ?? "" }
}

/// A repository-like directory with a manifest, a cache and a marker location.
final class Workspace: @unchecked Sendable {
    let directory = TemporaryDirectory("scriptpin-work")
    let server: HTTPSFixture

    init(server: HTTPSFixture) {
        self.server = server
        try! FileManager.default.createDirectory(atPath: directory.url("known-hashes"), withIntermediateDirectories: true)
    }

    /// What every run whose pin has no egress lines says on stderr.
    /// What `run` says of a pin without egress or write lines, before the script runs.
    static let unrestrictedNotices = "scriptpin: the script's network is unrestricted; list the hosts it may reach as `egress HOST[:PORT]` lines in its pin (`scriptpin run --egress-audit` shows the ones it contacts)\n"
        + "scriptpin: the script's writes are unrestricted; list the paths it may change as `write PATH` lines in its pin (`scriptpin run --write-audit` shows the ones it changes)\n"

    var path: String { directory.path }
    var marker: String { directory.url("marker") }
    var cache: String { directory.url("cache") }

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessRunner.baseEnvironment(home: directory.path)
        environment["SCRIPTPIN_CACHE"] = cache
        environment["SSL_CERT_FILE"] = server.caFile
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    func pin(_ name: String, url: String, content: String, extra: String = "") {
        let digest = sha256Hex(content)
        directory.write("known-hashes/\(name).pin", "url \(url)\nsha256 \(digest)\n\(extra)")
    }

    func scriptpin(_ arguments: [String], environment: [String: String]? = nil, input: Data? = nil) -> ProcessResult {
        ProcessRunner.scriptpin(arguments, in: path, environment: environment ?? self.environment(), input: input)
    }

    /// A script that proves it ran by creating the marker file.
    func markerScript(_ text: String = "") -> String {
        "#!/bin/sh\n\(text)\necho ran > '\(marker)'\n"
    }

    var markerExists: Bool { FileManager.default.fileExists(atPath: marker) }
}

func sha256Hex(_ text: String) -> String {
    let directory = TemporaryDirectory()
    directory.write("body", text)
    return String(ProcessRunner.run("sha256sum", ["body"], in: directory.path).stdout.prefix(64))
}
