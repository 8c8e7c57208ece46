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
            /dev/tty: No such device or address
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
        grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
        """

    private static let cgroupCount = "find /sys/fs/cgroup \\( -name cgroup.kill -o -name cgroup.procs \\) -writable 2>/dev/null | wc -l"

    @Test("Confined, /proc/sys, cgroupfs and /sys are read-only and firmware is masked, even for root, without the capabilities no installer needs", arguments: User.allCases)
    func kernelInterfaces(user: User) throws {
        let stage = try ConfinementTests.Stage(user: user, server: server)
        stage.pin("kernel", Self.kernelScript, server: server)
        let result = stage.run("./scriptpin run kernel --confine required")
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
}
