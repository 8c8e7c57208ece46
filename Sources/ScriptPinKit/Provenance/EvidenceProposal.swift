/// Evidence scriptpin proposes for a URL nobody gave evidence for: from the
/// catalogue when the URL is a known installer's, or from the URL itself when
/// it is a file on raw.githubusercontent.com. Proposed lines are checked
/// like given ones before anything is written.
public struct EvidenceProposal: Sendable {
    /// The catalogue's name for the pin.
    public var name: String?
    public var lines: [Evidence] = []
    /// What the reviewer is told: where the lines come from, what could not be found, keys to commit.
    public var notes: [String] = []
    /// A URL that does not move and should serve the same bytes, when the given one moves, and why the given one moves.
    public var versionedURL: (url: String, moves: String)?
    /// What the catalogue's channel said against the body: a release
    /// installer none of whose recent releases holds these bytes.
    public var contradiction: String?
}

extension EvidenceChecker {
    /// The newest release tags whose file is compared with the body: the
    /// served script is nearly always the latest release's, and each tag
    /// costs three or four requests of GitHub's hourly allowance.
    static let maximumTagsSearched = 10
    static let rawGitHubHost = "raw.githubusercontent.com"

    /// What the catalogue or the URL proposes for `url`, whose body is `body`; nil when neither knows it.
    func propose(for url: String, body: BodyFacts) -> EvidenceProposal? {
        // The proposal's requests follow one another: one connection serves them all.
        var checker = self
        checker.github = github.inSession()
        return checker.proposal(for: url, body: body)
    }

    private func proposal(for url: String, body: BodyFacts) -> EvidenceProposal? {
        let known = Catalogue.entry(for: url)
        var proposal = EvidenceProposal(name: known?.entry.name)
        if let raw = Self.rawGitHubFile(url) {
            proposeRaw(raw, url: url, tags: known?.entry.refs, body: body, into: &proposal)
        } else if let (entry, values) = known {
            proposeCatalogued(entry, values: values, url: url, body: body, into: &proposal)
        } else {
            return nil
        }
        if let entry = known?.entry {
            if let signer = entry.signer {
                proposal.notes.append(
                    "\(entry.name) signs \(signer.covers) with \(signer.kind.rawValue) key \(signer.key); to check that too, commit the key to known-hashes/keys/ and add --signature \(signer.kind.rawValue) URL \(signer.key)")
            }
            if let note = entry.note { proposal.notes.append("\(entry.name): \(note)") }
        }
        return proposal
    }

    static func rawURL(of file: GitHubFile) -> String {
        "https://\(rawGitHubHost)/\(file.owner)/\(file.repository)/\(file.ref)/\(file.path)"
    }

    /// `https://raw.githubusercontent.com/OWNER/REPO/REF/PATH` as a GitHub file.
    static func rawGitHubFile(_ url: String) -> GitHubFile? {
        let prefix = "https://\(rawGitHubHost)/"
        guard url.hasPrefix(prefix) else { return nil }
        let parts = url.dropFirst(prefix.count).split(separator: "/", maxSplits: 3).map(String.init)
        guard parts.count == 4 else { return nil }
        return GitHubFile(owner: parts[0], repository: parts[1], ref: parts[2], path: parts[3])
    }

    private func proposeRaw(_ raw: GitHubFile, url: String, tags refs: CatalogueEntry.Refs?, body: BodyFacts, into proposal: inout EvidenceProposal) {
        var file = raw
        do throws(GitHubAPI.Failure) {
            if file.ref == "HEAD" { file = file.at(try github.defaultBranch(of: file)) }
            let resolved = try github.resolve(file.ref, in: file)
            proposal.notes.append("proposed: the URL is \(file.owner)/\(file.repository)'s \(file.path) at \(file.ref), so the pin records its commit")
            if resolved.kind == .branch {
                let moves = "it follows the branch \(file.ref)"
                if case .tags(let prefix) = refs, let (tag, _) = newestTag(holding: body, prefix: prefix, file: file, proposal: &proposal) {
                    file = file.at(tag)
                    proposal.versionedURL = (Self.rawURL(of: file.at(tag)), moves)
                } else {
                    proposal.versionedURL = (Self.rawURL(of: file.at(resolved.commit)), moves)
                }
            }
        } catch {
            proposal.notes.append("\(file.owner)/\(file.repository) could not be asked which commit \(file.ref) is (\(Self.describe(error))); proposing the source line as it stands")
        }
        proposal.lines.append(.source(SourceEvidence(location: .github(file))))
    }

    private func proposeCatalogued(
        _ entry: CatalogueEntry, values: [String: String], url: String, body: BodyFacts, into proposal: inout EvidenceProposal
    ) {
        var commit: String?
        if let owner = entry.owner, let repository = entry.repository, let path = entry.path.map({ Catalogue.fill($0, values) }), let refs = entry.refs,
           var file = GitHubFile(owner: owner, repository: repository, ref: "HEAD", path: path) {
            let location = "\(owner)/\(repository)'s \(path)"
            do throws(GitHubAPI.Failure) {
                switch refs {
                case .tags(let prefix):
                    guard let (tag, tagged) = newestTag(holding: body, prefix: prefix, file: file, proposal: &proposal) else { break }
                    file = file.at(tag)
                    proposal.lines.append(.source(SourceEvidence(location: .github(file))))
                    commit = tagged
                    proposal.notes.append("proposed from the catalogue: \(location) at tag \(tag) holds these bytes")
                    proposal.versionedURL = (Self.rawURL(of: file), "it serves whatever \(entry.name)'s latest release is")
                case .branch(let branch):
                    file = file.at(branch == "HEAD" ? try github.defaultBranch(of: file) : branch)
                    proposal.lines.append(.source(SourceEvidence(location: .github(file))))
                    let resolved = try github.resolve(file.ref, in: file).commit
                    commit = resolved
                    proposal.notes.append("proposed from the catalogue: \(location) on \(file.ref), where the vendor deploys from")
                    proposal.versionedURL = (Self.rawURL(of: file.at(resolved)), "it serves whatever the branch \(file.ref) holds")
                case .commitInBody(let assignment, let placeholder):
                    guard let named = Self.commitNamed(by: assignment, in: body.bytes) else {
                        proposal.notes.append("the served script names no commit after \(assignment), which \(entry.name)'s does; no source line is proposed")
                        break
                    }
                    commit = named
                    file = file.at(named)
                    proposal.lines.append(.source(SourceEvidence(location: .github(file), commitPlaceholder: placeholder)))
                    proposal.notes.append("proposed from the catalogue: \(location) at the commit the script names, \(named), with it in place of \(placeholder)")
                }
            } catch {
                proposal.notes.append("\(owner)/\(repository) could not be asked for \(path) (\(Self.describe(error))); no source line is proposed")
            }
        }
        switch entry.sums {
        case .inRepository(let path, let name)?:
            if let commit, let owner = entry.owner, let repository = entry.repository {
                proposal.lines.append(.sums(SumsEvidence(url: "https://\(Self.rawGitHubHost)/\(owner)/\(repository)/\(commit)/\(path)", fileName: name)))
            }
        case .besideURL(let suffix)?:
            proposal.lines.append(.sums(SumsEvidence(url: url + suffix, fileName: nil)))
        case nil:
            break
        }
    }

    /// The newest of the tags starting with `prefix` (by their version
    /// numbers) whose file is the body, among the newest few, and its
    /// commit; nil, with the contradiction said, when none is.
    private func newestTag(holding body: BodyFacts, prefix: String, file: GitHubFile, proposal: inout EvidenceProposal) -> (tag: String, commit: String)? {
        let names: [String]
        do throws(GitHubAPI.Failure) { names = try github.tagNames(startingWith: prefix, in: file) } catch {
            proposal.notes.append("the tags of \(file.owner)/\(file.repository) could not be listed (\(Self.describe(error)))")
            return nil
        }
        let newest = names.sorted { Self.versionOrder($0.dropFirst(prefix.count), $1.dropFirst(prefix.count)) }.prefix(Self.maximumTagsSearched)
        for tag in newest {
            guard let commit = try? github.resolve(tag, in: file).commit, let blob = try? github.blobID(of: file.at(tag), at: commit) else { continue }
            if blob == body.gitBlobID { return (tag, commit) }
        }
        proposal.contradiction = "none of the \(newest.count) newest tags of \(file.owner)/\(file.repository) holds these bytes at \(file.path): the served script is no release's file. Find out why before you pin it; to pin it on other evidence, give that with --source or --sums"
        return nil
    }

    /// Whether version `a` is newer than `b`, comparing their numbers one by one (`1.10.0` after `1.9.2`).
    static func versionOrder(_ a: Substring, _ b: Substring) -> Bool {
        func numbers(_ text: Substring) -> [Int] {
            text.split(whereSeparator: { !$0.isNumber }).map { Int($0) ?? 0 }
        }
        let (left, right) = (numbers(a), numbers(b))
        for (x, y) in zip(left, right) where x != y { return x > y }
        return left.count != right.count ? left.count > right.count : a > b
    }

    /// The 40-hex-digit commit id after `assignment` (quoted or not) in the body.
    static func commitNamed(by assignment: String, in bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            guard trimmed.hasPrefix(assignment) else { continue }
            let value = trimmed.dropFirst(assignment.count).filter { $0 != "\"" && $0 != "'" }
            if SourceEvidence.isCommitID(String(value)) { return String(value).lowercased() }
        }
        return nil
    }

    private static func describe(_ failure: GitHubAPI.Failure) -> String {
        switch failure {
        case .notFound: "it answers that the repository, ref or path does not exist"
        case .unreachable(let fetch): fetch.description
        case .malformed(let url): "\(url) did not answer as GitHub's API does"
        }
    }
}

extension GitHubFile {
    /// The same file at another ref.
    func at(_ ref: String) -> GitHubFile {
        GitHubFile(owner: owner, repository: repository, ref: ref, path: path) ?? self
    }
}
