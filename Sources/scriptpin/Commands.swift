import ScriptPinKit

/// `--manifest`, for every command that reads the pins.
let manifestOption = Option<String?>.value(
    "manifest", "<dir>", \.self, "The pin directory (default: $\(Manifest.environmentVariable), else the nearest known-hashes/).")

/// How every command that downloads reaches the network: three options and what the environment adds.
let fetchOptionGroup: [Option<FetchOptions>] = [
    .value("ca-file", "<path>", \.caFile, "Trust this CA bundle instead of $SSL_CERT_FILE or the system's."),
    .integer("timeout", "<seconds>", \.timeoutSeconds, in: 1...FetchOptions.maximumTimeoutSeconds,
             "Give up on a download after this long (default: \(FetchOptions.defaultTimeoutSeconds))."),
    .value("max-size", "<bytes>", \.maximumSize, parse: { Int64($0).flatMap { (1...PinRules.maximumDeclaredSize).contains($0) ? $0 : nil } },
           expected: "a whole number from 1 to \(PinRules.maximumDeclaredSize)",
           "Refuse a body larger than this (default: the pin's max-size, else \(FetchOptions.defaultMaximumSize))."),
    .environment { options, context throws(ScriptPinError) in try options.adopt(context) },
]

/// The evidence `add` and `update` take for a body, written as the pin's lines.
let evidenceOptionGroup: [Option<EvidenceOptions>] = [
    .values("source", "<url|github:OWNER/REPO@REF:PATH>", \.sources,
            "Evidence: the same bytes are published there (a GitHub file is recorded at its ref's commit); repeatable."),
    .values("sums", "<url>", \.sums, "Evidence: this checksum file of the vendor's lists the body's digest; repeatable."),
    .values("signature", "<\(SignatureEvidence.Kind.alternatives)> <url|github:OWNER/REPO@TAG> <key>", \.signatures,
            "Evidence: a signature by a key in known-hashes/keys/ (minisign key id, SSH SHA256: fingerprint, OpenPGP fingerprint) over the body, a --sums file, or a source's tag; repeatable.",
            valueCount: 3),
    .value("sums-name", "<name>", \.sumsName, "The name the checksum files list the script under (default: the URL's last segment)."),
]

/// `--sha256`, for the commands that may pin ad hoc.
let adHocDigestOption = Option<[Digest]>.values(
    "sha256", "<hex>", \.self, parse: { Digest(parsing: $0, expected: .sha256).map { [$0] } },
    invalid: "is not a SHA-256 digest; give 64 hex digits as `scriptpin hash` prints them",
    "Pin ad hoc: the body must have this digest (repeatable; no manifest needed).")

/// A variable name or `PREFIX*` pattern, as `--allow-env` and `--env` take them.
private let invalidPattern = "is not a variable name or PREFIX* pattern"

/// A request that asks before it changes anything, unless `--yes`.
struct Confirmed<Wrapped> {
    var command: Wrapped
    var yes = false
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

let hashCommand = Command(CommandDefinition<HashCommand>(
    name: "hash",
    overview: "Print digests of files or https URLs, in the format of sha256sum.",
    operands: [Operand(name: "<file|url|->", count: .any, help: "Files to hash, https URLs to fetch and hash, - for standard input (the default).")],
    options: [
        .choice("algo", \.algorithm, "The digest algorithm (default: sha256)."),
        .flag("sri", \.subresourceIntegrity, "Print Subresource Integrity values (sha256-<base64>) instead of hex."),
    ] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) },
    discussion: nil,
    request: { _ in HashCommand() },
    perform: { command, arguments, console, _ in
        command.operands = arguments.operands + arguments.passthrough
        return ExitCode.of(command.run(reporter: console))
    }))

let verifyCommand = Command(CommandDefinition<VerifyCommand>(
    name: "verify",
    overview: "Check pins: the pin files are valid (with --online, confirmed by their evidence), or files match a pin or a vendor's checksum file.",
    operands: [Operand(name: "<file>", count: .any, help: "Local files that must match a pin (or an entry of --sums).")],
    options: [
        manifestOption.scoped(\.manifest),
        .value("pin", "<name>", \.pinName, "The pin each file must match (default: any pin)."),
        .value("sums", "<sums-file>", \.sumsFile, "Check files against a sha256sum/sha512sum-format file instead of the pins."),
        .flag("online", \.online, "After validating the pins, check each pin's evidence (source, sums and signature lines) against the body its URL serves."),
        .flag("staged", \.staged, "Check the pins that the staged files' scriptpin commands name against git's index (the pre-commit hook)."),
    ] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) },
    discussion: "With no file, every pin file is validated and every problem is reported, and every `scriptpin run NAME` and `scriptpin fetch NAME` in the repository's code must name a pin that exists and that git tracks. Output follows sha256sum -c: 'name: OK' or 'name: FAILED' on stdout, a summary on stderr. --online is the one use of the network: 1 when evidence disagrees, 3 when it cannot be fetched.",
    request: { _ in
        var command = VerifyCommand()
        command.pinTarget = pinTarget(of:)
        return command
    },
    perform: { command, arguments, console, context throws(ScriptPinError) in
        command.files = arguments.operands + arguments.passthrough
        if command.sumsFile != nil && command.pinName != nil {
            throw .usage("--sums and --pin cannot be combined; --sums checks against the vendor's file, not the pins")
        }
        if command.staged && !(command.files.isEmpty && command.sumsFile == nil) {
            throw .usage("--staged checks the staged files' references to pins; it takes no files and no --sums")
        }
        if command.online && !(command.files.isEmpty && command.sumsFile == nil) {
            throw .usage("--online checks the pins' evidence; it takes no files and no --sums")
        }
        return ExitCode.of(command.run(reporter: console, context: context))
    }))

/// A word of code that is not written out (`"$tool"`), as the parser below is given it.
private let unwrittenWord = "\u{0}"

/// The pin a `scriptpin run|fetch …` command found in code names, and the
/// index of the word that names it: the arguments read with that command's
/// own declaration, so that an option's value is never taken for the pin;
/// nil for another command, or a target that is not written out.
@Sendable func pinTarget(of arguments: [String?]) -> (name: String, argument: Int)? {
    guard let verb = arguments.first ?? nil, let command = [runCommand, fetchCommand].first(where: { $0.name == verb }) else { return nil }
    let words = arguments.map { $0 ?? unwrittenWord }
    guard let parsed = try? command.parse(Array(words.dropFirst())), let target = parsed.operands.first, target != unwrittenWord else { return nil }
    // The word is the one that, marked, comes back as the operand: the same text may also be an option's value.
    for index in words.indices.dropFirst() where words[index] == target {
        var marked = words
        marked[index] = unwrittenWord
        if let again = try? command.parse(Array(marked.dropFirst())), again.operands.first == unwrittenWord { return (target, index) }
    }
    return nil
}

let runCommand = Command(CommandDefinition<Confirmed<RunCommand>>(
    name: "run",
    overview: "Fetch a pinned script, verify it, and run exactly the verified bytes.",
    operands: [
        Operand(name: "<name|url|path>", count: .one, help: "A pin name, a pinned https URL, or a local script that matches a pin."),
        Operand(name: "<arguments>", count: .afterDoubleDash, help: "Passed to the script, after --."),
    ],
    options: ([
        manifestOption.scoped(\.manifest),
        adHocDigestOption.scoped(\.adHocDigests),
        .value("interpreter", "<program>", \.interpreter, "Run with this program (default: the pin's interpreter, else the #! line, else sh)."),
        .values("allow-env", "<name>", \.environment.allowed, parse: { PinRules.isValidEnvironmentPattern($0) ? [$0] : nil }, invalid: invalidPattern,
                "Let this secret-looking variable (or PREFIX*) through (repeatable)."),
        .oneOf(\.environment.mode, [
            ("clean-env", .clean, "Start from PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_*, TERM, TMPDIR, TZ plus allowed variables."),
            ("keep-env", .keepAll, "Pass every variable, secrets included."),
        ]),
        .flag("offline", \.offline, "Run the stored copy whose digest the pin names; do not fetch."),
        .flag("provenance", \.requiresProvenance, "Check the pin's evidence (source and sums lines) online before running, as `provenance required` in the pin does."),
        .flag("print", \.printInsteadOfRunning, "Write the verified bytes to stdout instead of running them."),
        .choice("confine", \.confinement.mode, "Confine the script in namespaces: where possible (auto, the default), always, or never."),
        .values("egress", "<host[:port]>", \.confinement.egress, parse: { EgressRule(parsing: $0).map { [$0] } },
                invalid: "is not a destination; \(EgressRule.formatHelp)",
                "Let the script reach this host (port 443 by default; *.domain; none) (repeatable)."),
        .flag("egress-audit", \.confinement.audit, "Confine the network but let every host through; list the egress lines that allow them."),
        .values("write", "<path>", \.confinement.write, parse: { WriteRule(parsing: $0).map { [$0] } },
                invalid: "is not a write path; \(WriteRule.formatHelp)",
                "Let the script change this path (a directory and everything under it, or a file; . or ./PATH in the working directory; none) (repeatable)."),
        .flag("write-audit", \.confinement.writeAudit, "Let every change through to the host, as unconfined; list the write lines that allow them."),
        .flag("audit", \.confinement.auditsEverything, "Both audits: --egress-audit and --write-audit."),
        .flag("save", \.savesAudit, "With --egress-audit: after a successful run, write the lines it lists into the pin (asks; needs --yes without a terminal)."),
        .values("hide", "<path>", \.confinement.hide, "Mask this path from the script besides the credential stores (repeatable)."),
        .values("expose", "<path>", \.confinement.expose, "Let the script see this masked path after all (repeatable)."),
        .value("report", "<file>", \.reportFile, "After the script, write the run's report (network allowed and blocked, files kept and discarded, audit suggestions) to this file as JSON."),
    ] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) }).map { $0.scoped(\.command) } + [
        .flag("yes", short: "y", \.yes, "With --save: write without asking."),
    ],
    discussion: """
        By default the script gets the environment minus every variable whose name looks secret \
        (TOKEN, SECRET, PASSWORD, CREDENTIAL, API_KEY, *_KEY, AWS_*, GOOGLE_*, ...). Where the kernel \
        allows it, the script runs in its own user, PID, mount, IPC and UTS namespaces: it sees only its \
        own processes, and ~/.ssh, ~/.aws, ~/.docker/config.json, ~/.netrc and the other credential \
        stores are empty. With egress lines in the pin (or --egress), it reaches only those hosts, \
        through a proxy scriptpin runs. With write lines (or --write), it changes only those paths on \
        the host: every other change is discarded and listed. Exit codes: the \
        script's own status (128+N when killed by signal N); 124 not fetched and no stored copy; \
        125 refused (mismatch, not pinned, invalid pin, usage, confinement required but unavailable, \
        the changes of a write-confined script unreadable); 126 interpreter not executable; \
        127 interpreter not found.
        """,
    exitCodes: .runner,
    request: { _ in Confirmed(command: RunCommand()) },
    perform: { request, arguments, console, context throws(ScriptPinError) in
        guard let target = arguments.operands.first else {
            throw .usage("run needs a pin name, an https URL or a script path")
        }
        var command = request.command
        if command.savesAudit && !command.confinement.auditsNetwork { throw .usage("--save writes what an egress audit lists; give --egress-audit with it") }
        if request.yes && !command.savesAudit { throw .usage("--yes confirms --save; give --save with it") }
        guard arguments.operands.count == 1 else {
            throw .usage("run takes one target, but argument \(arguments.operandPositions[1]) is a second one; arguments for the script go after --: scriptpin run TARGET -- ARGS")
        }
        command.target = target
        command.arguments = arguments.passthrough
        let run = command
        let yes = request.yes
        return reportingRunFailures(console) { () throws(ScriptPinError) in
            let outcome = try run.run(reporter: console, context: context)
            if case .ran(_, let save?) = outcome {
                if yes || console.confirm(save.question) {
                    try save.commit(reporter: console)
                } else {
                    console.note("scriptpin: the egress lines were not written into \(save.path); run again with --save --yes, or copy them from above")
                }
            }
            return ExitCode.Run.of(outcome)
        }
    }))

let fetchCommand = Command(CommandDefinition<FetchCommand>(
    name: "fetch",
    overview: "Download a pinned file, verify it, and only then write it to a file or stdout.",
    operands: [Operand(name: "<name|url>", count: .one, help: "A pin name, or an https URL pinned in the manifest or with --sha256.")],
    options: [
        manifestOption.scoped(\.manifest),
        .value("output", short: "o", "<file>", \.outputPath, parse: { $0 == "-" ? .some(nil) : $0 }, expected: "a file name",
               "Write the verified bytes here, atomically (default, or -: stdout)."),
        .value("mode", "<octal>", \.mode, parse: { UInt32($0, radix: 8).flatMap { $0 <= 0o7777 ? $0 : nil } },
               expected: "an octal mode such as 0644 or 755", "The written file's mode (default: 0644)."),
        adHocDigestOption.scoped(\.adHocDigests),
        .flag("offline", \.offline, "Use the stored copy whose digest the pin names; do not fetch."),
        .flag("provenance", \.requiresProvenance, "Check the pin's evidence (source and sums lines) online before writing, as `provenance required` in the pin does."),
    ] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) },
    discussion: "Any artifact, not only scripts. Nothing is written unless the body matches: `scriptpin fetch tool-tgz | tar xz` never feeds tar an unverified byte. Exit codes: 0 written; 124 not fetched and no stored copy; 125 refused (mismatch, not pinned, invalid pin, usage).",
    exitCodes: .runner,
    request: { _ in FetchCommand() },
    perform: { command, arguments, console, context throws(ScriptPinError) in
        guard let target = arguments.operands.first else { throw .usage("fetch needs a pin name or an https URL") }
        guard arguments.operands.count == 1 else {
            throw .usage("fetch takes one target, but argument \(arguments.operandPositions[1]) is a second one")
        }
        command.target = target
        let request = command
        return reportingRunFailures(console) { () throws(ScriptPinError) in
            try request.run(reporter: console, context: context)
            return ExitCode.success
        }
    }))

let addCommand = Command(CommandDefinition<Confirmed<AddCommand>>(
    name: "add",
    overview: "Fetch a script, show it, and pin it in known-hashes/NAME.pin.",
    operands: [
        Operand(
            name: "<name>", count: .optional,
            help: "The pin name: [a-z0-9][a-z0-9._-]*, at most \(PinRules.maximumNameLength) characters (default: the catalogue's for a known installer, else one made from the URL's host and path)."),
        Operand(name: "<url>", count: .one, help: "The https URL of the script."),
    ],
    options: [
        manifestOption.scoped(\.command.manifest),
        .value("interpreter", "<program>", \.command.interpreter, "Record this interpreter (default: from the #! line)."),
        .values("env", "<names>", \.command.environment, parse: { text in
            let names = text.split(separator: " ").map(String.init)
            return names.allSatisfy(PinRules.isValidEnvironmentPattern) ? names : nil
        }, invalid: "holds a name that \(invalidPattern)",
        "Variables (or PREFIX*) the script may see although they look secret; repeatable, or space-separated."),
    ] + evidenceOptionGroup.map { $0.scoped(\.command.evidence) } + [
        .flag("yes", short: "y", \.yes, "Pin without asking; needed when there is no terminal."),
    ] + fetchOptionGroup.map { $0.scoped(\.command.fetchOptions) },
    discussion: "Refuses to replace an existing pin; that is `scriptpin update`. A URL that cannot be fetched exits 3 and writes nothing. Evidence is fetched beside the body; when any disagrees, add exits 1 and writes nothing, when any cannot be fetched, 3.",
    request: { _ in Confirmed(command: AddCommand()) },
    perform: { request, arguments, console, context throws(ScriptPinError) in
        switch arguments.operands.count {
        case 2:
            request.command.name = arguments.operands[0]
            request.command.url = arguments.operands[1]
        case 1:
            request.command.url = arguments.operands[0]
        default:
            throw .usage("add needs a URL, with the pin's name before it when you choose one: scriptpin add [NAME] URL")
        }
        request.command.maxSize = request.command.fetchOptions.maximumSize
        var prepared = try request.command.prepare(reporter: console, context: context)
        if let question = prepared.stableQuestion, request.yes || console.confirm(question) { prepared = try prepared.onStableURL() }
        guard request.yes || console.confirm(prepared.question) else { throw .notConfirmed("pin '\(prepared.pin.name)'") }
        try AddCommand.commit(prepared, reporter: console)
        return ExitCode.success
    }))

/// `update`, and with `--format` the pull-request body it writes.
struct UpdateRequest {
    var command = UpdateCommand()
    var yes = false
    var format: UpdateReport.Format?
}

let updateCommand = Command(CommandDefinition<UpdateRequest>(
    name: "update",
    overview: "Re-fetch pinned scripts, show what changed, and approve the new digest.",
    operands: [Operand(name: "<name>", count: .any, help: "Pins to update.")],
    options: [
        manifestOption.scoped(\.command.manifest),
        .flag("all", \.command.all, "Update every pin."),
        .value("against", "<file|url>", \.command.against, "Diff against this approved body (it must hash to the pin's digest) when the store and the pin's source line cannot give it; one pin only."),
    ] + evidenceOptionGroup.map { $0.scoped(\.command.evidence) } + [
        .flag("yes", short: "y", \.yes, "Approve without asking; needed when there is no terminal."),
        .choice("format", \.format, "Write a pull-request body for the changes to stdout (the review goes to stderr)."),
    ] + fetchOptionGroup.map { $0.scoped(\.command.fetchOptions) },
    discussion: "A changed body is shown as a unified diff against the approved copy in the store (else against the pin's GitHub source at its recorded commit), followed by a risk summary of the added lines and what the evidence says of the new body: the pin's own lines, or those given here, which replace them. Evidence that does not confirm the new body refuses it. On approval the pin's sha256 and evidence lines are replaced and its approved date set.",
    request: { _ in UpdateRequest() },
    perform: { request, arguments, console, context throws(ScriptPinError) in
        let command = request.command
        if command.all && !arguments.operands.isEmpty { throw .usage("give pin names or --all, not both") }
        if arguments.operands.isEmpty && !command.all { throw .usage("name the pins to update, or pass --all") }
        if command.against != nil && (command.all || arguments.operands.count != 1) { throw .usage("--against is the approved body of one pin; name that one pin") }
        request.command.names = arguments.operands
        let (manifest, entries) = try request.command.pins(context: context)
        // With a report on stdout, the review a person reads goes to stderr.
        let reviewer: any Reporter = request.format == nil ? console : ResultsAsDiagnostics(console)
        var report = UpdateReport()
        // Each pin is reviewed and approved on its own; one failure does not stop the others.
        var outcome = Outcome.succeeded
        for entry in entries {
            var prepared: UpdateCommand.Prepared?
            do throws(ScriptPinError) {
                prepared = try request.command.review(entry, in: manifest, reporter: reviewer, context: context)
                guard let prepared else {
                    report.unchanged.append(entry.pin.name)
                    continue
                }
                guard request.yes || console.confirm(prepared.question) else {
                    throw .notConfirmed("the new digest of '\(prepared.pin.name)'")
                }
                try UpdateCommand.approve(prepared, reporter: reviewer)
                report.entries.append(prepared.entry)
            } catch {
                console.error(console.explain(error))
                outcome = outcome.including(error.category)
                var failed = prepared?.entry ?? UpdateReport.Entry(failed: entry.pin, error: error)
                failed.status = prepared == nil ? failed.status : .refused
                failed.reason = error.description
                report.entries.append(failed)
            }
        }
        if let format = request.format { console.result(report.render(format)) }
        return ExitCode.of(outcome)
    }))

let checkCommand = Command(CommandDefinition<CheckCommand>(
    name: "check",
    overview: "Nightly drift check: re-fetch every pin and report what changed.",
    operands: [Operand(name: "<name>", count: .any, help: "Pins to check (default: all).")],
    options: [
        manifestOption.scoped(\.manifest),
        .choice("format", \.format, "The report's format (default: text)."),
        .integer("jobs", "<n>", \.jobs, in: 1...CheckCommand.maximumJobs, "Transfers at once (default: \(CheckCommand.defaultJobs))."),
        .value("keep", "<dir>", \.keepDirectory, "Write each changed pin's new and approved bodies here (NAME.new, NAME.approved), for a CI artifact."),
    ] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) },
    discussion: "Each pin ends as ok, changed or unreachable. Exit 0 all ok, 1 any changed, 3 only unreachable ones, 2 invalid manifest.",
    request: { _ in CheckCommand() },
    perform: { command, arguments, console, context throws(ScriptPinError) in
        command.names = arguments.operands
        return ExitCode.of(try command.run(reporter: console, context: context))
    }))

let renameCommand = Command(CommandDefinition<Confirmed<RenameCommand>>(
    name: "rename",
    overview: "Rename a pin and rewrite every scriptpin run|fetch that names it in the repository.",
    operands: [
        Operand(name: "<old>", count: .one, help: "The pin's current name."),
        Operand(name: "<new>", count: .one, help: "Its new name."),
    ],
    options: [
        manifestOption.scoped(\.command.manifest),
        .flag("yes", short: "y", \.yes, "Rename without asking; needed when there is no terminal."),
    ],
    discussion: "Lists each command it rewrites (file:line:column) and each it cannot rewrite in place. The new pin, the rewritten files and the removal of the old pin land together: when one write fails, the others are undone.",
    request: { _ in Confirmed(command: RenameCommand(pinTarget: pinTarget(of:))) },
    perform: { request, arguments, console, context throws(ScriptPinError) in
        request.command.oldName = arguments.operands[0]
        request.command.newName = arguments.operands[1]
        let prepared = try request.command.prepare(reporter: console, context: context)
        guard request.yes || console.confirm(prepared.question) else { throw .notConfirmed("the rename") }
        try RenameCommand.commit(prepared, reporter: console)
        return ExitCode.success
    }))

/// `lint` and `lint --fix`: the pins that --fix writes need a manifest and the fetch options.
struct LintRequest {
    var fix = LintFixCommand()
    var fixing = false
    var diffOnly = false
    var yes = false
}

/// The options that only matter to the pins `--fix` writes.
private let lintFixOnlyOptions: [Option<LintFixCommand>] = [
    manifestOption.scoped(\.manifest),
    .values("name", "<url>=<name>", \.chosenNames, parse: { LintFixCommand.ChosenName(argument: $0).map { [$0] } },
            invalid: "is not an https URL, '=', and a valid pin name", "Name the new pin of this URL (repeatable; default: the catalogue's, else one made from the host and path)."),
    .choice("fix-style", \.style, "Rewrite to scriptpin run/fetch, or to a download checked with sha256sum -c for images and runners without scriptpin (default: scriptpin, checksum in Dockerfiles)."),
    .choice("dockerfile-style", \.dockerfileStyle, "In a Dockerfile's checksum form: the check inside the RUN, or ADD --checksum before it (default: inline)."),
] + fetchOptionGroup.map { $0.scoped(\.fetchOptions) }

let lintCommand = Command(CommandDefinition<LintRequest>(
    name: "lint",
    overview: "Find every place where something downloaded is executed without a pin.",
    operands: [Operand(name: "<path>", count: .any, help: "Files or directories to lint (default: the current directory).")],
    options: [
        .flag("staged", \.fix.lint.staged, "Lint the staged contents (the git index) of staged files."),
        .values("exclude", "<glob>", \.fix.lint.excludes, "Skip paths or file names matching this glob (repeatable)."),
        .flag("include-docs", \.fix.lint.includeDocs, "Also read shell code blocks in Markdown files."),
        .choice("format", \.fix.lint.format, "The report's format (default: text)."),
        .flag("fix", \.fixing, "Pin every finding whose URL is written out and rewrite it to scriptpin run or scriptpin fetch."),
        .flag("diff", \.diffOnly, "With --fix: show the new pins and the changes, write nothing."),
        .flag("yes", short: "y", \.yes, "With --fix: write without asking; needed when there is no terminal."),
    ] + lintFixOnlyOptions.map { $0.scoped(\.fix) },
    discussion: "Reads shell scripts (and shell templates), Dockerfiles, GitHub Actions workflows and composite actions, GitLab CI, Jenkinsfiles, Travis CI, CircleCI, Azure Pipelines, Bitbucket Pipelines, Ansible task files and playbooks, and Makefiles. Suppress a reviewed line with '# scriptpin: ignore <reason>' on it or the line above. Exit 0 clean, 1 findings, 2 error. With --fix: 0 when every finding was fixed, 1 when some need a manual change, 2 when a file could not be parsed, 3 when a URL could not be fetched (the others are still fixed).",
    request: { _ in LintRequest() },
    perform: { request, arguments, console, context throws(ScriptPinError) in
        request.fix.lint.paths = arguments.operands + arguments.passthrough
        if request.fix.lint.staged && !request.fix.lint.paths.isEmpty { throw .usage("--staged lints the git index; give no paths with it") }
        let fixing = request.fixing || request.diffOnly
        guard fixing || !request.yes else { throw .usage("--yes confirms --fix; give --fix with it") }
        guard !fixing || !request.fix.lint.staged else { throw .usage("--fix rewrites files in the working tree; drop --staged") }
        if !fixing, let given = lintFixOnlyOptions.flatMap(\.specs).first(where: arguments.isGiven) {
            throw .usage("\(given.spelling) is for the pins --fix writes; give --fix with it")
        }
        guard fixing else { return ExitCode.of(try request.fix.lint.run(reporter: console, context: context)) }
        let prepared = try request.fix.prepare(reporter: console, context: context)
        if request.diffOnly || !prepared.hasChanges { return ExitCode.of(prepared.outcome) }
        guard request.yes || console.confirm(prepared.question) else { throw .notConfirmed("the fixes") }
        try LintFixCommand.commit(prepared, reporter: console)
        return ExitCode.of(prepared.outcome)
    }))

let hookCommand = Command(CommandDefinition<HookInstaller>(
    name: "hook",
    overview: "Install a git pre-commit hook that runs scriptpin verify and scriptpin lint --staged.",
    operands: [Operand(name: "install", count: .one, help: "Write the pre-commit hook (honouring core.hooksPath).")],
    options: [.flag("force", \.force, "Replace a pre-commit hook that scriptpin did not write.")],
    discussion: nil,
    request: { context in HookInstaller(executable: context.executablePath ?? "scriptpin") },
    perform: { installer, arguments, console, context throws(ScriptPinError) in
        guard arguments.operands == ["install"] else { throw .usage("the only hook command is `scriptpin hook install`") }
        try installer.run(reporter: console, context: context)
        return ExitCode.success
    }))

let allCommands: [Command] = [hashCommand, verifyCommand, runCommand, fetchCommand, addCommand, updateCommand, renameCommand, checkCommand, lintCommand, hookCommand]
