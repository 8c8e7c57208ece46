import ScriptPinKit

/// Maps each subcommand's parsed arguments onto the library and returns the exit code.
struct Command: Sendable {
    let spec: CommandSpec
    let perform: @Sendable (ParsedArguments, Console, ProcessContext) throws(ScriptPinError) -> Int32
}

let helpOption = OptionSpec.flag("help", short: "h", "Show help information.")
let manifestOption = OptionSpec.value("manifest", "dir", "The pin directory (default: $SCRIPTPIN_MANIFEST, else the nearest known-hashes/).")
let fetchOptionSpecs: [OptionSpec] = [
    .value("ca-file", "path", "Trust this CA bundle instead of $SSL_CERT_FILE or the system's."),
    .value("timeout", "seconds", "Give up on a download after this long (default: \(FetchOptions.defaultTimeoutSeconds))."),
    .value("max-size", "bytes", "Refuse a body larger than this (default: the pin's max-size, else \(FetchOptions.defaultMaximumSize))."),
]

func fetchOptions(from arguments: ParsedArguments, context: ProcessContext) throws(ScriptPinError) -> FetchOptions {
    var options = FetchOptions(caFile: arguments.value("ca-file"), environmentCAFile: context.caFileFromEnvironment)
    if let timeout = try arguments.integer("timeout", in: 1...86_400) { options.timeoutSeconds = timeout }
    if let size = try arguments.integer("max-size", in: 1...Int(PinRules.maximumDeclaredSize)) { options.maximumSize = Int64(size) }
    if let delay = try context.retryDelayFromEnvironment() { options.firstRetryDelayMilliseconds = delay }
    return options
}

/// `run` and `fetch` report everything after parsing as their own failure:
/// one `Error:` line and 124–127, no usage line.
func reportingRunFailures(_ console: Console, _ body: () throws(ScriptPinError) -> Int32) -> Int32 {
    do {
        return try body()
    } catch {
        console.error(console.explain(error))
        return ExitCode.Run.of(error)
    }
}

/// The `--sha256` values, each a SHA-256 digest.
func adHocDigests(from arguments: ParsedArguments) throws(ScriptPinError) -> [Digest] {
    try arguments.all("sha256").enumerated().map { (index, text) throws(ScriptPinError) -> Digest in
        guard let digest = Digest(parsing: text, expected: .sha256) else {
            throw .usage("--sha256 value \(index + 1) is not a SHA-256 digest; give 64 hex digits as `scriptpin hash` prints them")
        }
        return digest
    }
}

/// `--format`, when given.
func reportFormat(from arguments: ParsedArguments) throws(ScriptPinError) -> ReportFormat? {
    guard let format = arguments.value("format") else { return nil }
    guard let chosen = ReportFormat(rawValue: format) else { throw .usage("--format must be text, json, sarif or github") }
    return chosen
}

let hashCommand = Command(
    spec: CommandSpec(
        name: "hash",
        overview: "Print digests of files or https URLs, in the format of sha256sum.",
        usage: "scriptpin hash [--algo sha256|sha384|sha512] [--sri] [<file|url|->...]",
        arguments: [("<file|url|->", "Files to hash, https URLs to fetch and hash, - for standard input (the default).")],
        options: [
            .value("algo", "algorithm", "sha256, sha384 or sha512 (default: sha256)."),
            .flag("sri", "Print Subresource Integrity values (sha256-<base64>) instead of hex."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: nil),
    perform: { arguments, console, context throws(ScriptPinError) in
        var command = HashCommand()
        if let name = arguments.value("algo") {
            guard let algorithm = DigestAlgorithm(rawValue: name) else {
                throw .usage("--algo must be sha256, sha384 or sha512")
            }
            command.algorithm = algorithm
        }
        command.subresourceIntegrity = arguments.flag("sri")
        command.operands = arguments.operands + arguments.passthrough
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        return ExitCode.of(command.run(reporter: console))
    })

let verifyCommand = Command(
    spec: CommandSpec(
        name: "verify",
        overview: "Check pins offline: the pin files are valid, or files match a pin or a vendor's checksum file.",
        usage: "scriptpin verify [--manifest <dir>] [--pin <name>] [<file>...]\n       scriptpin verify --sums <sums-file> [<file>...]",
        arguments: [("<file>", "Local files that must match a pin (or an entry of --sums).")],
        options: [
            manifestOption,
            .value("pin", "name", "The pin each file must match (default: any pin)."),
            .value("sums", "sums-file", "Check files against a sha256sum/sha512sum-format file instead of the pins."),
            helpOption,
        ],
        discussion: "With no file, every pin file is validated and every problem is reported. Output follows sha256sum -c: 'name: OK' or 'name: FAILED' on stdout, a summary on stderr."),
    perform: { arguments, console, context throws(ScriptPinError) in
        var command = VerifyCommand()
        command.manifest = arguments.value("manifest")
        command.pinName = arguments.value("pin")
        command.sumsFile = arguments.value("sums")
        command.files = arguments.operands + arguments.passthrough
        if command.sumsFile != nil && command.pinName != nil {
            throw .usage("--sums and --pin cannot be combined; --sums checks against the vendor's file, not the pins")
        }
        return ExitCode.of(command.run(reporter: console, context: context))
    })

let runCommand = Command(
    spec: CommandSpec(
        name: "run",
        overview: "Fetch a pinned script, verify it, and run exactly the verified bytes.",
        usage: "scriptpin run <name|url|path> [options] [-- <arguments>...]",
        arguments: [
            ("<name|url|path>", "A pin name, a pinned https URL, or a local script that matches a pin."),
            ("<arguments>", "Passed to the script, after --."),
        ],
        options: [
            manifestOption,
            .value("sha256", "hex", repeatable: true, "Pin ad hoc: the body must have this digest (repeatable; no manifest needed)."),
            .value("interpreter", "program", "Run with this program (default: the pin's interpreter, else the #! line, else sh)."),
            .value("allow-env", "name", repeatable: true, "Let this secret-looking variable (or PREFIX*) through (repeatable)."),
            .flag("clean-env", "Start from PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TERM, TMPDIR, TZ plus allowed variables."),
            .flag("keep-env", "Pass every variable, secrets included."),
            .flag("offline", "Run the stored copy whose digest the pin names; do not fetch."),
            .flag("print", "Write the verified bytes to stdout instead of running them."),
            .value("confine", "auto|required|off", "Confine the script in namespaces: where possible (auto, the default), always, or never."),
            .value("egress", "host[:port]", repeatable: true, "Let the script reach this host (port 443 by default; *.domain; none) (repeatable)."),
            .flag("egress-audit", "Confine the network but let every host through; list the egress lines that allow them."),
            .value("hide", "path", repeatable: true, "Mask this path from the script besides the credential stores (repeatable)."),
            .value("expose", "path", repeatable: true, "Let the script see this masked path after all (repeatable)."),
            .value("report", "file", "After the script, write the network report (allowed, blocked, audit suggestions) to this file as JSON."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: """
            By default the script gets the environment minus every variable whose name looks secret \
            (TOKEN, SECRET, PASSWORD, CREDENTIAL, API_KEY, *_KEY, AWS_*, GOOGLE_*, ...). Where the kernel \
            allows it, the script runs in its own user, PID, mount, IPC and UTS namespaces: it sees only its \
            own processes, and ~/.ssh, ~/.aws, ~/.docker/config.json, ~/.netrc and the other credential \
            stores are empty. With egress lines in the pin (or --egress), it reaches only those hosts, \
            through a proxy scriptpin runs. Exit codes: the \
            script's own status (128+N when killed by signal N); 124 not fetched and no stored copy; \
            125 refused (mismatch, not pinned, invalid pin, usage, confinement required but unavailable); \
            126 interpreter not executable; 127 interpreter not found.
            """),
    perform: { arguments, console, context throws(ScriptPinError) in
        guard let target = arguments.operands.first else {
            throw .usage("run needs a pin name, an https URL or a script path")
        }
        guard arguments.operands.count == 1 else {
            throw .usage("run takes one target, but argument \(arguments.operandPositions[1]) is a second one; arguments for the script go after --: scriptpin run TARGET -- ARGS")
        }
        if arguments.flag("clean-env") && arguments.flag("keep-env") {
            throw .usage("--clean-env and --keep-env contradict each other; choose one")
        }
        for name in arguments.all("allow-env") where !PinRules.isValidEnvironmentPattern(name) {
            throw .usage("an --allow-env value is not a variable name or PREFIX* pattern")
        }
        var command = RunCommand()
        command.target = target
        command.arguments = arguments.passthrough
        command.manifest = arguments.value("manifest")
        command.adHocDigests = try adHocDigests(from: arguments)
        command.interpreter = arguments.value("interpreter")
        command.environment = EnvironmentPolicy(
            mode: arguments.flag("clean-env") ? .clean : arguments.flag("keep-env") ? .keepAll : .withholdSecrets,
            allowed: arguments.all("allow-env"))
        command.offline = arguments.flag("offline")
        command.printInsteadOfRunning = arguments.flag("print")
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        command.confinement = try confinementOptions(from: arguments)
        command.reportFile = arguments.value("report")
        return reportingRunFailures(console) { () throws(ScriptPinError) in
            ExitCode.Run.of(try command.run(reporter: console, context: context))
        }
    })

/// `--confine`, `--egress`, `--egress-audit`, `--hide` and `--expose`, checked.
private func confinementOptions(from arguments: ParsedArguments) throws(ScriptPinError) -> ConfinementOptions {
    var options = ConfinementOptions()
    if let mode = arguments.value("confine") {
        guard let parsed = ConfinementMode(rawValue: mode) else { throw .usage("--confine takes auto, required or off") }
        options.mode = parsed
    }
    for value in arguments.all("egress") {
        guard let rule = EgressRule(parsing: value) else { throw .usage("an --egress value is not a destination; \(EgressRule.formatHelp)") }
        options.egress.append(rule)
    }
    options.audit = arguments.flag("egress-audit")
    options.hide = arguments.all("hide")
    options.expose = arguments.all("expose")
    return options
}

let fetchCommand = Command(
    spec: CommandSpec(
        name: "fetch",
        overview: "Download a pinned file, verify it, and only then write it to a file or stdout.",
        usage: "scriptpin fetch <name|url> [-o <file>] [--sha256 <hex>]... [--mode <octal>] [options]",
        arguments: [("<name|url>", "A pin name, or an https URL pinned in the manifest or with --sha256.")],
        options: [
            manifestOption,
            .value("output", short: "o", "file", "Write the verified bytes here, atomically (default, or -: stdout)."),
            .value("mode", "octal", "The written file's mode (default: 0644)."),
            .value("sha256", "hex", repeatable: true, "Pin ad hoc: the body must have this digest (repeatable; no manifest needed)."),
            .flag("offline", "Use the stored copy whose digest the pin names; do not fetch."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: "Any artifact, not only scripts. Nothing is written unless the body matches: `scriptpin fetch tool-tgz | tar xz` never feeds tar an unverified byte. Exit codes: 0 written; 124 not fetched and no stored copy; 125 refused (mismatch, not pinned, invalid pin, usage)."),
    perform: { arguments, console, context throws(ScriptPinError) in
        guard let target = arguments.operands.first else { throw .usage("fetch needs a pin name or an https URL") }
        guard arguments.operands.count == 1 else {
            throw .usage("fetch takes one target, but argument \(arguments.operandPositions[1]) is a second one")
        }
        var command = FetchCommand()
        command.target = target
        if let output = arguments.value("output"), output != "-" { command.outputPath = output }
        if let mode = arguments.value("mode") {
            guard let value = UInt32(mode, radix: 8), value <= 0o7777 else { throw .usage("--mode needs an octal mode such as 0644 or 755") }
            command.mode = value
        }
        command.manifest = arguments.value("manifest")
        command.adHocDigests = try adHocDigests(from: arguments)
        command.offline = arguments.flag("offline")
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        return reportingRunFailures(console) { () throws(ScriptPinError) in
            try command.run(reporter: console, context: context)
            return ExitCode.success
        }
    })

let addCommand = Command(
    spec: CommandSpec(
        name: "add",
        overview: "Fetch a script, show it, and pin it in known-hashes/NAME.pin.",
        usage: "scriptpin add <name> <url> [--interpreter <program>] [--env <names>]... [--max-size <bytes>] [--yes]",
        arguments: [("<name>", "The pin name: [a-z0-9][a-z0-9._-]*, at most 64 characters."), ("<url>", "The https URL of the script.")],
        options: [
            manifestOption,
            .value("interpreter", "program", "Record this interpreter (default: from the #! line)."),
            .value("env", "names", repeatable: true, "Variables (or PREFIX*) the script may see although they look secret; repeatable, or space-separated."),
            .flag("yes", short: "y", "Pin without asking; needed when there is no terminal."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: "Refuses to replace an existing pin; that is `scriptpin update`. A URL that cannot be fetched exits 3 and writes nothing."),
    perform: { arguments, console, context throws(ScriptPinError) in
        guard arguments.operands.count == 2 else {
            throw .usage("add needs a name and a URL: scriptpin add NAME URL")
        }
        var command = AddCommand()
        command.name = arguments.operands[0]
        command.url = arguments.operands[1]
        command.interpreter = arguments.value("interpreter")
        command.environment = arguments.all("env").flatMap { $0.split(separator: " ").map(String.init) }
        for name in command.environment where !PinRules.isValidEnvironmentPattern(name) {
            throw .usage("an --env value is not a variable name or PREFIX* pattern")
        }
        command.manifest = arguments.value("manifest")
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        command.maxSize = command.fetchOptions.maximumSize
        let prepared = try command.prepare(reporter: console, context: context)
        guard arguments.flag("yes") || console.confirm(prepared.question) else { throw .notConfirmed("pin '\(prepared.pin.name)'") }
        try AddCommand.commit(prepared, reporter: console)
        return ExitCode.success
    })

let updateCommand = Command(
    spec: CommandSpec(
        name: "update",
        overview: "Re-fetch pinned scripts, show what changed, and approve the new digest.",
        usage: "scriptpin update [<name>...|--all] [--yes]",
        arguments: [("<name>", "Pins to update.")],
        options: [
            manifestOption,
            .flag("all", "Update every pin."),
            .flag("yes", short: "y", "Approve without asking; needed when there is no terminal."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: "A changed body is shown as a unified diff against the approved copy in the store, followed by a risk summary of the added lines. On approval the pin's sha256 lines are replaced and its approved date set."),
    perform: { arguments, console, context throws(ScriptPinError) in
        var command = UpdateCommand()
        command.names = arguments.operands
        command.all = arguments.flag("all")
        if command.all && !command.names.isEmpty { throw .usage("give pin names or --all, not both") }
        if command.names.isEmpty && !command.all { throw .usage("name the pins to update, or pass --all") }
        command.manifest = arguments.value("manifest")
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        let (manifest, entries) = try command.pins(context: context)
        // Each pin is reviewed and approved on its own; one failure does not stop the others.
        var outcome = Outcome.succeeded
        for entry in entries {
            do throws(ScriptPinError) {
                guard let prepared = try command.review(entry, in: manifest, reporter: console, context: context) else { continue }
                guard arguments.flag("yes") || console.confirm(prepared.question) else {
                    throw .notConfirmed("the new digest of '\(prepared.pin.name)'")
                }
                try UpdateCommand.approve(prepared, reporter: console)
            } catch {
                console.error(console.explain(error))
                outcome = outcome.including(error.category)
            }
        }
        return ExitCode.of(outcome)
    })

let checkCommand = Command(
    spec: CommandSpec(
        name: "check",
        overview: "Nightly drift check: re-fetch every pin and report what changed.",
        usage: "scriptpin check [<name>...] [--format text|json|sarif|github] [--jobs <n>]",
        arguments: [("<name>", "Pins to check (default: all).")],
        options: [
            manifestOption,
            .value("format", "format", "text, json, sarif or github (default: text)."),
            .value("jobs", "n", "Transfers at once (default: \(CheckCommand.defaultJobs))."),
        ] + fetchOptionSpecs + [helpOption],
        discussion: "Each pin ends as ok, changed or unreachable. Exit 0 all ok, 1 any changed, 3 only unreachable ones, 2 invalid manifest."),
    perform: { arguments, console, context throws(ScriptPinError) in
        var command = CheckCommand()
        command.names = arguments.operands
        command.format = try reportFormat(from: arguments) ?? command.format
        command.jobs = try arguments.integer("jobs", in: 1...64) ?? CheckCommand.defaultJobs
        command.manifest = arguments.value("manifest")
        command.fetchOptions = try fetchOptions(from: arguments, context: context)
        return ExitCode.of(try command.run(reporter: console, context: context))
    })

let lintCommand = Command(
    spec: CommandSpec(
        name: "lint",
        overview: "Find every place where something downloaded is executed without a pin.",
        usage: "scriptpin lint [<path>...] [--staged] [--exclude <glob>]... [--include-docs] [--format text|json|sarif|github] [--fix [--diff] [--yes]]",
        arguments: [("<path>", "Files or directories to lint (default: the current directory).")],
        options: [
            .flag("staged", "Lint the staged contents (the git index) of staged files."),
            .value("exclude", "glob", repeatable: true, "Skip paths or file names matching this glob (repeatable)."),
            .flag("include-docs", "Also read shell code blocks in Markdown files."),
            .value("format", "format", "text, json, sarif or github (default: text)."),
            .flag("fix", "Pin every finding whose URL is written out and rewrite it to scriptpin run or scriptpin fetch."),
            .flag("diff", "With --fix: show the new pins and the changes, write nothing."),
            .flag("yes", short: "y", "With --fix: write without asking; needed when there is no terminal."),
            manifestOption,
        ] + fetchOptionSpecs + [helpOption],
        discussion: "Reads shell scripts, Dockerfiles, GitHub Actions workflows and composite actions, GitLab CI files and Makefiles. Suppress a reviewed line with '# scriptpin: ignore <reason>' on it or the line above. Exit 0 clean, 1 findings, 2 error. With --fix: 0 when every finding was fixed, 1 when some need a manual change, 3 when a URL could not be fetched (the others are still fixed)."),
    perform: { arguments, console, context throws(ScriptPinError) in
        var command = LintCommand()
        command.paths = arguments.operands + arguments.passthrough
        command.staged = arguments.flag("staged")
        if command.staged && !command.paths.isEmpty { throw .usage("--staged lints the git index; give no paths with it") }
        command.excludes = arguments.all("exclude")
        command.includeDocs = arguments.flag("include-docs")
        command.format = try reportFormat(from: arguments) ?? command.format
        let fixing = arguments.flag("fix") || arguments.flag("diff")
        guard fixing || !arguments.flag("yes") else { throw .usage("--yes confirms --fix; give --fix with it") }
        for option in ["manifest", "ca-file", "timeout", "max-size"] where !fixing && arguments.value(option) != nil {
            throw .usage("--\(option) is for the pins --fix writes; give --fix with it")
        }
        guard fixing else { return ExitCode.of(try command.run(reporter: console, context: context)) }
        var fix = LintFixCommand()
        fix.lint = command
        fix.manifest = arguments.value("manifest")
        fix.fetchOptions = try fetchOptions(from: arguments, context: context)
        let prepared = try fix.prepare(reporter: console, context: context)
        if arguments.flag("diff") || !prepared.hasChanges { return ExitCode.of(prepared.outcome) }
        guard arguments.flag("yes") || console.confirm(prepared.question) else { throw .notConfirmed("the fixes") }
        try LintFixCommand.commit(prepared, reporter: console)
        return ExitCode.of(prepared.outcome)
    })

let hookCommand = Command(
    spec: CommandSpec(
        name: "hook",
        overview: "Install a git pre-commit hook that runs scriptpin verify and scriptpin lint --staged.",
        usage: "scriptpin hook install [--force]",
        arguments: [("install", "Write the pre-commit hook (honouring core.hooksPath).")],
        options: [
            .flag("force", "Replace a pre-commit hook that scriptpin did not write."),
            helpOption,
        ],
        discussion: nil),
    perform: { arguments, console, context throws(ScriptPinError) in
        guard arguments.operands == ["install"] else { throw .usage("the only hook command is `scriptpin hook install`") }
        var installer = HookInstaller(executable: context.executablePath ?? "scriptpin")
        installer.force = arguments.flag("force")
        try installer.run(reporter: console, context: context)
        return ExitCode.success
    })

let allCommands: [Command] = [hashCommand, verifyCommand, runCommand, fetchCommand, addCommand, updateCommand, checkCommand, lintCommand, hookCommand]
