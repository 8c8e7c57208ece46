/// How the commands `KnownCommands` lists take their arguments: where a
/// downloader writes, what a verifier checks, how prefix commands such as
/// `sudo -E` take their own options.
enum ShellCommands {
    /// What a command name is, looked up once per command: the analysis asks
    /// several questions of every command, and hashing the name once keeps it fast.
    struct Role: OptionSet {
        let rawValue: UInt8
        static let prefix = Role(rawValue: 1)
        static let downloader = Role(rawValue: 2)
        static let verifier = Role(rawValue: 4)
        static let interpreter = Role(rawValue: 8)
        static let shell = Role(rawValue: 16)
        /// Consumes what is piped in and passes no script on. Commands that
        /// print part of their input (`grep`, `head`, `jq -r`) are filters,
        /// not blockers: `curl u | grep -v '^#' | sh` runs what was downloaded.
        static let blocksPipedData = Role(rawValue: 32)
        /// Writes the files it is given to stdout, decompressed or decoded (`cat f`, `zcat f.gz`, `base64 -d f`).
        static let readsFilesToOutput = Role(rawValue: 64)
    }

    static func role(of name: String) -> Role {
        name.utf8.withContiguousStorageIfAvailable { role(of: $0) } ?? role(of: Array(name.utf8))
    }

    /// The role of a name given as bytes, as lint's parser has it.
    static func role<Name: Collection<UInt8>>(of name: Name) -> Role {
        if let entry = KnownCommands.table.value(for: name) { return entry.role }
        return unlistedRole(of: name)
    }

    /// The role of a name `KnownCommands` does not list: `python3.12` is an interpreter.
    static func unlistedRole<Name: Collection<UInt8>>(of name: Name) -> Role {
        if name.first == UInt8(ascii: "p"), name.starts(with: "python".utf8), name.dropFirst(6).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: ".") }) {
            return .interpreter
        }
        return []
    }

    static let interpreters = KnownCommands.names(with: .interpreter)
    static let shellFamily = KnownCommands.names(with: .shell)

    /// Text that every interpreter's name holds (a test keeps this true as `interpreters` grows).
    static let interpreterNameFragments: [[UInt8]] = ["sh", "SH", "python", "perl", "ruby", "node", "php", "java", "iex", "Invoke-Expression"].map { Array($0.utf8) }

    /// Whether text may hold a word naming an interpreter, so that a code
    /// option after it hands that interpreter code (`timeout 60 bash -c …`);
    /// a quote or backslash may hide a name, so it counts. Lets lint's
    /// skimming parse step over `uniq -c` and `cut -c 1-5`.
    static func mayNameInterpreter(_ text: ArraySlice<UInt8>) -> Bool {
        for index in text.indices {
            let byte = text[index]
            if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { return true }
            if interpreterFragmentInitials.contains(byte),
               interpreterNameFragments.contains(where: { $0[0] == byte && text[index...].starts(with: $0) }) { return true }
        }
        return false
    }

    /// The first bytes of `interpreterNameFragments`: one pass over the text tries a fragment only where one may start.
    private static let interpreterFragmentInitials = ByteClass(bytes: interpreterNameFragments.map { $0[0] })

    /// Options that hand an interpreter its program as an argument.
    static let codeOptions: Set<String> = ["-c", "-e", "-r", "-Command", "-command", "--eval"]

    /// `-c`, `-Command`, or a shell's cluster ending in `c` (`-ec`, `-xc`).
    static func isCodeOption(_ text: String?) -> Bool {
        guard let text else { return false }
        return text.utf8.withContiguousStorageIfAvailable { isCodeOption($0) } ?? isCodeOption(Array(text.utf8))
    }

    /// `isCodeOption` of a word's bytes, as lint's skimming parse has them.
    static func isCodeOption<Word: BidirectionalCollection<UInt8>>(_ word: Word) -> Bool {
        guard word.first == UInt8(ascii: "-") else { return false }
        if codeOptionNames.contains(word) { return true }
        return word.count > 2 && word.dropFirst().first != UInt8(ascii: "-") && word.last == UInt8(ascii: "c")
    }

    private static let codeOptionNames = CommandNameTable(codeOptions)

    /// The downloaders' names, for the skim's look at a wrapper's words.
    static let downloaderNames = CommandNameTable(KnownCommands.names(with: .downloader))

    /// Commands that only print their arguments: code written there is text.
    static func printsItsArguments(_ name: String) -> Bool {
        ["echo", "printf", "logger", "print", "Write-Host", "Write-Output", "git", "notify-send", "wall"].contains(name)
    }

    /// For `ssh HOST command…` and `watch [options] command…`: the index of
    /// the first command word, which a shell on the other side (or `sh -c`)
    /// runs as code; nil for other commands or when there is no command.
    static func remoteCommandWords(name: String, arguments: [String?]) -> Int? {
        let valued: Set<String>
        var operandsBeforeCommand: Int
        switch name {
        case "ssh":
            valued = ["-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w"]
            operandsBeforeCommand = 1
        case "watch":
            valued = ["-n", "--interval", "-d", "--differences", "-q", "--equexit"]
            operandsBeforeCommand = 0
        default:
            return nil
        }
        var index = 0
        while index < arguments.count {
            guard let text = arguments[index] else { return nil }
            if text == "--" {
                index += 1
                break
            }
            if text.hasPrefix("-") {
                index += valued.contains(text) ? 2 : 1
                continue
            }
            if operandsBeforeCommand == 0 { break }
            operandsBeforeCommand -= 1
            index += 1
        }
        return index < arguments.count ? index : nil
    }

    static func isShellFamily(_ name: String) -> Bool {
        role(of: name).contains(.shell)
    }

    /// How many words after a prefix command belong to it, or nil when `name` is not one.
    static func prefixArgumentsToSkip(_ name: String, _ rest: ArraySlice<ShellWord>) -> Int? {
        let texts = rest.map { $0.literal ?? $0.text }
        switch name {
        case "sudo", "doas":
            // Then `VAR=value` words, which sudo sets for the command.
            let options = optionsCount(texts, valued: ["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"])
            return options + texts.dropFirst(options).prefix(while: isAssignment).count
        case "env":
            var count = 0
            var index = 0
            while index < texts.count {
                let text = texts[index]
                if text == "-u" || text == "-C" || text == "-S" {
                    count += 2
                    index += 2
                } else if text.hasPrefix("-") || (text.contains("=") && !text.hasPrefix("=")) {
                    count += 1
                    index += 1
                } else {
                    break
                }
            }
            return count
        case "exec":
            return optionsCount(texts, valued: ["-a"])
        case "command", "nohup", "builtin", "eatmydata":
            return optionsCount(texts, valued: [])
        case "time":
            return optionsCount(texts, valued: ["-f", "-o"])
        case "nice":
            return optionsCount(texts, valued: ["-n"])
        case "stdbuf":
            return optionsCount(texts, valued: ["-i", "-o", "-e"])
        case "timeout":
            let options = optionsCount(texts, valued: ["-s", "-k", "--signal", "--kill-after"])
            return options < texts.count ? options + 1 : options
        default:
            return nil
        }
    }

    /// Leading options, each valued one with its value: `-u dev`, and
    /// bundled short options whose last letter takes one (`-iu dev`).
    private static func optionsCount(_ texts: [String], valued: Set<String>) -> Int {
        var index = 0
        while index < texts.count, texts[index].hasPrefix("-") {
            let text = texts[index]
            if text == "--" { return index + 1 }
            let bundled = text.count > 2 && !text.hasPrefix("--") && valued.contains("-" + String(text.last!))
            index += valued.contains(text) || bundled ? 2 : 1
        }
        return min(index, texts.count)
    }

    private static func isAssignment(_ text: String) -> Bool {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return false }
        return text[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// `sudo -s`, `sudo -i`, `doas -s` with no command: a shell that reads stdin.
    static func startsShellWithoutCommand(prefix: String, options: [String]) -> Bool {
        guard prefix == "sudo" || prefix == "doas" else { return false }
        return options.contains { option in
            option == "--shell" || option == "--login"
                || (option.hasPrefix("-") && !option.hasPrefix("--") && (option.dropFirst().contains("s") || option.dropFirst().contains("i")))
        }
    }

    /// What a launcher runs: a command starting at an argument, or, with none, a shell reading stdin; `by` names the launcher for messages.
    enum Launch: Equatable {
        case command(Int, by: String)
        case shell(by: String)
    }

    /// `ssh HOST sh`, `docker exec C sh`, `incus exec C -- sh`, `kubectl exec P -- sh`,
    /// `su` and `runuser` without `-c`, and an unknown wrapper whose
    /// arguments are a downloader (`retry curl …`): what they start. Asked
    /// of every command, so the words are read only for a name that can launch.
    static func launchedCommand(name: String, arguments words: ArraySlice<ShellWord>) -> Launch? {
        switch name {
        case "su", "runuser":
            let arguments = words.map(\.literal)
            if arguments.contains(where: { $0 == "-c" || $0 == "--command" || $0?.hasPrefix("--command=") == true }) { return nil }
            if name == "runuser", let dash = arguments.firstIndex(of: "--"), dash + 1 < arguments.count { return .command(dash + 1, by: name) }
            return .shell(by: name)
        case "ssh":
            let arguments = words.map(\.literal)
            guard let command = remoteCommandWords(name: name, arguments: arguments) else {
                return arguments.allSatisfy { $0 != nil } && arguments.contains { !($0?.hasPrefix("-") ?? true) } ? .shell(by: name) : nil
            }
            // A command string is code the remote shell reads, which the command-words analysis parses.
            guard let word = arguments[command], role(of: baseName(word)).contains(.interpreter) else { return nil }
            return .command(command, by: name)
        case "docker", "podman", "nerdctl":
            guard words.first?.literal == "exec" else { return nil }
            let texts = words.dropFirst().map { $0.literal ?? "" }
            let options = optionsCount(texts, valued: ["-u", "--user", "-e", "--env", "-w", "--workdir", "--env-file", "--detach-keys"])
            let command = 1 + options + 1
            return command < words.count ? .command(command, by: name + " exec") : nil
        case "incus", "lxc", "kubectl", "oc":
            let arguments = words.map(\.literal)
            guard arguments.first == "exec", let dash = arguments.firstIndex(of: "--"), dash + 1 < arguments.count else { return nil }
            return .command(dash + 1, by: name + " exec")
        default:
            // A wrapper nobody lists (a retry function, `devenv shell`) given a downloader and its arguments.
            guard KnownCommands.table.value(for: name) == nil, role(of: name).isEmpty else { return nil }
            for (index, word) in words.prefix(maximumWrapperWords).enumerated() {
                guard let text = word.literal else { return nil }
                if role(of: baseName(text)).contains(.downloader) { return .command(index, by: name) }
            }
            return nil
        }
    }

    /// How far into an unknown wrapper's arguments a downloader is looked for (`devenv shell curl`).
    static let maximumWrapperWords = 3

    enum Output {
        case standardOutput
        case file(String)
    }

    struct DownloadCall {
        let download: Download
        let output: Output
    }

    /// Recognises a downloader and where its output goes.
    static func download(name: String, arguments: [ShellWord], offset: Int) -> DownloadCall? {
        let texts = arguments.map { $0.literal }
        switch name {
        case "curl":
            return curl(texts, offset: offset)
        case "wget":
            return wget(texts, offset: offset)
        case "fetch":
            return simpleDownloader("fetch", texts, offset: offset, outputFlags: ["-o", "--output"], defaultsToFile: true)
        case "aria2c":
            return simpleDownloader("aria2c", texts, offset: offset, outputFlags: ["-o", "--out"], defaultsToFile: true)
        case "gsutil":
            return copyCommand("gsutil cp", texts, after: ["cp"], offset: offset)
        case "aws":
            if texts.first == "s3", texts.dropFirst().first == "cp" { return copyCommand("aws s3 cp", texts, after: ["s3", "cp"], offset: offset) }
            if texts.first == "s3api", texts.dropFirst().first == "get-object" {
                // Every `--option value` pair is skipped; the one operand left is the output file.
                var outfile = "-"
                var index = 2
                while index < texts.count {
                    if texts[index]?.hasPrefix("--") == true {
                        index += 2
                    } else {
                        outfile = texts[index] ?? outfile
                        index += 1
                    }
                }
                let download = Download(tool: "aws s3api get-object", url: nil, offset: offset)
                return DownloadCall(download: download, output: outfile == "-" ? .standardOutput : .file(outfile))
            }
            return nil
        case "Invoke-WebRequest", "iwr", "Invoke-RestMethod", "irm":
            let url = texts.compactMap { $0 }.first { $0.contains("://") }
            return DownloadCall(download: Download(tool: name, url: url, offset: offset), output: .standardOutput)
        default:
            return nil
        }
    }

    private static func firstURL(_ texts: [String?]) -> String? {
        texts.compactMap { $0 }.first { $0.contains("://") && !$0.hasPrefix("-") }
    }

    private static func basename(of url: String?) -> String? {
        guard let url, let last = url.split(separator: "?").first?.split(separator: "/").last else { return nil }
        return String(last)
    }

    /// curl's short options that take a value; in a cluster like `-fsSLo f`, the value follows the last.
    private static let curlValued: Set<Character> = ["o", "d", "H", "u", "A", "e", "X", "w", "m", "x", "T", "F", "b", "c", "K", "r", "C", "E", "y", "Y", "z", "Q", "t", "P", "U"]

    private static func curl(_ texts: [String?], offset: Int) -> DownloadCall {
        var output: Output = .standardOutput
        var url: String?
        var index = 0
        while index < texts.count {
            guard let text = texts[index] else {
                index += 1
                continue
            }
            if text == "-o" || text == "--output" {
                if index + 1 < texts.count, let file = texts[index + 1] { output = file == "-" ? .standardOutput : .file(file) }
                index += 2
                continue
            }
            if text.hasPrefix("--output=") {
                output = .file(String(text.dropFirst(9)))
            } else if text == "-O" || text == "--remote-name" {
                output = .file("")
            } else if text.hasPrefix("--") {
                if curlLongValued.contains(text) { index += 1 }
            } else if text.hasPrefix("-") && text.count > 1 {
                let letters = Array(text.dropFirst())
                for (position, letter) in letters.enumerated() {
                    if letter == "O" { output = .file("") }
                    if curlValued.contains(letter) {
                        let inline = String(letters[(position + 1)...])
                        let value = inline.isEmpty ? (index + 1 < texts.count ? texts[index + 1] : nil) : inline
                        if letter == "o", let value { output = value == "-" ? .standardOutput : .file(value) }
                        if inline.isEmpty { index += 1 }
                        break
                    }
                }
            } else if url == nil && text.contains("://") {
                url = text
            }
            index += 1
        }
        if case .file("") = output { output = .file(basename(of: url) ?? "") }
        return DownloadCall(download: Download(tool: "curl", url: url, offset: offset), output: output)
    }

    private static let curlLongValued: Set<String> = [
        "--header", "--data", "--data-raw", "--data-binary", "--user", "--user-agent", "--referer", "--request",
        "--write-out", "--max-time", "--proxy", "--upload-file", "--form", "--cookie", "--cookie-jar", "--config",
        "--range", "--continue-at", "--cert", "--cacert", "--connect-timeout", "--retry", "--retry-delay",
        "--retry-max-time", "--proto", "--proto-redir", "--resolve", "--url", "--limit-rate", "--max-filesize",
    ]

    private static func wget(_ texts: [String?], offset: Int) -> DownloadCall {
        var output: Output?
        var index = 0
        var url: String?
        while index < texts.count {
            guard let text = texts[index] else {
                index += 1
                continue
            }
            if text == "-O" || text == "--output-document" {
                if index + 1 < texts.count, let file = texts[index + 1] { output = file == "-" ? .standardOutput : .file(file) }
                index += 2
                continue
            }
            if text.hasPrefix("--output-document=") {
                let file = String(text.dropFirst(18))
                output = file == "-" ? .standardOutput : .file(file)
            } else if text.hasPrefix("-") && !text.hasPrefix("--") && text.contains("O") {
                let letters = text.dropFirst()
                let inline = String(letters[letters.index(after: letters.firstIndex(of: "O")!)...])
                let value = inline.isEmpty ? (index + 1 < texts.count ? texts[index + 1] : nil) : inline
                if inline.isEmpty { index += 1 }
                if let value { output = value == "-" ? .standardOutput : .file(value) }
            } else if url == nil && text.contains("://") {
                url = text
            }
            index += 1
        }
        return DownloadCall(download: Download(tool: "wget", url: url, offset: offset), output: output ?? .file(basename(of: url) ?? ""))
    }

    private static func simpleDownloader(_ tool: String, _ texts: [String?], offset: Int, outputFlags: Set<String>, defaultsToFile: Bool) -> DownloadCall {
        let url = firstURL(texts)
        var output: Output = .file(basename(of: url) ?? "")
        func set(_ file: String) { output = file == "-" ? .standardOutput : .file(file) }
        for (index, word) in texts.enumerated() {
            guard let text = word else { continue }
            let isShortCluster = text.count > 2 && text.hasPrefix("-") && !text.hasPrefix("--")
            if outputFlags.contains(text) || (isShortCluster && outputFlags.contains("-" + String(text.last!))) {
                // `-o FILE`, and a cluster whose last letter is the flag: `fetch -qo - URL`.
                if index + 1 < texts.count, let file = texts[index + 1] { set(file) }
            } else if isShortCluster, outputFlags.contains(String(text.prefix(2))) {
                // The value attached: `-o-`, `-ofile`.
                set(String(text.dropFirst(2)))
            }
        }
        return DownloadCall(download: Download(tool: tool, url: url, offset: offset), output: output)
    }

    /// `gsutil cp SRC DST` and `aws s3 cp SRC DST`: DST `-` is stdout.
    private static func copyCommand(_ tool: String, _ texts: [String?], after prefix: [String], offset: Int) -> DownloadCall? {
        let operands = texts.dropFirst(prefix.count == 1 ? (texts.firstIndex(of: "cp") ?? 0) + 1 : prefix.count).filter { $0 == "-" || !($0?.hasPrefix("-") ?? false) }
        guard operands.count >= 2, let source = operands.first ?? nil, let destination = operands.dropFirst().first ?? nil else { return nil }
        let download = Download(tool: tool, url: source.contains("://") ? source : nil, offset: offset)
        return DownloadCall(download: download, output: destination == "-" ? .standardOutput : .file(destination.hasSuffix("/") ? destination + (basename(of: source) ?? "") : destination))
    }

    /// Whether a verifier's arguments make it a fail-closed check of a downloaded file.
    static func isVerification(name: String, arguments: [ShellWord]) -> Bool {
        let texts = arguments.compactMap(\.literal)
        switch name {
        case "sha256sum", "sha512sum", "sha384sum", "sha1sum", "shasum", "b2sum":
            return texts.contains { $0 == "-c" || $0 == "--check" || ($0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("c")) }
        case "scriptpin":
            return texts.first == "verify"
        case "gpg", "gpgv":
            return name == "gpgv" || texts.contains("--verify")
        case "minisign":
            return texts.contains("-V")
        case "cosign":
            return texts.first == "verify-blob"
        default:
            return false
        }
    }
}

extension ShellDialect {
    /// The dialect of an interpreter name: `sh`, `dash`, `ash` are POSIX; other shells are bash-like.
    static func of(interpreter name: String) -> ShellDialect {
        if name == "zsh" { return .zsh }
        return ["sh", "dash", "ash", "busybox", "posh"].contains(name) ? .posix : .bash
    }
}
