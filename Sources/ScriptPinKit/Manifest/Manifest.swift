/// The directory of `.pin` files, `known-hashes/` by default.
public struct Manifest: Sendable {
    public static let defaultDirectoryName = "known-hashes"
    public static let environmentVariable = "SCRIPTPIN_MANIFEST"
    /// The subdirectory that holds the public keys signature lines name, reviewed and committed with the pins.
    public static let keysDirectoryName = "keys"

    public let location: ManifestLocation
    /// The directory as shown in messages: relative when it was found from the current directory.
    public var directory: String { location.directory }
    /// Valid pins, sorted by name.
    public let entries: [ParsedPin]

    public var pins: [Pin] { entries.map(\.pin) }

    public func entry(named name: String) -> ParsedPin? {
        entries.first { $0.pin.name == name }
    }

    public func entry(forURL url: String) -> ParsedPin? {
        entries.first { $0.pin.url == url }
    }

    /// The entries for `names`, or every entry when `names` is empty; an unknown name is an error.
    public func entries(named names: [String]) throws(ScriptPinError) -> [ParsedPin] {
        guard !names.isEmpty else { return entries }
        return try names.map { (name) throws(ScriptPinError) -> ParsedPin in
            guard let entry = entry(named: name) else { throw .unknownPin(name: name, manifest: directory) }
            return entry
        }
    }

    public func path(forPinNamed name: String) -> String {
        joinPath(directory, name + PinRules.fileExtension)
    }

    /// Where the pin file for `name` is, for reading and writing it.
    public func filePath(forPinNamed name: String) -> String {
        joinPath(location.path, name + PinRules.fileExtension)
    }

    /// `--manifest DIR`, else `SCRIPTPIN_MANIFEST`, else the nearest
    /// `known-hashes/` in the current directory or one of its parents, up to
    /// the repository root. A directory the user named is used as given; a
    /// discovered one must be the user's (or root's) and not writable by
    /// others, as git's `safe.directory` check does after CVE-2022-24765:
    /// otherwise `cd /tmp/x && scriptpin run NAME` would run whatever pin
    /// another user planted in `/tmp/known-hashes/`.
    public static func locate(explicit: String?, context: ProcessContext) throws(ScriptPinError) -> ManifestLocation {
        if let chosen = explicit ?? context.nonEmptyValue(environmentVariable) {
            guard fileKind(context.resolve(chosen)) == .directory else {
                throw .manifestDirectoryMissing(path: chosen)
            }
            return ManifestLocation(directory: chosen, path: context.resolve(chosen), isDiscovered: false)
        }
        let start = context.workingDirectory
        var absolute = start
        var relative = ""
        while true {
            let candidate = joinPath(absolute, defaultDirectoryName)
            if fileKind(candidate) == .directory {
                let shown = relative + defaultDirectoryName
                if let problem = ownershipProblem(candidate) {
                    throw .untrustedManifest(path: candidate, problem: problem)
                }
                return ManifestLocation(directory: shown, path: candidate, isDiscovered: true)
            }
            // The repository root ends the search: a manifest above it belongs to someone else's tree.
            if fileKind(joinPath(absolute, ".git")) != .missing {
                throw .manifestNotFound(searchedFrom: start, repositoryRoot: absolute)
            }
            let parent = parentDirectory(of: absolute)
            if parent == absolute { throw .manifestNotFound(searchedFrom: start, repositoryRoot: nil) }
            absolute = parent
            relative += "../"
        }
    }

    /// Why `path` cannot be trusted as part of a discovered manifest, or nil:
    /// it must belong to the invoking user or root, and nobody else may
    /// write to it (a sticky directory lets others add files, but not replace ours).
    static func ownershipProblem(_ path: String) -> String? {
        guard let status = fileStatus(path) else { return nil }
        let user = effectiveUserID()
        if status.owner != user && status.owner != 0 {
            return "it is owned by uid \(status.owner), not by you (uid \(user)) or root (mode \(status.modeText))"
        }
        if status.isWritableByOthers && !(status.isDirectory && status.isSticky) {
            return "it is writable by \(status.isWorldWritable ? "every user" : "its group") (mode \(status.modeText), owner uid \(status.owner))"
        }
        return nil
    }

    /// The located manifest, loaded; every pin must be valid.
    public static func discover(explicit: String?, context: ProcessContext) throws(ScriptPinError) -> Manifest {
        try load(locate(explicit: explicit, context: context))
    }

    /// Reads every pin file and reports every problem, not only the first.
    public static func validate(_ location: ManifestLocation) -> (entries: [ParsedPin], problems: [PinProblem]) {
        let directory = location.directory
        let resolved = location.path
        let names: [String]
        do {
            names = try directoryEntries(resolved)
        } catch {
            return ([], [PinProblem(path: directory, line: nil, message: "cannot list the manifest directory: \(error)")])
        }
        var entries: [ParsedPin] = []
        var problems: [PinProblem] = []
        var firstByURL: [String: ParsedPin] = [:]
        for fileName in names where !fileName.hasPrefix(".") {
            let path = joinPath(directory, fileName)
            let file = joinPath(resolved, fileName)
            if fileName == keysDirectoryName && fileKind(file) == .directory { continue }
            guard fileName.hasSuffix(PinRules.fileExtension) else {
                problems.append(PinProblem(path: path, line: nil, message: "not a pin file; every file in the manifest is NAME.pin, so rename or move it"))
                continue
            }
            guard fileKind(file) == .regular else {
                problems.append(PinProblem(path: path, line: nil, message: "not a regular file; a pin is a text file"))
                continue
            }
            if location.isDiscovered, let problem = ownershipProblem(file) {
                problems.append(PinProblem(path: path, line: nil, message: "not used: \(problem); anyone who can write it can change what runs. Fix its owner or mode, or name a manifest you trust explicitly"))
                continue
            }
            let name = String(fileName.dropLast(PinRules.fileExtension.count))
            let bytes: [UInt8]?
            do {
                bytes = try readFile(file, limit: PinRules.maximumFileSize)
            } catch {
                problems.append(PinProblem(path: path, line: nil, message: "cannot read it: \(error)"))
                continue
            }
            guard let bytes else {
                problems.append(PinProblem(path: path, line: nil, message: "the file is over the \(PinRules.maximumFileSize)-byte limit for a pin; a pin is a few lines"))
                continue
            }
            switch PinDocument.parse(bytes, name: name, path: path) {
            case .failure(let failure):
                problems += failure.problems
            case .success(let parsed):
                if let first = firstByURL[parsed.pin.url] {
                    problems.append(PinProblem(
                        path: path, line: parsed.urlLine,
                        message: "pin '\(first.pin.name)' already pins this URL; keep one pin per URL, with several sha256 lines if needed"))
                    continue
                }
                // Only an absolute line can be told to name the manifest here; `run` refuses the others.
                let intoManifest = parsed.pin.write.first { rule in
                    guard case .path(let written) = rule, written.hasPrefix("/") else { return false }
                    return isInside(normalizedPath(written), resolved)
                }
                if let intoManifest {
                    problems.append(PinProblem(
                        path: path, line: nil,
                        message: "write \(intoManifest): that is in the manifest's own directory, which a script never gets to change (it would approve its own next version); remove the line"))
                    continue
                }
                firstByURL[parsed.pin.url] = parsed
                entries.append(parsed)
            }
        }
        return (entries, problems)
    }

    /// A manifest whose every pin is valid; otherwise `invalidManifest` with all problems.
    public static func load(_ location: ManifestLocation) throws(ScriptPinError) -> Manifest {
        let (entries, problems) = validate(location)
        guard problems.isEmpty else { throw .invalidManifest(problems) }
        return Manifest(location: location, entries: entries)
    }
}

/// Where a manifest is, and whether it was found by searching (and so must
/// pass the ownership checks) or named by the user.
public struct ManifestLocation: Sendable, Equatable {
    /// As messages show it: relative to the working directory when discovered from it.
    public let directory: String
    /// As the file system is asked for it: absolute when the directory was
    /// discovered or named relative to the working directory.
    public let path: String
    public let isDiscovered: Bool

    public init(directory: String, path: String, isDiscovered: Bool) {
        self.directory = directory
        self.path = path
        self.isDiscovered = isDiscovered
    }
}
