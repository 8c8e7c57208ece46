import Foundation
import Testing
@testable import ScriptPinKit

@Suite("Hardening: run keeps secrets, the store and the disk clean")
struct HardeningRunTests {
    let server: HTTPSFixture
    let work: Workspace

    init() throws {
        server = try HTTPSFixture()
        work = Workspace(server: server)
    }

    /// Reads what `run`'s own process would give away: its environment and its memory.
    static let snoopingScript = """
        #!/bin/sh
        if tr '\\0' '\\n' < /proc/$PPID/environ 2>/dev/null; then echo environ-read; else echo environ-refused; fi
        if (exec 9</proc/$PPID/mem) 2>/dev/null; then echo mem-opened; else echo mem-refused; fi

        """
    static let secret = "the-secret-value-4711"

    /// A pinned snooping script in a sandbox `nobody` owns, with the secret in the environment.
    private func snoopingSandbox() throws -> (UnprivilegedSandbox, [String: String]) {
        server.serve("snoop.sh", Self.snoopingScript)
        let sandbox = try UnprivilegedSandbox()
        sandbox.directory.write("known-hashes/snoop.pin", "url \(server.url("files/snoop.sh"))\nsha256 \(sha256Hex(Self.snoopingScript))\n")
        sandbox.directory.write("ca.pem", try String(contentsOfFile: server.caFile, encoding: .utf8))
        sandbox.handOver()
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": sandbox.path, "SSL_CERT_FILE": sandbox.directory.url("ca.pem"),
            "SCRIPTPIN_CACHE": sandbox.directory.url("cache"), "SECRET_TOKEN": Self.secret,
        ]
        return (sandbox, environment)
    }

    @Test("As an unprivileged user, the script reads neither the environ nor the mem of scriptpin")
    func nonDumpable() throws {
        let (sandbox, environment) = try snoopingSandbox()
        let result = sandbox.run("exec ./scriptpin run snoop", environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("environ-refused\nmem-refused\n"), "\(result.stdout)")
        #expect(!result.stdout.contains(Self.secret))
        #expect(result.stderr.contains("withheld 1 secret-looking variable from the script: SECRET_TOKEN"))
        #expect(!result.stderr.contains("still holds"), "exec replaced the shell that held the secret")
    }

    @Test("Unconfined, a parent that still holds a withheld variable is named, with the exec advice; otherwise, and confined, nothing is said")
    func parentWarning() throws {
        let (sandbox, environment) = try snoopingSandbox()
        let confined = sandbox.run("./scriptpin run snoop; exit $?", environment: environment)
        #expect(confined.status == 0)
        #expect(!confined.stderr.contains("still holds"), "a confined script cannot see the parent: \(confined.stderr)")
        let held = sandbox.run("./scriptpin run snoop --confine off; exit $?", environment: environment)
        #expect(held.status == 0)
        #expect(held.stdout.hasSuffix("environ-refused\nmem-refused\n"))
        #expect(held.stderr.contains("Warning: the parent process (pid "))
        #expect(held.stderr.contains(") still holds SECRET_TOKEN in its environment, where the script can read it (/proc/"))
        #expect(held.stderr.contains("start scriptpin with `exec scriptpin run …` so that the shell holding them is replaced\n"))
        var withoutSecret = environment
        withoutSecret["SECRET_TOKEN"] = nil
        withoutSecret["EXTRA"] = "x"
        let clean = sandbox.run("./scriptpin run snoop --clean-env --confine off; exit $?", environment: withoutSecret)
        #expect(clean.status == 0)
        #expect(clean.stderr.contains("clean environment: withheld"))
        #expect(!clean.stderr.contains("still holds"), "with --clean-env only secret-looking names are worth a warning: \(clean.stderr)")
        let cleanWithSecret = sandbox.run("./scriptpin run snoop --clean-env --confine off; exit $?", environment: withoutSecret.merging(["SECRET_TOKEN": Self.secret]) { $1 })
        #expect(cleanWithSecret.stderr.contains(") still holds SECRET_TOKEN in its environment"))
    }

    @Test("A modified store entry is reported every time it is met and healed by the next fetch")
    func storeHeals() throws {
        let script = "#!/bin/sh\necho genuine\n"
        server.serve("heal.sh", script)
        work.pin("heal", url: server.url("files/heal.sh"), content: script)
        #expect(work.scriptpin(["run", "heal"]).stdout == "genuine\n")
        let entry = "\(work.cache)/sha256/\(sha256Hex(script))"
        try Data("#!/bin/sh\necho poisoned\n".utf8).write(to: URL(fileURLWithPath: entry))

        let offline = work.scriptpin(["run", "heal", "--offline"])
        #expect(offline.status == 125)
        #expect(offline.stderr.contains("Error: stored copy \(entry) was modified"))
        #expect(offline.stderr.contains("The next successful fetch replaces it"))

        server.root.write("files/heal.sh", "")
        try FileManager.default.removeItem(atPath: server.root.url("files/heal.sh"))
        let fallback = work.scriptpin(["run", "heal"])
        #expect(fallback.status == 124)
        #expect(fallback.stderr.contains("Warning: stored copy \(entry) was modified"))
        #expect(!fallback.stdout.contains("poisoned"))

        server.serve("heal.sh", script)
        let healed = work.scriptpin(["run", "heal"])
        #expect(healed.stdout == "genuine\n")
        #expect(healed.stderr.contains("scriptpin: replaced the modified stored copy \(entry) with the verified body"))
        #expect(work.scriptpin(["run", "heal", "--offline"]).stdout == "genuine\n")
    }

    @Test("update names a modified approved copy instead of silently showing no diff")
    func updateReportsModifiedCopy() throws {
        server.serve("u.sh", "#!/bin/sh\necho one\n")
        #expect(work.scriptpin(["add", "u", server.url("files/u.sh"), "--yes"]).status == 0)
        let entry = "\(work.cache)/sha256/\(sha256Hex("#!/bin/sh\necho one\n"))"
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: entry))
        server.serve("u.sh", "#!/bin/sh\necho two\n")
        let result = work.scriptpin(["update", "u", "--yes"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("Warning: stored copy \(entry) was modified"))
        #expect(result.stdout.contains("the approved copy is not in the store"))
    }

    @Test("A store entry larger than the pin's size limit is refused without reading it all")
    func storeReadCapped() throws {
        let script = "#!/bin/sh\necho small\n"
        server.serve("cap.sh", script)
        work.pin("cap", url: server.url("files/cap.sh"), content: script, extra: "max-size 64\n")
        #expect(work.scriptpin(["run", "cap"]).status == 0)
        let entry = "\(work.cache)/sha256/\(sha256Hex(script))"
        try Data(repeating: UInt8(ascii: "#"), count: 1 << 20).write(to: URL(fileURLWithPath: entry))
        let result = work.scriptpin(["run", "cap", "--offline"])
        #expect(result.status == 125)
        #expect(result.stderr == "Error: stored copy \(entry) is larger than the 64-byte size limit, so it cannot be the approved body; it was not used. The next successful fetch replaces it\n")
    }

    /// A preload library that makes `memfd_create` fail with ENOSYS, and, with
    /// `NO_TMPFILE` set, `open(…, O_TMPFILE)` fail with EOPNOTSUPP, as old
    /// kernels and file systems do.
    private func fallbackShim(in directory: TemporaryDirectory) throws -> String {
        directory.write("shim.c", """
            #define _GNU_SOURCE
            #include <dlfcn.h>
            #include <errno.h>
            #include <fcntl.h>
            #include <stdarg.h>
            #include <stdlib.h>
            int memfd_create(const char *name, unsigned int flags) { errno = ENOSYS; return -1; }
            static int forward(const char *symbol, const char *path, int flags, va_list arguments) {
                mode_t mode = (flags & (O_CREAT | __O_TMPFILE)) ? va_arg(arguments, mode_t) : 0;
                if ((flags & __O_TMPFILE) == __O_TMPFILE && getenv("NO_TMPFILE")) { errno = EOPNOTSUPP; return -1; }
                int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, symbol);
                return real(path, flags, mode);
            }
            int open(const char *path, int flags, ...) { va_list a; va_start(a, flags); int r = forward("open", path, flags, a); va_end(a); return r; }
            int open64(const char *path, int flags, ...) { va_list a; va_start(a, flags); int r = forward("open64", path, flags, a); va_end(a); return r; }

            """)
        let library = directory.url("shim.so")
        let built = ProcessRunner.run("cc", ["-shared", "-fPIC", "-o", library, directory.url("shim.c"), "-ldl"], in: directory.path)
        try #require(built.status == 0, "\(built.stderr)")
        return library
    }

    @Test("Without memfd the body is in an unnamed O_TMPFILE file: no name exists while the script runs or after")
    func unnamedFallback() throws {
        let scratch = TemporaryDirectory()
        let shimDirectory = TemporaryDirectory()
        let shim = try fallbackShim(in: shimDirectory)
        let script = "#!/bin/sh\nreadlink /proc/$$/fd/3\nls -A \"$TMPDIR\"\necho end\n"
        server.serve("unnamed.sh", script)
        work.pin("unnamed", url: server.url("files/unnamed.sh"), content: script)
        let result = work.scriptpin(["run", "unnamed"], environment: work.environment(["LD_PRELOAD": shim, "TMPDIR": scratch.path]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix(scratch.path + "/#"), "an O_TMPFILE inode: \(result.stdout)")
        #expect(result.stdout.hasSuffix(" (deleted)\nend\n"), "nothing listed in TMPDIR: \(result.stdout)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test("Without memfd and O_TMPFILE, the named file goes away after the run and on SIGTERM, SIGINT or SIGHUP during the fetch",
          arguments: [SIGTERM, SIGINT, SIGHUP])
    func namedFallbackRemoved(signal: Int32) throws {
        let scratch = TemporaryDirectory()
        let shimDirectory = TemporaryDirectory()
        let shim = try fallbackShim(in: shimDirectory)
        let environment = work.environment(["LD_PRELOAD": shim, "NO_TMPFILE": "1", "TMPDIR": scratch.path])
        let script = "#!/bin/sh\necho \"$0\"\n"
        server.serve("named.sh", script)
        work.pin("named", url: server.url("files/named.sh"), content: script)
        let completed = work.scriptpin(["run", "named"], environment: environment)
        #expect(completed.status == 0)
        #expect(completed.stdout.hasPrefix(scratch.path + "/scriptpin."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)

        // The test runner starts children with these signals ignored; a user's shell does not.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=TERM,INT,HUP", ProcessRunner.scriptpinPath, "run", server.url("slow"), "--sha256", String(repeating: "0", count: 64)]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: work.path)
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        func bodyOnDisk() -> Bool {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? []
            return entries.contains { FileManager.default.fileExists(atPath: scratch.url($0) + "/script") }
        }
        while !bodyOnDisk() && Date() < deadline { usleep(10_000) }
        try #require(bodyOnDisk(), "the unverified body is being written to the named fallback")
        usleep(300_000)
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == signal)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "nothing unverified is left behind")
    }

    @Test("A variable whose value is not UTF-8 reaches the script byte for byte")
    func environmentBytes() {
        let script = "#!/bin/sh\nprintf '%s' \"$RAW\" | od -An -tx1\n"
        server.serve("raw.sh", script)
        work.pin("raw", url: server.url("files/raw.sh"), content: script)
        let result = ProcessRunner.run(
            "/bin/sh", ["-c", "RAW=$(printf 'a\\377b') exec \"$0\" run raw", ProcessRunner.scriptpinPath],
            in: work.path, environment: work.environment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "61 ff 62")
    }

    @Test("A status line that is not HTTP is reported as such")
    func malformedStatus() {
        let url = server.url("malformed-status")
        let result = work.scriptpin(["run", url, "--sha256", String(repeating: "0", count: 64)])
        #expect(result.status == 124)
        #expect(result.stderr.hasPrefix("Error: \(url) sent a response that is not valid HTTP ("))
        #expect(!result.stderr.contains("redirect"))
    }

    @Test("SIGTERM sent at any moment around the spawn reaches the script or finds it never started")
    func signalAroundSpawn() throws {
        let marks = TemporaryDirectory()
        let script = """
            #!/bin/sh
            trap 'echo seen > "$MARKS/seen.$ROUND"; exit 0' TERM
            echo started > "$MARKS/started.$ROUND"
            sleep 4 &
            wait
            echo lost > "$MARKS/lost.$ROUND"

            """
        server.serve("trap.sh", script)
        work.pin("trap", url: server.url("files/trap.sh"), content: script)
        let warm = work.scriptpin(["run", "trap"], environment: work.environment(["MARKS": marks.path, "ROUND": "warm"]))
        #expect(warm.status == 0, "warm the store and the page cache")
        try FileManager.default.removeItem(atPath: marks.path)
        try FileManager.default.createDirectory(atPath: marks.path, withIntermediateDirectories: true)
        var outcomes: [String: Int] = [:]
        for round in 0..<40 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--default-signal=TERM", ProcessRunner.scriptpinPath, "run", "trap", "--offline"]
            process.environment = work.environment(["MARKS": marks.path, "ROUND": "\(round)"])
            process.currentDirectoryURL = URL(fileURLWithPath: work.path)
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Spread over the span from start-up to well after the spawn, even on a loaded machine.
            usleep(UInt32(round * 5_000))
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            let started = marks.exists("started.\(round)")
            #expect(!marks.exists("lost.\(round)"), "round \(round): the script ran on without seeing the signal")
            if started {
                #expect(marks.exists("seen.\(round)") || process.terminationStatus == 143, "round \(round): started but neither trapped nor killed")
            }
            outcomes[started ? (marks.exists("seen.\(round)") ? "seen" : "killed before its trap") : "never started", default: 0] += 1
        }
        #expect(outcomes["seen", default: 0] > 0, "some rounds reached the running script: \(outcomes)")
    }
}
