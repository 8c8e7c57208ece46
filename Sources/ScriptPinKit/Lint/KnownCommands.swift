/// Every command lint's analysis knows, each in one entry: its names, its
/// roles, the analysis the walk gives it by name, the words that make a
/// text worth parsing, and an example of what it catches. The role table,
/// the parser's skim, the download-word scan, PowerShell's downloaders and
/// the drift review's download-into-shell hint are all made from this list,
/// so a command added here is known everywhere, and a test checks each
/// entry's example and each derived table against it.
struct KnownCommand: Sendable {
    /// What the walk does with a command of this name beyond its roles.
    enum Analysis: Sendable, CaseIterable {
        /// `set -e`, `set +o errexit`: the shell's options.
        case setsOptions
        /// `tee FILE >(sh)`: passes its input on and writes it to files and substitutions.
        case tee
        /// `deno run URL`: runs a remote module.
        case runsRemoteModule
        /// `eval`: runs its arguments as code in this shell.
        case evaluates
        /// `source FILE`, `. FILE`: runs a file in this shell.
        case sources
        /// `tar x`, `unzip`: unpacks an archive, whose files may then run.
        case unpacks
        /// `scriptpin`: the pinned form.
        case pinned
        /// `su -c CODE`, `runuser -c CODE`: code for another user's shell.
        case switchesUser
        /// `ssh HOST CMD…`, `watch CMD…`: command words a shell runs.
        case runsCommandWords
        /// `exit`, `return`: decide what a failing check stops.
        case exits
        /// `docker exec C CMD…`, `kubectl exec P -- CMD…`: runs a command in a container, which reads stdin and heredocs.
        case launches
        /// `[ "$(sha256sum f | cut -d' ' -f1)" = "$want" ]`: a hand-written digest check when it compares a file's digest.
        case compares
        /// `cd DIR`, `pushd DIR`: relative paths after it are under DIR.
        case changesDirectory
    }

    /// A word whose presence makes a text worth parsing, and where in it
    /// stand the two bytes the scan looks for (the pair rarest in scripts).
    struct ScanWord: Sendable {
        let word: String
        let anchor: Int
    }

    let names: [String]
    let role: ShellCommands.Role
    var analysis: Analysis?
    var scanWord: ScanWord?
    /// Code the entry makes a finding of, checked by a test.
    var finding: String?
    /// Code it keeps from being a finding, checked by a test.
    var noFinding: String?
    /// What the examples are written in.
    var exampleKind = LintFileKind.shell
}

enum KnownCommands {
    static let all: [KnownCommand] = downloaders + interpreters + verifiers + filters + prefixes + specials

    private static let downloaders: [KnownCommand] = [
        KnownCommand(names: ["curl"], role: .downloader, scanWord: .init(word: "curl", anchor: 2), finding: "curl -fsSL https://example.com/i.sh | sh"),
        KnownCommand(names: ["wget"], role: .downloader, scanWord: .init(word: "wget", anchor: 0), finding: "wget -qO- https://example.com/i.sh | bash"),
        KnownCommand(names: ["fetch"], role: .downloader, scanWord: .init(word: "fetch", anchor: 0), finding: "fetch -o - https://example.com/i.sh | sh"),
        KnownCommand(names: ["aria2c"], role: .downloader, scanWord: .init(word: "aria2c", anchor: 4), finding: "aria2c -o i.sh https://example.com/i.sh && sh i.sh"),
        KnownCommand(names: ["gsutil"], role: .downloader, scanWord: .init(word: "gsutil", anchor: 0), finding: "gsutil cp gs://bucket/i.sh - | sh"),
        KnownCommand(names: ["aws"], role: .downloader, scanWord: .init(word: "aws", anchor: 1), finding: "aws s3 cp s3://bucket/i.sh - | sh"),
        KnownCommand(names: ["Invoke-WebRequest", "Invoke-RestMethod"], role: .downloader, scanWord: .init(word: "Invoke-", anchor: 2),
                     finding: "Invoke-WebRequest https://example.com/i.ps1 | iex"),
        KnownCommand(names: ["iwr"], role: .downloader, scanWord: .init(word: "iwr", anchor: 0), finding: "iwr https://example.com/i.ps1 | iex"),
        KnownCommand(names: ["irm"], role: .downloader, scanWord: .init(word: "irm", anchor: 1), finding: "irm https://example.com/i.ps1 | iex"),
        KnownCommand(names: ["Start-BitsTransfer"], role: .downloader, scanWord: .init(word: "Start-BitsTransfer", anchor: 9),
                     finding: "Start-BitsTransfer -Source https://example.com/i.ps1 -Destination i.ps1\n& ./i.ps1", exampleKind: .powershell),
    ]

    private static let interpreters: [KnownCommand] = [
        KnownCommand(names: ["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "$SHELL", "${SHELL}", "$BASH", "${BASH}"], role: [.interpreter, .shell],
                     finding: "curl -fsSL https://example.com/i.sh | $SHELL"),
        KnownCommand(names: ["fish", "python", "python2", "python3", "perl", "ruby", "node", "nodejs", "php", "pwsh", "powershell"], role: .interpreter,
                     finding: "curl -fsSL https://example.com/i.py | python3 -"),
        KnownCommand(names: ["java"], role: .interpreter, finding: "curl -fsSLo tool.jar https://example.com/tool.jar && java -jar tool.jar"),
        KnownCommand(names: ["iex", "Invoke-Expression"], role: .interpreter, finding: "curl -fsSL https://example.com/i.ps1 | iex"),
    ]

    private static let verifiers: [KnownCommand] = [
        KnownCommand(names: ["sha256sum", "sha512sum", "sha1sum", "b2sum", "shasum"], role: [.verifier, .blocksPipedData],
                     noFinding: "curl -fsSLo i.sh https://example.com/i.sh && sha256sum -c i.sh.sha256 && sh i.sh"),
        KnownCommand(names: ["sha384sum"], role: .verifier, noFinding: "curl -fsSLo i.sh https://example.com/i.sh && sha384sum -c sums && sh i.sh"),
        KnownCommand(names: ["gpg"], role: [.verifier, .blocksPipedData], noFinding: "curl -fsSLo i.sh https://example.com/i.sh && gpg --verify i.sh.asc i.sh && sh i.sh"),
        KnownCommand(names: ["gpgv"], role: .verifier, noFinding: "curl -fsSLo i.sh https://example.com/i.sh && gpgv i.sh.sig i.sh && sh i.sh"),
        KnownCommand(names: ["minisign"], role: .verifier, noFinding: "curl -fsSLo i.sh https://example.com/i.sh && minisign -V -m i.sh && sh i.sh"),
        KnownCommand(names: ["cosign"], role: .verifier, noFinding: "curl -fsSLo i.sh https://example.com/i.sh && cosign verify-blob i.sh && sh i.sh"),
        KnownCommand(names: ["scriptpin"], role: .verifier, analysis: .pinned, noFinding: "scriptpin run tool -- --yes"),
    ]

    private static let filters: [KnownCommand] = [
        KnownCommand(names: ["md5sum", "cksum", "shellcheck", "wc", "file", "diff", "cmp", "install", "dpkg", "rpm", "apt-key", "true", "echo", "printf"],
                     role: .blocksPipedData, noFinding: "curl -fsSL https://example.com/i.sh | shellcheck -"),
        KnownCommand(names: ["tar", "unzip"], role: .blocksPipedData, analysis: .unpacks,
                     finding: "curl -fsSL https://example.com/t.tgz | tar xz && ./t/install.sh"),
        KnownCommand(names: ["bsdtar", "gtar"], role: [], analysis: .unpacks, finding: "curl -fsSL https://example.com/t.tgz | gtar xz && ./t/install.sh"),
        KnownCommand(names: ["cat", "zcat", "gzcat", "xzcat", "bzcat", "zstdcat", "lzcat", "gunzip", "gzip", "xz", "unxz", "bzip2", "bunzip2", "zstd", "base64", "openssl"],
                     role: .readsFilesToOutput, finding: "curl -fsSLo i.sh.gz https://example.com/i.sh.gz && zcat i.sh.gz | sh"),
    ]

    private static let prefixes: [KnownCommand] = [
        KnownCommand(names: ["sudo", "doas", "env", "exec", "command", "nohup", "builtin", "eatmydata", "time", "nice", "stdbuf", "timeout"], role: .prefix,
                     finding: "curl -fsSL https://example.com/i.sh | sudo -E bash"),
    ]

    private static let specials: [KnownCommand] = [
        KnownCommand(names: ["set"], role: [], analysis: .setsOptions, noFinding: "set -e; curl -fsSLo i.sh https://example.com/i.sh; sha256sum -c sums; sh i.sh"),
        KnownCommand(names: ["tee"], role: [], analysis: .tee, finding: "curl -fsSL https://example.com/i.sh | tee >(sh) > i.sh"),
        KnownCommand(names: ["deno"], role: [], analysis: .runsRemoteModule, scanWord: .init(word: "deno", anchor: 2), finding: "deno run https://example.com/mod.ts"),
        KnownCommand(names: ["eval"], role: [], analysis: .evaluates, finding: "eval \"$(curl -fsSL https://example.com/env.sh)\""),
        KnownCommand(names: ["source", "."], role: [], analysis: .sources, finding: "source <(curl -fsSL https://example.com/env.sh)"),
        KnownCommand(names: ["su", "runuser"], role: [], analysis: .switchesUser, finding: "su -c 'curl -fsSL https://example.com/i.sh | sh' dev"),
        KnownCommand(names: ["ssh", "watch"], role: [], analysis: .runsCommandWords, finding: "ssh host 'curl -fsSL https://example.com/i.sh | sh'"),
        KnownCommand(names: ["docker", "podman", "nerdctl", "incus", "lxc", "kubectl", "oc"], role: [], analysis: .launches,
                     finding: "curl -fsSL https://example.com/i.sh | docker exec -i box sh"),
        KnownCommand(names: ["[", "[[", "test"], role: [], analysis: .compares,
                     noFinding: "curl -fsSLo i.sh https://example.com/i.sh\ntest \"$(sha256sum i.sh | cut -d' ' -f1)\" = \"$want\" || exit 1\nsh i.sh"),
        KnownCommand(names: ["cd", "pushd"], role: [], analysis: .changesDirectory,
                     finding: "dir=$(mktemp -d); curl -fsSLo \"$dir/tool\" https://example.com/tool; cd \"$dir\"; ./tool"),
        KnownCommand(names: ["exit", "return"], role: [], analysis: .exits,
                     noFinding: "curl -fsSLo i.sh https://example.com/i.sh; sha256sum -c sums || exit 1; sh i.sh"),
    ]

    /// What the walk needs to know of a name, found with one lookup.
    struct Entry: Sendable {
        let role: ShellCommands.Role
        let analysis: KnownCommand.Analysis?
    }

    static let table = CommandNameTable(all.flatMap { command in command.names.map { ($0, Entry(role: command.role, analysis: command.analysis)) } })

    static func names(with role: ShellCommands.Role) -> Set<String> {
        Set(all.filter { $0.role.isSuperset(of: role) }.flatMap(\.names))
    }

    /// The words whose absence proves a shell text downloads nothing.
    static let scanWords: [KnownCommand.ScanWord] = all.compactMap(\.scanWord)
}
