/// A pin file as lines, so that rewriting a pin keeps its comments and order
/// and a reviewer sees a minimal diff after `add` or `update`.
public struct PinDocument: Sendable, Equatable {
    public enum Key: String, CaseIterable, Sendable {
        case url
        case sha256
        case source
        case sums
        case signature
        case provenance
        case interpreter
        case env
        case maxSize = "max-size"
        case approved
        case confine
        case egress
        case write
        case hide
        case expose

        /// Keys a pin may repeat: each line adds a value.
        var isRepeatable: Bool {
            switch self {
            case .sha256, .source, .sums, .signature, .env, .egress, .write, .hide, .expose: true
            case .url, .provenance, .interpreter, .maxSize, .approved, .confine: false
            }
        }
    }

    public enum Line: Sendable, Equatable {
        case blank
        case comment(String)
        case field(Key, String)
    }

    public private(set) var lines: [Line]

    public init(lines: [Line]) {
        self.lines = lines
    }

    /// A new document for `pin`, fields in canonical order under `comments`.
    public init(pin: Pin, comments: [String] = []) {
        var lines: [Line] = comments.map { .comment("# " + $0) }
        lines.append(.field(.url, pin.url))
        lines += pin.sha256.map { .field(.sha256, $0.hex) }
        lines += pin.evidence.map { .field($0.key, $0.description) }
        if let provenance = pin.provenance { lines.append(.field(.provenance, provenance.rawValue)) }
        if let interpreter = pin.interpreter { lines.append(.field(.interpreter, interpreter)) }
        if !pin.environment.isEmpty { lines.append(.field(.env, pin.environment.joined(separator: " "))) }
        if let maxSize = pin.maxSize { lines.append(.field(.maxSize, String(maxSize))) }
        if let approved = pin.approved { lines.append(.field(.approved, approved)) }
        if let confine = pin.confine { lines.append(.field(.confine, confine.rawValue)) }
        lines += pin.egress.map { .field(.egress, $0.description) }
        lines += pin.write.map { .field(.write, $0.description) }
        lines += pin.hide.map { .field(.hide, $0) }
        lines += pin.expose.map { .field(.expose, $0) }
        self.lines = lines
    }

    /// The canonical text: one space between key and value, LF endings, no
    /// trailing spaces, no leading, trailing or doubled blank lines.
    public func render() -> String {
        var output = ""
        var previousWasBlank = true
        for line in lines {
            switch line {
            case .blank:
                if previousWasBlank { continue }
                output += "\n"
                previousWasBlank = true
            case .comment(let text):
                output += trimmingTrailingWhitespace(text) + "\n"
                previousWasBlank = false
            case .field(let key, let value):
                output += key.rawValue + " " + value + "\n"
                previousWasBlank = false
            }
        }
        while output.hasSuffix("\n\n") { output.removeLast() }
        return output
    }

    /// The text to write for `expected`, once the parser has read it back as
    /// exactly `expected`: scriptpin never writes a pin its own parser
    /// rejects or reads differently (a value with a newline would smuggle in
    /// a line of its own).
    public func renderVerified(as expected: Pin, path: String) throws(ScriptPinError) -> String {
        let text = render()
        switch Self.parse(Array(text.utf8), name: expected.name, path: path) {
        case .failure(let failure):
            throw .refusedPinWrite(path: path, reason: failure.problems.map(\.message).joined(separator: "; "))
        case .success(let parsed) where parsed.pin != expected:
            throw .refusedPinWrite(path: path, reason: "the pin would not read back as the values given")
        case .success:
            return text
        }
    }

    /// Replaces every `sha256` line by `digests`, where the first one stood.
    public mutating func replaceDigests(with digests: [Digest]) {
        replaceLines(of: [.sha256], with: digests.map { Line.field(.sha256, $0.hex) })
    }

    /// Replaces every `source` and `sums` line by `evidence`, where the first one stood.
    public mutating func replaceEvidence(with evidence: [Evidence]) {
        replaceLines(of: [.source, .sums], with: evidence.map { Line.field($0.key, $0.description) })
    }

    /// Replaces every line of `keys` by `newLines`, where the first one stood, else where canonical order puts the first key.
    private mutating func replaceLines(of keys: Set<Key>, with newLines: [Line]) {
        func isReplaced(_ line: Line) -> Bool {
            if case .field(let key, _) = line { return keys.contains(key) }
            return false
        }
        guard let first = lines.firstIndex(where: isReplaced) else {
            if let key = Key.allCases.first(where: keys.contains) { insertInCanonicalPlace(newLines, for: key) }
            return
        }
        lines.removeAll(where: isReplaced)
        lines.insert(contentsOf: newLines, at: first)
    }

    /// Replaces every `egress` line by `rules`, where the first one stood, else where canonical order puts them.
    public mutating func replaceEgress(with rules: [EgressRule]) {
        replaceLines(of: [.egress], with: rules.map { Line.field(.egress, $0.description) })
    }

    /// Sets a single-valued field in place, or adds it where canonical order puts it.
    public mutating func set(_ key: Key, to value: String) {
        if let index = lines.firstIndex(where: { if case .field(key, _) = $0 { true } else { false } }) {
            lines[index] = .field(key, value)
        } else {
            insertInCanonicalPlace([.field(key, value)], for: key)
        }
    }

    /// After the last field whose key comes earlier in canonical order.
    private mutating func insertInCanonicalPlace(_ newLines: [Line], for key: Key) {
        let order = Key.allCases
        let rank = order.firstIndex(of: key)!
        let earlier = lines.lastIndex { line in
            if case .field(let other, _) = line { return order.firstIndex(of: other)! <= rank }
            return false
        }
        lines.insert(contentsOf: newLines, at: earlier.map { $0 + 1 } ?? lines.endIndex)
    }

    private func trimmingTrailingWhitespace(_ text: String) -> String {
        var result = Substring(text)
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return String(result)
    }
}

extension PinDocument {
    /// Parses and validates a pin file's bytes. `path` is how problems name the
    /// file; every problem is reported, not only the first.
    public static func parse(_ bytes: [UInt8], name: String, path: String) -> Result<ParsedPin, PinFailure> {
        var problems: [PinProblem] = []
        func report(_ line: Int?, _ message: String) {
            problems.append(PinProblem(path: path, line: line, message: message))
        }
        /// A repeatable key's value: reported when it does not parse or is already listed, else appended.
        func addOnce<Value: Equatable>(
            _ value: Value?, to list: inout [Value], line: Int, invalid: String, twice: (Value) -> String
        ) -> Bool {
            guard let value else {
                report(line, invalid)
                return false
            }
            guard !list.contains(value) else {
                report(line, twice(value))
                return false
            }
            list.append(value)
            return true
        }
        if !PinRules.isValidName(name) {
            report(nil, "'\(name)' is not a valid pin name; use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, at most \(PinRules.maximumNameLength) characters")
        }
        if bytes.count > PinRules.maximumFileSize {
            report(nil, "the file is \(bytes.count) bytes, over the \(PinRules.maximumFileSize)-byte limit for a pin; a pin is a few lines")
            return .failure(PinFailure(problems: problems))
        }
        if let nul = bytes.firstIndex(of: 0) {
            report(bytes[..<nul].count(where: { $0 == UInt8(ascii: "\n") }) + 1, "the file contains a NUL byte; a pin is plain text")
            return .failure(PinFailure(problems: problems))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            report(nil, "the file is not valid UTF-8; save it as UTF-8 text")
            return .failure(PinFailure(problems: problems))
        }

        var lines: [Line] = []
        var url: String?
        var urlLine = 0
        var firstDigestLine: Int?
        var digests: [Digest] = []
        var interpreter: String?
        var environment: [String] = []
        var maxSize: Int64?
        var approved: String?
        var confine: ConfinementMode?
        var egress: [EgressRule] = []
        var write: [WriteRule] = []
        var hide: [String] = []
        var expose: [String] = []
        var evidence: [Evidence] = []
        var evidenceLines: [Int] = []
        var provenance: ProvenanceMode?
        var seenSingle: [Key: Int] = [:]

        let rawLines = splitLines(text)
        for (offset, content) in rawLines.enumerated() {
            let number = offset + 1
            let trimmed = content.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if offset < rawLines.count - 1 { lines.append(.blank) }
                continue
            }
            if trimmed.hasPrefix("#") {
                lines.append(.comment(String(trimmed)))
                continue
            }
            let keyText = trimmed.prefix(while: { $0 != " " && $0 != "\t" })
            let value = trimmed.dropFirst(keyText.count)
                .drop(while: { $0 == " " || $0 == "\t" })
            let valueText = String(value.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
            guard let key = Key(rawValue: String(keyText)) else {
                let known = Key.allCases.map(\.rawValue).joined(separator: ", ")
                report(number, "unknown key '\(keyText)'; a pin has only \(known)")
                continue
            }
            if valueText.isEmpty {
                report(number, "'\(key.rawValue)' needs a value")
                continue
            }
            if let problem = PinRules.valueProblem(valueText, allowingTabs: true) {
                report(number, "the '\(key.rawValue)' value is not one line of printable text: \(problem)")
                continue
            }
            if !key.isRepeatable {
                if let first = seenSingle[key] {
                    report(number, "a second '\(key.rawValue)' line; the first is on line \(first), and a pin has exactly one")
                    continue
                }
                seenSingle[key] = number
            }
            switch key {
            case .url:
                if let problem = ScriptURL.problem(with: valueText) {
                    report(number, problem)
                    continue
                }
                if ScriptURL(valueText)?.hasCredentials == true {
                    report(number, "the URL contains a user or password; pins are committed, so keep credentials out of them")
                    continue
                }
                url = valueText
                urlLine = number
            case .sha256:
                firstDigestLine = firstDigestLine ?? number
                guard addOnce(
                    Digest(parsing: valueText, expected: .sha256), to: &digests, line: number,
                    invalid: "'\(valueText)' is not a SHA-256 digest; write 64 hex digits, as `sha256sum` prints them",
                    twice: { "digest \($0.hex) is listed twice" })
                else { continue }
            case .source, .sums, .signature:
                let parsed = switch key {
                case .source: SourceEvidence.parse(valueText).map(Evidence.source)
                case .sums: SumsEvidence.parse(valueText).map(Evidence.sums)
                default: SignatureEvidence.parse(valueText).map(Evidence.signature)
                }
                switch parsed {
                case .failure(let problem):
                    report(number, "'\(valueText)' is not a \(key.rawValue) line: \(problem.message)")
                    continue
                case .success(let value):
                    guard addOnce(value, to: &evidence, line: number, invalid: "", twice: { "\(key.rawValue) \($0) is listed twice" }) else { continue }
                    evidenceLines.append(number)
                    lines.append(.field(key, value.description))
                    continue
                }
            case .provenance:
                guard let mode = ProvenanceMode(rawValue: valueText) else {
                    report(number, "'\(valueText)' is not a provenance mode; write \(ProvenanceMode.spelledOut)")
                    continue
                }
                provenance = mode
            case .interpreter:
                interpreter = valueText
            case .env:
                let patterns = valueText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let invalid = patterns.filter { !PinRules.isValidEnvironmentPattern($0) }
                if !invalid.isEmpty {
                    report(number, "'\(invalid.joined(separator: " "))' is not a variable name or PREFIX* pattern")
                    continue
                }
                environment += patterns
                lines.append(.field(key, patterns.joined(separator: " ")))
                continue
            case .maxSize:
                guard valueText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                      let size = Int64(valueText), size > 0, size <= PinRules.maximumDeclaredSize
                else {
                    report(number, "'\(valueText)' is not a valid size; give a whole number of bytes from 1 to \(PinRules.maximumDeclaredSize)")
                    continue
                }
                maxSize = size
            case .approved:
                guard PinRules.isValidDate(valueText) else {
                    report(number, "'\(valueText)' is not a date; write it as YYYY-MM-DD")
                    continue
                }
                approved = valueText
            case .confine:
                guard let mode = ConfinementMode(rawValue: valueText) else {
                    report(number, "'\(valueText)' is not a confinement mode; write \(ConfinementMode.spelledOut)")
                    continue
                }
                confine = mode
            case .egress:
                guard addOnce(
                    EgressRule(parsing: valueText), to: &egress, line: number,
                    invalid: "'\(valueText)' is not an egress destination; \(EgressRule.formatHelp)",
                    twice: { "egress \($0) is listed twice" })
                else { continue }
            case .write:
                if let problem = PinRules.protectedWriteProblem(valueText) {
                    report(number, problem)
                    continue
                }
                guard addOnce(
                    WriteRule(parsing: valueText), to: &write, line: number,
                    invalid: "'\(valueText)' is not a write path; \(WriteRule.formatHelp)",
                    twice: { "write \($0) is listed twice" })
                else { continue }
            case .hide, .expose:
                guard valueText.hasPrefix("/") || valueText.hasPrefix("~/") else {
                    report(number, "'\(valueText)' is not an absolute path; write /PATH, or ~/PATH for one under the home directory")
                    continue
                }
                if key == .hide { hide.append(valueText) } else { expose.append(valueText) }
            }
            lines.append(.field(key, valueText))
        }
        if url == nil && seenSingle[.url] == nil {
            report(nil, "no 'url' line; a pin needs the https URL it pins")
        }
        if egress.contains(.none) && egress.count > 1 {
            report(nil, "`egress none` and egress hosts contradict each other; keep one or the other")
        }
        if !egress.isEmpty && confine == .off {
            report(seenSingle[.confine], "`confine off` with egress lines: egress lines are enforced by confinement; remove one or the other")
        }
        if write.contains(.none) && write.count > 1 {
            report(nil, "`write none` and write paths contradict each other; keep one or the other")
        }
        if !write.isEmpty && confine == .off {
            report(seenSingle[.confine], "`confine off` with write lines: write lines are enforced by confinement; remove one or the other")
        }
        for (index, line) in evidenceLines.enumerated() {
            if let problem = evidence.crossReferenceProblem(at: index) { report(line, problem) }
        }
        if provenance == .required && evidence.isEmpty {
            report(seenSingle[.provenance], "`provenance required` without evidence: add a source, sums or signature line, or remove it")
        }
        if firstDigestLine == nil {
            report(nil, "no 'sha256' line; add the digest `scriptpin hash URL` prints")
        }
        guard problems.isEmpty, let url else { return .failure(PinFailure(problems: problems)) }
        let pin = Pin(
            name: name, url: url, sha256: digests, interpreter: interpreter,
            environment: environment, maxSize: maxSize, approved: approved,
            egress: egress, write: write, hide: hide, expose: expose, confine: confine, evidence: evidence, provenance: provenance)
        return .success(ParsedPin(
            pin: pin, document: PinDocument(lines: lines), urlLine: urlLine, digestLine: firstDigestLine ?? urlLine,
            evidenceLines: evidenceLines))
    }
}

/// A valid pin file: its meaning, its lines, and where the lines that
/// reports point at stand in the file.
public struct ParsedPin: Sendable {
    public let pin: Pin
    public let document: PinDocument
    public let urlLine: Int
    /// The first `sha256` line, where drift reports place their annotation.
    public let digestLine: Int
    /// The line of each of `pin.evidence`, in order.
    public let evidenceLines: [Int]
}

/// The problems that made a pin file invalid.
public struct PinFailure: Error, Sendable {
    public let problems: [PinProblem]
}

/// Lines split on LF with a trailing CR removed. Swift treats CRLF as one
/// Character, so the split works on Unicode scalars, not Characters.
func splitLines(_ text: String) -> [Substring] {
    text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars in
        let line = Substring(scalars)
        return line.unicodeScalars.last == "\r" ? Substring(line.unicodeScalars.dropLast()) : line
    }
}
