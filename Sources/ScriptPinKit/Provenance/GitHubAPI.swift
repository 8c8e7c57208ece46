#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The few GitHub REST endpoints that tie a file to a ref: refs, tag
/// objects, commits, trees and blobs (the git database API, whose answers
/// name objects by their git ids). GitHub is the second channel: whoever
/// controls a vendor's download host does not control its repository.
struct GitHubAPI: Sendable {
    /// Where the API is; `SCRIPTPIN_GITHUB_API_URL` points elsewhere (GitHub
    /// Enterprise, or a test's stand-in on loopback).
    static let defaultBase = "https://api.github.com"
    static let baseVariable = "SCRIPTPIN_GITHUB_API_URL"
    /// A ref, tag or commit answer is under a kilobyte; a tree lists one
    /// directory, which in the largest repositories runs to a few megabytes.
    static let maximumAnswerSize: Int64 = 8 * 1024 * 1024
    /// Annotated tags may point at tags; real ones nest once, if at all.
    static let maximumTagChain = 4
    static let jsonHeaders = ["Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28"]

    /// A token raises GitHub's limit from 60 requests an hour to 5,000
    /// (a check of a few dozen pins with source lines needs more than 60);
    /// read from the first of these that is set, and sent to the API only.
    static let tokenVariables = ["SCRIPTPIN_GITHUB_TOKEN", "GITHUB_TOKEN"]

    let base: String
    let fetcher: Fetcher
    /// Sent as `Authorization: Bearer`; libcurl drops it on a redirect to another host.
    var token: String?
    /// The connection a series of requests shares; nil makes one per request.
    var session: FetchSession?

    /// The same API over one connection kept for a series of requests made
    /// one after another: this one's session, else a new one.
    func inSession() -> GitHubAPI {
        guard session == nil else { return self }
        var api = self
        api.session = FetchSession()
        return api
    }

    /// What a ref named, resolved to the commit it stands for now.
    struct ResolvedRef: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            case tag
            case branch
            /// The ref was a commit id already.
            case commit
        }

        let kind: Kind
        let commit: String
    }

    /// Why an answer could not be had: the thing asked for does not exist
    /// (an answer, which contradicts evidence), or GitHub could not be asked.
    enum Failure: Error, Sendable {
        case notFound
        case unreachable(FetchError)
        case malformed(url: String)
    }

    /// The commit `ref` names in the repository: a tag (annotated ones
    /// followed to their commit), else a branch, else a commit id as given.
    func resolve(_ ref: String, in file: GitHubFile) throws(Failure) -> ResolvedRef {
        if SourceEvidence.isCommitID(ref) { return ResolvedRef(kind: .commit, commit: ref.lowercased()) }
        do throws(Failure) {
            var object = try get(GitReference.self, repositoryPath(file, "git/ref/tags/" + escaped(ref))).object
            for _ in 0..<Self.maximumTagChain where object.type == "tag" {
                object = try get(GitTag.self, repositoryPath(file, "git/tags/" + (try id(object.sha)))).object
            }
            guard object.type == "commit" else { throw Failure.malformed(url: base + repositoryPath(file, "git/ref/tags/" + escaped(ref))) }
            return ResolvedRef(kind: .tag, commit: try id(object.sha))
        } catch .notFound {
            let branch = try get(GitReference.self, repositoryPath(file, "git/ref/heads/" + escaped(ref))).object
            guard branch.type == "commit" else { throw .notFound }
            return ResolvedRef(kind: .branch, commit: try id(branch.sha))
        }
    }

    /// The git id of the blob at the file's path in `commit`'s tree, walking
    /// one tree per directory; `notFound` when a segment is missing or not a blob.
    func blobID(of file: GitHubFile, at commit: String) throws(Failure) -> String {
        var object = try id(try get(GitCommit.self, repositoryPath(file, "git/commits/" + (try id(commit)))).tree.sha)
        let segments = file.path.split(separator: "/").map(String.init)
        for (index, segment) in segments.enumerated() {
            let listing = try get(GitTree.self, repositoryPath(file, "git/trees/" + object))
            let wanted = index == segments.count - 1 ? "blob" : "tree"
            guard let entry = listing.tree.first(where: { $0.path == segment }), entry.type == wanted else { throw .notFound }
            object = try id(entry.sha)
        }
        return object
    }

    /// A blob's bytes, at most `limit` of them.
    func blob(_ id: String, of file: GitHubFile, limit: Int64) throws(Failure) -> [UInt8] {
        let url = base + repositoryPath(file, "git/blobs/" + id)
        let collector = ByteCollector(limit: Int(limit), source: url)
        try fetch(url, limit: limit, into: collector, headers: ["Accept: application/vnd.github.raw+json", Self.jsonHeaders[1]])
        return collector.bytes
    }

    /// Most tags fetched when looking for the release that holds a file:
    /// the refs come a hundred to a page, alphabetically, so ten pages cover
    /// the largest real projects.
    static let maximumTagPages = 10
    static let tagsPerPage = 100

    /// The names of the repository's tags that start with `prefix`.
    func tagNames(startingWith prefix: String, in file: GitHubFile) throws(Failure) -> [String] {
        var names: [String] = []
        for page in 1...Self.maximumTagPages {
            // `tags` alone matches every tag; `tags/v` those whose names start with v.
            let refs = try get([GitReference].self, repositoryPath(
                file, "git/matching-refs/tags\(prefix.isEmpty ? "" : "/" + escaped(prefix))?per_page=\(Self.tagsPerPage)&page=\(page)"))
            names += refs.compactMap { $0.ref?.hasPrefix("refs/tags/") == true ? String($0.ref!.dropFirst("refs/tags/".count)) : nil }
            if refs.count < Self.tagsPerPage { break }
        }
        return names
    }

    /// The branch the repository's `HEAD` names.
    func defaultBranch(of file: GitHubFile) throws(Failure) -> String {
        let branch = try get(Repository.self, "/repos/\(escaped(file.owner))/\(escaped(file.repository))").defaultBranch
        guard GitHubFile(owner: file.owner, repository: file.repository, ref: branch, path: file.path) != nil else {
            throw .malformed(url: base + "/repos/\(file.owner)/\(file.repository)")
        }
        return branch
    }

    /// A tag object as git stores it, split where its signature begins, and the commit it tags.
    struct SignedTag: Sendable {
        /// The bytes the tagger signed: the tag object up to its signature.
        let payload: [UInt8]
        /// The armored signature git appended; nil for a tag without one.
        let signature: [UInt8]?
        let commit: String
    }

    /// The tag object `tag` names, checked against its git id (so GitHub's
    /// answer cannot stand in for another object) and against its own name
    /// (so a ref cannot point at another release's signed tag); `notFound`
    /// for no such tag, `nil` for a lightweight tag, which has no object to sign.
    func signedTag(_ tag: GitHubTag) throws(Failure) -> SignedTag? {
        let file = tag.anyFile
        let reference = try get(GitReference.self, repositoryPath(file, "git/ref/tags/" + escaped(tag.tag))).object
        guard reference.type == "tag" else { return nil }
        let objectID = try id(reference.sha)
        let url = base + repositoryPath(file, "git/tags/" + objectID)
        let answer = try get(GitTag.self, repositoryPath(file, "git/tags/" + objectID))
        let payload = Array((answer.verification?.payload ?? "").utf8)
        guard let signature = answer.verification?.signature.map({ Array($0.utf8) }) else {
            return SignedTag(payload: payload, signature: nil, commit: try id(answer.object.sha))
        }
        guard let computed = try? gitObjectID(type: "tag", of: payload + signature), computed == objectID else {
            throw .malformed(url: url)
        }
        var fields: [Substring: Substring] = [:]
        for line in String(decoding: payload, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[line[..<space]] = fields[line[..<space]] ?? line[line.index(after: space)...]
        }
        guard fields["type"] == "commit", fields["tag"].map(String.init) == tag.tag, let commit = fields["object"] else {
            throw .malformed(url: url)
        }
        return SignedTag(payload: payload, signature: signature, commit: try id(String(commit)))
    }

    /// An object id from an answer, checked before it goes into the next URL.
    private func id(_ text: String) throws(Failure) -> String {
        guard SourceEvidence.isCommitID(text) else { throw .malformed(url: base) }
        return text.lowercased()
    }

    private func get<Answer: Decodable>(_ type: Answer.Type, _ path: String) throws(Failure) -> Answer {
        let url = base + path
        let collector = ByteCollector(limit: Int(Self.maximumAnswerSize), source: url)
        try fetch(url, limit: Self.maximumAnswerSize, into: collector, headers: Self.jsonHeaders)
        do { return try JSONDecoder().decode(Answer.self, from: Data(collector.bytes)) } catch { throw .malformed(url: url) }
    }

    private func fetch(_ url: String, limit: Int64, into collector: ByteCollector, headers: [String]) throws(Failure) {
        // A token with a line break would add a header of its own.
        let authorization = token.flatMap { $0.contains(where: \.isNewline) ? nil : "Authorization: Bearer \($0)" }
        do {
            _ = try fetcher.fetch(url, sizeLimit: limit, into: collector, headers: headers + (authorization.map { [$0] } ?? []), session: session)
        } catch .fetch(let failure) {
            if case .httpStatus(404) = failure.reason { throw .notFound }
            throw .unreachable(failure)
        } catch {
            throw .unreachable(FetchError(url: url, reason: .other(error.description)))
        }
    }

    private func repositoryPath(_ file: GitHubFile, _ rest: String) -> String {
        "/repos/\(escaped(file.owner))/\(escaped(file.repository))/\(rest)"
    }

    /// A path segment or ref as a URL path holds it: unreserved bytes and `/` as they are, the rest percent-encoded.
    private func escaped(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte < 128, Character(Unicode.Scalar(byte)).isLetter || Character(Unicode.Scalar(byte)).isNumber || "-._~/".utf8.contains(byte) {
                result.append(Character(Unicode.Scalar(byte)))
            } else {
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0x0f, radix: 16, uppercase: true)
            }
        }
        return result
    }

    private struct GitObject: Decodable {
        let type: String
        let sha: String
    }

    private struct GitReference: Decodable {
        let ref: String?
        let object: GitObject
    }

    private struct Repository: Decodable {
        let defaultBranch: String

        enum CodingKeys: String, CodingKey {
            case defaultBranch = "default_branch"
        }
    }

    private struct GitTag: Decodable {
        /// GitHub's record of the tag object's signature: the signed text and the signature, as git stored them.
        struct Verification: Decodable {
            let payload: String?
            let signature: String?
        }

        let object: GitObject
        let verification: Verification?
    }

    private struct GitCommit: Decodable {
        struct Tree: Decodable {
            let sha: String
        }

        let tree: Tree
    }

    private struct GitTree: Decodable {
        struct Entry: Decodable {
            let path: String
            let type: String
            let sha: String
        }

        let tree: [Entry]
    }
}
