/// The directory of `.pin` files, `known-hashes/` by default.
public struct Manifest: Sendable {
    public static let defaultDirectoryName = "known-hashes"
    public static let environmentVariable = "SCRIPTPIN_MANIFEST"

    /// The directory as shown in messages: relative when it was found from the current directory.
    public let directory: String
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

    /// `--manifest DIR`, else `SCRIPTPIN_MANIFEST`, else the nearest
    /// `known-hashes/` in the current directory or one of its parents.
    public static func locate(explicit: String?, environment: [String: String]) throws(ScriptPinError) -> String {
        if let chosen = explicit ?? environment[environmentVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard fileKind(chosen) == .directory else {
                throw .usage("manifest directory \(chosen) does not exist; create it with `mkdir -p \(chosen)` or correct the path")
            }
            return chosen
        }
        let start = currentDirectory()
        var absolute = start
        var relative = ""
        while true {
            let candidate = joinPath(absolute, defaultDirectoryName)
            if fileKind(candidate) == .directory { return relative + defaultDirectoryName }
            let parent = parentDirectory(of: absolute)
            if parent == absolute { throw .manifestNotFound(searchedFrom: start) }
            absolute = parent
            relative += "../"
        }
    }

    /// The located manifest, loaded; every pin must be valid.
    public static func discover(explicit: String?, environment: [String: String]) throws(ScriptPinError) -> Manifest {
        try load(directory: locate(explicit: explicit, environment: environment))
    }

    /// Reads every pin file and reports every problem, not only the first.
    public static func validate(directory: String) -> (entries: [ParsedPin], problems: [PinProblem]) {
        let names: [String]
        do {
            names = try directoryEntries(directory)
        } catch {
            return ([], [PinProblem(path: directory, line: nil, message: "cannot list the manifest directory: \(error)")])
        }
        var entries: [ParsedPin] = []
        var problems: [PinProblem] = []
        var firstByURL: [String: ParsedPin] = [:]
        for fileName in names where !fileName.hasPrefix(".") {
            let path = joinPath(directory, fileName)
            guard fileName.hasSuffix(PinRules.fileExtension) else {
                problems.append(PinProblem(path: path, line: nil, message: "not a pin file; every file in the manifest is NAME.pin, so rename or move it"))
                continue
            }
            guard fileKind(path) == .regular else {
                problems.append(PinProblem(path: path, line: nil, message: "not a regular file; a pin is a text file"))
                continue
            }
            let name = String(fileName.dropLast(PinRules.fileExtension.count))
            let bytes: [UInt8]?
            do {
                bytes = try readFile(path, limit: PinRules.maximumFileSize)
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
                firstByURL[parsed.pin.url] = parsed
                entries.append(parsed)
            }
        }
        return (entries, problems)
    }

    /// A manifest whose every pin is valid; otherwise `invalidManifest` with all problems.
    public static func load(directory: String) throws(ScriptPinError) -> Manifest {
        let (entries, problems) = validate(directory: directory)
        guard problems.isEmpty else { throw .invalidManifest(problems) }
        return Manifest(directory: directory, entries: entries)
    }
}
