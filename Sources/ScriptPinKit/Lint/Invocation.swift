/// The name a command word runs under: the base name of a path like
/// `/usr/bin/curl`, but a relative `./x` or a `$VAR` as written.
private func commandName(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(UInt8(ascii: "/")), let first = utf8.first, first != UInt8(ascii: "."), first != UInt8(ascii: "$") else { return text }
    return baseName(text)
}

/// A command with its prefix commands (`sudo -E`, `env -i`, `exec`, `command`,
/// `nohup`, `time`, `nice`, `timeout`) and assignments stripped.
struct Invocation {
    let name: String
    let role: ShellCommands.Role
    let nameWord: ShellWord
    let arguments: [ShellWord]
    let offset: Int
    /// The command that starts this one elsewhere (`ssh`, `docker exec`),
    /// as another user (`su`, `sudo -s`) or through a wrapper (`retry`):
    /// what it runs is read, and `lint --fix` leaves it to a person.
    private(set) var launcher: String?

    init?(_ words: [ShellWord]) {
        var remaining = words[...]
        var role: ShellCommands.Role = []
        var launcher: String?
        while let first = remaining.first {
            let name = commandName(first.literal ?? first.text)
            role = ShellCommands.role(of: name)
            let rest = remaining.dropFirst()
            if role.contains(.prefix), let skipped = ShellCommands.prefixArgumentsToSkip(name, rest) {
                // `sudo -s`, `sudo -i`: with no command, the prefix starts a shell that reads stdin.
                if skipped == rest.count, ShellCommands.startsShellWithoutCommand(prefix: name, options: rest.map { $0.literal ?? $0.text }) {
                    self.init(implicitShellOf: first, launcher: name + " " + (rest.first?.literal ?? ""), offset: first.offset)
                    return
                }
                remaining = rest.dropFirst(skipped)
                continue
            }
            switch ShellCommands.launchedCommand(name: name, arguments: rest) {
            case .command(let index, let by)?:
                launcher = launcher ?? by
                remaining = rest.dropFirst(index)
                continue
            case .shell(let by)?:
                self.init(implicitShellOf: first, launcher: by, offset: first.offset)
                return
            case nil:
                break
            }
            break
        }
        guard let first = remaining.first else { return nil }
        self.init(
            name: commandName(first.literal ?? first.text), role: role, nameWord: first, arguments: Array(remaining.dropFirst()),
            offset: first.offset, launcher: launcher)
    }

    /// The shell `launcherWord` starts when it is given no command (`su`, `ssh host`, `sudo -i`), reading its stdin.
    private init(implicitShellOf launcherWord: ShellWord, launcher: String, offset: Int) {
        self.init(
            name: "sh", role: ShellCommands.role(of: "sh"), nameWord: launcherWord, arguments: [], offset: offset,
            launcher: launcher.trimmingSuffix(" "))
    }

    private init(name: String, role: ShellCommands.Role, nameWord: ShellWord, arguments: [ShellWord], offset: Int, launcher: String?) {
        self.name = name
        self.role = role
        self.nameWord = nameWord
        self.arguments = arguments
        self.offset = offset
        self.launcher = launcher
    }

    /// How messages name what runs: `sh`, or `sh (started by ssh)`.
    var described: String {
        launcher.map { "\(name) (started by \($0))" } ?? name
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

/// How an interpreter was asked to run: code in an argument, a script file, or stdin.
struct InterpreterCall {
    /// Script operands that name standard input.
    static let standardInputPaths: Set<String> = ["/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"]
    var code: ShellWord?
    var script: ShellWord?
    /// Where `script` stands among the arguments.
    var scriptIndex: Int?
    var scriptArguments: [String] = []
    /// Reading stdin: the index of the first argument passed to the script.
    var firstScriptArgument: Int?
    /// Options besides `-s`, `-` and `--` (and, for code, besides `-c`): `lint --fix` keeps such calls as they are.
    var otherOptions = false
    /// The code option is the only option.
    var onlyCodeOption = false

    /// `name` decides the spellings some interpreters have: `php -- args` reads the script from stdin.
    init(_ arguments: [ShellWord], shellFamily: Bool, name: String = "") {
        var index = 0
        var readsStandardInput = false
        while index < arguments.count {
            let text = arguments[index].literal ?? ""
            if text == "--" {
                if name == "php" { readsStandardInput = true }
                index += 1
                break
            }
            if ShellCommands.codeOptions.contains(text) || (shellFamily && text.hasPrefix("-") && !text.hasPrefix("--") && text.hasSuffix("c") && text.count > 2) {
                code = index + 1 < arguments.count ? arguments[index + 1] : nil
                onlyCodeOption = index == 0 && text == "-c"
                return
            }
            if text == "-s" || (shellFamily && text.hasPrefix("-") && !text.hasPrefix("--") && text.contains("s") && text.count > 1) {
                readsStandardInput = true
                if text != "-s" { otherOptions = true }
            }
            if text == "-m" { return }
            if ["-o", "-O", "+o", "+O", "--rcfile", "--init-file", "-W", "-X"].contains(text) {
                otherOptions = true
                index += 2
                continue
            }
            if text == "-" {
                readsStandardInput = true
                index += 1
                break
            }
            guard text.hasPrefix("-") || text.hasPrefix("+") else { break }
            if text != "-s" { otherOptions = true }
            index += 1
        }
        var start = min(index, arguments.count)
        if !readsStandardInput, start < arguments.count, let operand = arguments[start].literal, Self.standardInputPaths.contains(operand) {
            // `bash /dev/stdin args`: the script is what is piped in.
            readsStandardInput = true
            start += 1
        }
        let rest = arguments[start...]
        if readsStandardInput || rest.isEmpty {
            scriptArguments = rest.map { $0.literal ?? $0.text }
            firstScriptArgument = rest.isEmpty ? nil : start
        } else {
            script = rest.first
            scriptIndex = start
            scriptArguments = rest.dropFirst().map { $0.literal ?? $0.text }
        }
    }
}
