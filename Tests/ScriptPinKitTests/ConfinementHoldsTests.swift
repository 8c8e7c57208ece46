import Foundation
import Testing
@testable import ScriptPinKit

/// The ways out of the sandbox that an adversarial review found, each tried
/// again as a backdoored installer would, as root and as `nobody`.
@Suite("Confinement holds: the terminal, root's kernel interfaces, scriptpin's command line")
struct ConfinementHoldsTests {
    typealias User = ConfinementTests.User
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    /// Pushes a command into the terminal's input through stdin and through
    /// /dev/tty, then asks a question on the terminal.
    static let terminalScript = """
        #!/bin/sh
        python3 -c '
        import fcntl, os, termios
        for name, target in (("stdin", lambda: 0), ("/dev/tty", lambda: os.open("/dev/tty", os.O_RDWR))):
            try:
                descriptor = target()
                for byte in b"echo INJECTED\\n":
                    fcntl.ioctl(descriptor, termios.TIOCSTI, bytes([byte]))
                print(name + ": injected")
            except OSError as error:
                print(name + ": " + os.strerror(error.errno))
        '
        printf 'name? '
        read answer
        echo "answer: $answer"
        exit 3
        """

    /// Runs the terminal script under a real pty; afterwards the shell that
    /// started scriptpin reads what is left in the terminal's input.
    private func runOnTerminal(_ stage: ConfinementTests.Stage, confine: String) throws -> ProcessResult {
        stage.directory.write("pty_driver.py", try String(contentsOfFile: ProcessRunner.fixtures + "/pty_driver.py", encoding: .utf8))
        let shell = "./scriptpin run terminal --confine \(confine) 2>stderr.txt; status=$?; injected=; read -t 2 injected; echo \"after: [$injected] status $status\""
        return stage.run("python3 pty_driver.py 'name? ' typed -- bash -c '\(shell)'")
    }

    @Test("A confined script cannot push input into scriptpin's terminal (TIOCSTI), and still asks and reads its answer there", arguments: User.allCases)
    func terminalInjection(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.pin("terminal", Self.terminalScript, server: server)
        let confined = try runOnTerminal(stage, confine: "required")
        #expect(confined.status == 0, "\(confined.stderr) \(stage.directory.read("stderr.txt") ?? "")")
        #expect(confined.stdout == """
            stdin: Operation not permitted
            /dev/tty: Operation not permitted
            name? typed
            answer: typed
            after: [] status 3

            """)

        // The control: unconfined, the same script reaches the terminal, where the kernel still allows TIOCSTI.
        let legacy = (try? String(contentsOfFile: "/proc/sys/dev/tty/legacy_tiocsti", encoding: .utf8)) ?? "1\n"
        if legacy == "1\n" {
            let unconfined = try runOnTerminal(stage, confine: "off")
            #expect(unconfined.stdout.contains("stdin: injected\n"), "\(unconfined.stdout)")
            #expect(unconfined.stdout.contains("INJECTED"), "\(unconfined.stdout)")
        }
    }

    @Test("A confined script prompting on /dev/tty gets the typed answer, the window size and its changes, through a terminal of its own; the same in a write-confined root",
          arguments: User.allCases, ["--confine required", "--write none"])
    func relayedTerminal(user: User, options: String) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.directory.write("pty_driver.py", try String(contentsOfFile: ProcessRunner.fixtures + "/pty_driver.py", encoding: .utf8))
        let script = """
            #!/bin/sh
            # scriptpin's own terminal, /dev/pts/N, is not there to open: only a fresh instance's ptmx.
            echo "terminals: $(ls /dev/pts)"
            python3 -c 'import os, pty; pid, fd = pty.fork(); os.execlp("true", "true") if pid == 0 else print("a new terminal: " + str(os.waitpid(pid, 0)[1]))'
            echo "size: $(stty size < /dev/tty)"
            printf 'password? ' > /dev/tty
            stty -echo < /dev/tty
            read answer < /dev/tty
            stty echo < /dev/tty
            echo
            echo "answer: $answer"
            echo "size: $(stty size < /dev/tty)"
            exit 5
            """
        stage.pin("prompt", script, server: server)
        let result = stage.run("python3 pty_driver.py 'password? ' hunter2 -- sh -c './scriptpin run prompt \(options) 2>/dev/null'")
        #expect(result.status == 5, "\(result.stderr)")
        // The answer is not echoed: the script's own `stty -echo` took effect on its terminal.
        #expect(result.stdout == "terminals: ptmx\na new terminal: 0\nsize: 33 101\npassword? \nanswer: hunter2\nsize: 40 120\n", "\(result.stdout)")
        let outside = stage.run("python3 pty_driver.py 'password? ' hunter2 -- sh -c 'ls /dev/pts | grep -c -v ptmx'")
        #expect(outside.stdout != "0\n", "the control: outside, the host's terminals are listed")
    }

    @Test("On a terminal, scriptpin's own report follows a reset of whatever the script's output left hidden or unfinished")
    func reportAfterReset() throws {
        let stage = try ConfinementTests.Stage(user: .root, server: server)
        stage.directory.write("pty_driver.py", try String(contentsOfFile: ProcessRunner.fixtures + "/pty_driver.py", encoding: .utf8))
        let script = """
            #!/bin/sh
            echo "scriptpin: network: 0 connections allowed (0 bytes sent, 0 bytes received), 0 blocked"
            printf 'ready? '
            read answer
            curl -s -o /dev/null https://example.com/ || true
            printf '\\033[8mhidden'
            """
        stage.pin("faker", script, server: server, extra: "egress 192.0.2.1\n")
        let result = stage.run("python3 pty_driver.py 'ready? ' y -- ./scriptpin run faker")
        #expect(result.status == 0, "\(result.stdout)")
        let reset = "\u{1B}[8mhidden\u{1B}[0m\u{1B}[?25h\u{0F}\nscriptpin: blocked example.com:443 (not in the pin's egress list)\n"
        #expect(result.stdout.contains(reset), "\(result.stdout.debugDescription)")
    }

    /// Tries to change what later code runs or trusts: scriptpin's
    /// directory, the manifest, and the runner's files for later steps.
    static let persistenceScript = """
        #!/bin/sh
        attempt() { if sh -c "$2" 2>/dev/null; then echo "$1: changed"; else echo "$1: refused"; fi; }
        attempt "replace scriptpin" 'echo evil > bin/scriptpin'
        attempt "remove scriptpin" 'rm -f bin/scriptpin'
        attempt "add beside scriptpin" 'echo evil > bin/scriptpin-shadow'
        attempt "change a pin" 'echo "sha256 0000" >> known-hashes/persist.pin'
        attempt "add a pin" 'echo evil > known-hashes/evil.pin'
        for name in GITHUB_ENV GITHUB_PATH GITHUB_OUTPUT GITHUB_STATE GITHUB_STEP_SUMMARY; do
            eval file=\\$$name
            attempt "append to $name" "echo BASH_ENV=/tmp/evil >> $file"
            attempt "replace $name" "rm -f $file"
        done
        """

    @Test("Nothing a confined script writes runs later in its place: scriptpin's directory, the manifest and the runner's files are read-only, also when a write line covers them",
          arguments: User.allCases, ["--confine required", "--write ."])
    func nothingPersists(user: User, options: String) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.pin("persist", Self.persistenceScript, server: server)
        let names = ConfinementPlan.laterStepFiles
        var environment: [String: String] = [:]
        for name in names {
            stage.directory.write("runner/\(name.lowercased())", "\(name)=kept\n")
            environment[name] = stage.directory.url("runner/\(name.lowercased())")
        }
        let pinBefore = stage.directory.read("known-hashes/persist.pin")
        let binary = { (try? Data(contentsOf: URL(fileURLWithPath: stage.directory.url("bin/scriptpin")))) ?? Data() }
        let binaryBefore = binary()
        let result = stage.run("./scriptpin run persist \(options)", extraEnvironment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let expected = ["replace scriptpin", "remove scriptpin", "add beside scriptpin", "change a pin", "add a pin"]
            + names.flatMap { ["append to \($0)", "replace \($0)"] }
        #expect(result.stdout == expected.map { "\($0): refused\n" }.joined())
        #expect(binary() == binaryBefore && !binaryBefore.isEmpty)
        #expect(stage.directory.read("known-hashes/persist.pin") == pinBefore)
        #expect(stage.directory.read("known-hashes/evil.pin") == nil)
        #expect(stage.directory.read("bin/scriptpin-shadow") == nil)
        for name in names { #expect(stage.directory.read("runner/\(name.lowercased())") == "\(name)=kept\n") }
    }

    @Test("A path to mask that cannot be examined is an error, not taken for missing: nothing is fetched or run")
    func unexaminableMask() throws {
        let stage = try ConfinementTests.Stage(user: .nobody, server: server)
        stage.pin("unseen", "#!/bin/sh\necho ran\n", server: server)
        // /root is 0700: nobody cannot tell whether /root/secret exists.
        let result = stage.run("./scriptpin run unseen --confine required --hide /root/secret")
        #expect(result.status == 125, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr.hasSuffix("Error: cannot tell whether /root/secret exists (Permission denied), so it could be neither masked nor protected; the script was not run. Make the path's directory searchable by this user, or name it with --expose if the script may reach it\n"), "\(result.stderr)")
        #expect(server.requests.count { $0.contains("/files/unseen.sh") } == 0, "nothing was fetched")
    }

    @Test("A mask over the working directory holds for relative paths too", arguments: User.allCases)
    func maskedWorkingDirectory(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.directory.write("work/data.txt", "private-4711")
        stage.pin("relative", "#!/bin/sh\necho \"data: [$(cat data.txt 2>/dev/null)] entries: $(ls -A | wc -l)\"\n", server: server)
        let hidden = stage.run("cd work && ../scriptpin run relative --confine required --hide .")
        #expect(hidden.status == 0, "\(hidden.stderr)")
        #expect(hidden.stdout == "data: [] entries: 0\n")
        let shown = stage.run("cd work && ../scriptpin run relative --confine required")
        #expect(shown.stdout == "data: [private-4711] entries: 1\n", "the control: unmasked, the file is there")
    }

    /// What a root script could use to leave the sandbox through the kernel.
    static let kernelScript = """
        #!/bin/sh
        if test -w /proc/sys/kernel/core_pattern; then echo "core_pattern: writable"; else echo "core_pattern: read-only"; fi
        if test -w /proc/sys/vm/drop_caches; then echo "drop_caches: writable"; else echo "drop_caches: read-only"; fi
        writable=0
        for file in $(find /sys/fs/cgroup \\( -name cgroup.kill -o -name cgroup.procs \\) 2>/dev/null); do
            test -w "$file" && writable=$((writable + 1))
        done
        echo "writable cgroup files: $writable"
        echo "firmware entries: $(ls -A /sys/firmware | wc -l)"
        # Undoing it: each line prints only if the way out opens.
        mount -o remount,rw /proc/sys 2>/dev/null && echo "remounted /proc/sys"
        umount -l /proc/sys 2>/dev/null && echo "unmounted /proc/sys"
        mount -o remount,rw /sys 2>/dev/null && echo "remounted /sys"
        mount -t proc proc /mnt 2>/dev/null && echo "mounted a new proc"
        unshare -Urm sh -c 'umount -l /proc/sys 2>/dev/null && echo "nested: unmounted /proc/sys"; test -w /proc/sys/kernel/core_pattern && echo "nested: core_pattern writable"'
        grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
        """

    private static let cgroupCount = "find /sys/fs/cgroup \\( -name cgroup.kill -o -name cgroup.procs \\) -writable 2>/dev/null | wc -l"

    @Test("Confined, /proc/sys, cgroupfs and /sys are read-only and firmware is masked, even for root, without the capabilities no installer needs; the same in a write-confined root",
          arguments: User.allCases, ["--confine required", "--write none"])
    func kernelInterfaces(user: User, options: String) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.pin("kernel", Self.kernelScript, server: server)
        let result = stage.run("./scriptpin run kernel \(options)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            core_pattern: read-only
            drop_caches: read-only
            writable cgroup files: 0
            firmware entries: 0
            CapBnd:\t00000000a80425fb
            NoNewPrivs:\t1
            Seccomp:\t2

            """)
        if user == .root {
            // The control: outside the sandbox root can write all of them.
            #expect(access("/proc/sys/kernel/core_pattern", W_OK) == 0)
            let outside = ProcessRunner.run("/bin/sh", ["-c", Self.cgroupCount], in: "/")
            #expect((Int(outside.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(outside.stdout)")
        }
    }

    @Test("Root confined still installs into /usr/local")
    func rootStillInstalls() throws {
        let stage = try ConfinementTests.Stage(user: .root, server: server)
        let target = "/usr/local/share/scriptpin-confined-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: target) }
        stage.pin("installer", "#!/bin/sh\nmkdir -p \(target) && echo installed > \(target)/marker && echo done\n", server: server)
        let result = stage.run("./scriptpin run installer --confine required")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "done\n")
        #expect(try String(contentsOfFile: target + "/marker", encoding: .utf8) == "installed\n")
    }

    @Test("No token in scriptpin's command line reaches the script: confined through /proc/1/cmdline, unconfined through the parent's", arguments: ["required", "off"])
    func commandLine(confine: String) throws {
        let stage = try ConfinementTests.Stage(user: .root, server: server)
        let script = """
            #!/bin/sh
            echo "arguments: $*"
            echo "scriptpin: [$(tr -d '\\0' < /proc/$PPID/cmdline)]"
            """
        server.serve("query.sh", script)
        let url = server.url("files/query.sh") + "?token=query-4711"
        stage.directory.write("known-hashes/query.pin", "url \(url)\nsha256 \(sha256Hex(script))\n")
        let result = stage.run("./scriptpin run '\(url)' --confine \(confine) -- -t argument-4711")
        #expect(result.status == 0, "\(result.stderr)")
        // Confined, the script's parent is the sandbox's PID 1, a copy of scriptpin; unconfined, scriptpin itself.
        #expect(result.stdout == "arguments: -t argument-4711\nscriptpin: [./scriptpin]\n")
    }

    @Test("The path SSH_AUTH_SOCK names is masked, though the script knows it", arguments: User.allCases)
    func sshAgentPath(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        // A file stands in for the agent's socket: the mask is the same bind of an empty file over either.
        let agent = stage.directory.url("agent.sock")
        stage.directory.write("agent.sock", "agent-4711")
        stage.pin("agent", "#!/bin/sh\necho \"agent: [$(cat \(agent))]\"\n", server: server)
        let confined = stage.run("SSH_AUTH_SOCK=\(agent) ./scriptpin run agent --confine required")
        #expect(confined.status == 0, "\(confined.stderr)")
        #expect(confined.stdout == "agent: []\n")
        let unconfined = stage.run("SSH_AUTH_SOCK=\(agent) ./scriptpin run agent --confine off")
        #expect(unconfined.stdout == "agent: [agent-4711]\n", "the control: unconfined, the path is there")
    }

    @Test("An allowed upstream that never reads cannot keep scriptpin alive after the script has ended", arguments: User.allCases)
    func upstreamThatNeverReads(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        // Accepts one connection and never reads from it.
        stage.directory.write("sink.py", """
            import socket, time
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            print(listener.getsockname()[1], flush=True)
            connection, _ = listener.accept()
            time.sleep(600)
            """)
        let script = """
            #!/bin/sh
            python3 -c '
            import socket, sys
            tunnel = socket.create_connection(("127.0.0.1", 3128))
            tunnel.sendall(b"CONNECT 127.0.0.1:" + sys.argv[1].encode() + b" HTTP/1.1\\r\\n\\r\\n")
            print(tunnel.recv(64).split(b"\\r\\n")[0].decode(), flush=True)
            tunnel.setblocking(False)
            try:
                while True:
                    tunnel.send(b"x" * 65536)
            except BlockingIOError:
                print("the upstream stopped reading", flush=True)
            ' "$1"
            """
        stage.pin("flood", script, server: server)
        let result = stage.run("""
            python3 sink.py > port.txt & sink=$!
            while [ ! -s port.txt ]; do sleep 0.05; done
            port=$(cat port.txt)
            timeout 60 ./scriptpin run flood --egress 127.0.0.1:$port -- $port; echo "status $?"
            kill -9 $sink
            """)
        #expect(result.stdout == "HTTP/1.1 200 Connection established\nthe upstream stopped reading\nstatus 0\n", "\(result.stderr)")
    }

    @Test("run --report writes the network report as JSON; an audit of a failed script says its list may be incomplete")
    func networkReport() throws {
        let stage = try ConfinementTests.Stage(user: .root, server: server)
        server.serve("reported.txt", "reported\n")
        let script = """
            #!/bin/sh
            curl -fsS --cacert "$SSL_CERT_FILE" \(server.url("files/reported.txt"))
            curl -s -o /dev/null https://example.com/ || true
            exit 3
            """
        stage.pin("reported", script, server: server, extra: "egress 127.0.0.1:\(server.trustedPort)\n")
        let enforced = stage.run("./scriptpin run reported --report report.json")
        #expect(enforced.status == 3, "\(enforced.stderr)")
        #expect(enforced.stdout == "reported\n")
        let report = try #require(stage.directory.read("report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])
        #expect(json["version"] as? Int == 1)
        #expect((json["script"] as? [String: Int]) == ["exitStatus": 3])
        #expect(json["confined"] as? Bool == true)
        #expect(json["network"] as? String == "proxied")
        #expect(json["audit"] as? Bool == false)
        let blocked = try #require(json["blocked"] as? [[String: Any]])
        #expect(blocked.map { "\($0["destination"] ?? "") \($0["attempts"] ?? "")" } == ["example.com:443 1"])
        let allowed = try #require(json["allowed"] as? [[String: Any]])
        #expect(allowed.map { "\($0["destination"] ?? "") \($0["connections"] ?? "")" } == ["127.0.0.1:\(server.trustedPort) 1"])
        #expect(json["suggestedEgressLines"] == nil)

        let audited = stage.run("./scriptpin run reported --egress-audit --report audit.json")
        #expect(audited.status == 3)
        #expect(audited.stderr.hasSuffix("scriptpin: egress audit: the script contacted 2 destinations; these lines in its pin allow exactly them:\negress 127.0.0.1:\(server.trustedPort)\negress example.com\nWarning: the egress audit may be incomplete: the script exited with status 3, perhaps before it reached every host it needs; audit it again once it succeeds\n"), "\(audited.stderr)")
        let auditText = try #require(stage.directory.read("audit.json"))
        let audit = try #require(try JSONSerialization.jsonObject(with: Data(auditText.utf8)) as? [String: Any])
        #expect(audit["audit"] as? Bool == true)
        #expect(audit["suggestedEgressLines"] as? [String] == ["egress 127.0.0.1:\(server.trustedPort)", "egress example.com"])
    }

    @Test("A real ssh-agent holding a key signs for the script unconfined, and is out of reach confined", arguments: User.allCases)
    func realSSHAgent(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        let script = "#!/bin/sh\nSSH_AUTH_SOCK=\"$1\" ssh-add -l > /dev/null 2>&1; echo \"agent answered: $?\"\n"
        stage.pin("agentuse", script, server: server)
        // The agent's standard streams go nowhere, so that it holds none of the test's pipes; -D keeps it in the foreground, to be killed by pid.
        let result = stage.run("""
            ssh-keygen -q -t ed25519 -N '' -f key && \
            { ssh-agent -D -a "$PWD/agent.sock" < /dev/null > /dev/null 2>&1 & agent=$!; } && \
            while [ ! -S agent.sock ]; do sleep 0.05; done && \
            SSH_AUTH_SOCK="$PWD/agent.sock" ssh-add key 2>/dev/null && \
            echo "keys: $(SSH_AUTH_SOCK="$PWD/agent.sock" ssh-add -l | wc -l)"
            ./scriptpin run agentuse --confine required -- "$PWD/agent.sock" 2>/dev/null
            ./scriptpin run agentuse --confine off -- "$PWD/agent.sock" 2>/dev/null
            kill -9 $agent
            """, extraEnvironment: ["SSH_AUTH_SOCK": stage.directory.url("agent.sock")])
        // ssh-add -l: 0 lists keys, 2 cannot reach the agent.
        #expect(result.stdout == "keys: 1\nagent answered: 2\nagent answered: 0\n", "\(result.stderr)")
    }

    @Test("An allowed name that resolves to loopback is refused by the proxy; the address written literally still passes", arguments: User.allCases)
    func nameResolvingInside(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        server.serve("inside.txt", "inside\n")
        let script = """
            #!/bin/sh
            curl -fsS --cacert "$SSL_CERT_FILE" \(server.url("files/inside.txt", host: "localhost")) 2>/dev/null || echo "localhost: refused"
            curl -fsS --cacert "$SSL_CERT_FILE" \(server.url("files/inside.txt"))
            """
        stage.pin("inside", script, server: server, extra: "egress localhost:\(server.trustedPort)\negress 127.0.0.1:\(server.trustedPort)\n")
        let result = stage.run("./scriptpin run inside")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "localhost: refused\ninside\n")
        #expect(result.stderr.contains("scriptpin: refused localhost:\(server.trustedPort): the name resolves only to loopback, private or link-local addresses (1 attempt); name the address itself in an egress line if the script must reach it\n"), "\(result.stderr)")
        #expect(server.requests.count { $0.contains("/files/inside.txt") } == 1, "only the literal address reached the server")
    }
}

@Suite("The proxy's addresses: canonical IPv4 only, no internal address behind a name, Host matching the URL")
struct EgressAddressTests {
    @Test("IPv4 is accepted only as a canonical dotted quad, in a pin's egress line and in a request", arguments: [
        "0x7f.1:8080", "2130706433:80", "127.1", "0177.0.0.1", "127.0.0.01", "127.0.0.256", "1.2.3.4.5", "*.1.2.3", "example.123",
    ])
    func oddIPv4(text: String) {
        #expect(EgressDestination(parsing: text) == nil)
        #expect(EgressRule(parsing: text) == nil)
        guard case .failure = ProxyRequest.parse(Array("CONNECT \(text.contains(":") ? text : text + ":443") HTTP/1.1\r\n\r\n".utf8)) else {
            Issue.record("CONNECT \(text) accepted")
            return
        }
    }

    @Test("Canonical addresses and names still parse", arguments: ["127.0.0.1:8080", "0.0.0.0", "192.0.2.10", "example.com", "a1.example.com", "1a.example"])
    func canonical(text: String) {
        #expect(EgressDestination(parsing: text) != nil)
    }

    @Test("Internal addresses are told from public ones, IPv4-mapped forms included")
    func internalAddresses() {
        let inside: [UInt32] = [0x7F00_0001, 0x0A01_0203, 0xAC1F_0001, 0xC0A8_0101, 0xA9FE_A9FE, 0x6440_0001, 0x0000_0000, 0xE000_0001, 0xFFFF_FFFF]
        for address in inside { #expect(InternetAddress.isInternal(ipv4: address), "\(String(address, radix: 16))") }
        for address: UInt32 in [0x0808_0808, 0xC000_0201 + 0x100, 0x6480_0001, 0xAC20_0001] {
            #expect(!InternetAddress.isInternal(ipv4: address), "\(String(address, radix: 16))")
        }
        let loopback6 = [UInt8](repeating: 0, count: 15) + [1]
        let mappedMetadata = [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 169, 254, 169, 254]
        let mappedPublic = [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 8, 8, 8, 8]
        let uniqueLocal = [0xfd] + [UInt8](repeating: 0, count: 14) + [1]
        let linkLocal = [0xfe, 0x80] + [UInt8](repeating: 0, count: 13) + [1]
        let global = [0x20, 0x01, 0x0d, 0xb9] + [UInt8](repeating: 0, count: 11) + [1]
        for bytes in [loopback6, mappedMetadata, uniqueLocal, linkLocal, [UInt8](repeating: 0, count: 16)] {
            #expect(InternetAddress.isInternal(ipv6: bytes), "\(bytes)")
        }
        #expect(!InternetAddress.isInternal(ipv6: mappedPublic))
        #expect(!InternetAddress.isInternal(ipv6: global))
    }

    @Test("An absolute-form request whose Host header names another host is refused")
    func hostHeader() {
        guard case .failure(let problem) = ProxyRequest.parse(Array("GET http://allowed.example/ HTTP/1.1\r\nHost: other.example\r\n\r\n".utf8)) else {
            Issue.record("a mismatched Host was accepted")
            return
        }
        #expect(problem.summary == "the Host header does not name the request's host")
        for head in ["GET http://allowed.example/ HTTP/1.1\r\nhost: Allowed.Example:80\r\n\r\n", "GET http://allowed.example:8080/x HTTP/1.1\r\nHost: allowed.example:8080\r\n\r\n"] {
            guard case .success = ProxyRequest.parse(Array(head.utf8)) else {
                Issue.record("refused: \(head)")
                continue
            }
        }
    }
}

@Suite("What a plan masks and protects, whatever $HOME says")
struct ConfinementPlanTests {
    @Test("The credential stores are masked under $HOME and under the account's home; the agents' and Docker's sockets are masked; the runner's files are protected")
    func masksAndProtectedPaths() throws {
        let account = try #require(homeDirectoryOfCurrentUser())
        let context = ProcessContext(
            environment: [
                ("HOME", "/elsewhere/home"), ("SSH_AUTH_SOCK", "/tmp/ssh-agent.sock"), ("GITHUB_ENV", "/runner/env"), ("GITHUB_PATH", "relative/path"),
            ].map(EnvironmentVariable.init),
            workingDirectory: "/work", executablePath: "/opt/scriptpin/bin/scriptpin")
        let plan = try ConfinementPlan(options: ConfinementOptions(), pin: nil, manifestDirectory: "/work/known-hashes", context: context)
        for home in ["/elsewhere/home", account] {
            #expect(plan.maskedPaths.contains(normalizedPath(home + "/.ssh")), "\(home)")
            #expect(plan.maskedPaths.contains(normalizedPath(home + "/.docker/config.json")), "\(home)")
        }
        let user = effectiveUserID()
        for socket in ["/tmp/ssh-agent.sock", "/run/user/\(user)/gnupg", "/run/user/\(user)/keyring", "/run/user/\(user)/gcr", "/var/run/docker.sock", "/run/docker.sock"] {
            #expect(plan.maskedPaths.contains(socket), "\(socket)")
        }
        // A relative runner path is not one the runner wrote: only absolute ones are taken.
        #expect(plan.protectedPaths == ["/opt/scriptpin/bin", "/work/known-hashes", "/runner/env"])

        var exposing = ConfinementOptions()
        exposing.expose = ["/var/run/docker.sock"]
        let exposed = try ConfinementPlan(options: exposing, pin: nil, manifestDirectory: nil, context: context)
        #expect(!exposed.maskedPaths.contains("/var/run/docker.sock") && exposed.maskedPaths.contains("/run/docker.sock"))
    }
}

@Suite("The sandbox's release: nothing runs before scriptpin says so")
struct SandboxReleaseTests {
    @Test("A sandbox abandoned before its release (a proxy that could not start) never runs its script; released, it does")
    func abandonedBeforeRelease() throws {
        let directory = TemporaryDirectory("scriptpin-release-handshake")
        var spec = SandboxSpec()
        spec.workingDirectory = directory.path
        let marker = directory.url("ran")
        let abandoned = try RunningSandbox.launch(
            spec, executable: "/bin/sh", arguments: ["sh", "-c", "echo ran > \(marker)"], environment: [], passedDescriptor: nil)
        abandoned.abandon()
        #expect(!directory.exists("ran"))

        let released = try RunningSandbox.launch(
            spec, executable: "/bin/sh", arguments: ["sh", "-c", "echo ran > \(marker)"], environment: [], passedDescriptor: nil)
        try released.release()
        #expect(try released.wait() == .exited(0))
        #expect(directory.read("ran") == "ran\n")
    }
}
