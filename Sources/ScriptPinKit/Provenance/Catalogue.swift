/// What scriptpin knows of popular installers: where the vendor serves each
/// script and where its second channel is (the repository file, the refs
/// that publish it, checksum files, signing keys). Written from the
/// vendors' published facts (checked 2026-12-02), one value per installer;
/// `add URL` and `lint --fix` read it to propose a name and evidence lines,
/// which are then checked like any other.
struct CatalogueEntry: Sendable {
    /// Which refs of the repository publish the script.
    enum Refs: Sendable {
        /// Release tags that start with `prefix`; the newest that holds the served bytes is proposed.
        case tags(prefix: String)
        /// A branch the vendor deploys from.
        case branch(String)
        /// The served file names its commit in an assignment (`SCRIPT_COMMIT_SHA="…"`), and holds it
        /// in place of `placeholder`, which the repository's file has there.
        case commitInBody(assignment: String, placeholder: String)
    }

    /// A checksum file of the vendor's.
    enum Sums: Sendable {
        /// A file in the repository at the same commit, listing the script under `name`.
        case inRepository(path: String, name: String)
        /// A file beside the script's URL: the URL followed by `suffix`.
        case besideURL(suffix: String)
    }

    /// The pin name proposed for it.
    let name: String
    /// The URLs it is served at; `{version}` and `{major}` stand for a release's number.
    let urls: [String]
    let owner: String?
    let repository: String?
    /// The script's path in the repository.
    let path: String?
    let refs: Refs?
    let sums: Sums?
    /// The key the vendor signs with, for a hint: scriptpin trusts only keys the team commits.
    let signer: (kind: SignatureEvidence.Kind, key: String, covers: String)?
    /// What a reviewer should know that the lines cannot say.
    let note: String?

    init(
        _ name: String, urls: [String], github: String? = nil, path: String? = nil, refs: Refs? = nil, sums: Sums? = nil,
        signer: (kind: SignatureEvidence.Kind, key: String, covers: String)? = nil, note: String? = nil
    ) {
        self.name = name
        self.urls = urls
        let parts = github?.split(separator: "/").map(String.init)
        owner = parts?.first
        repository = parts?.last
        self.path = path
        self.refs = refs
        self.sums = sums
        self.signer = signer
        self.note = note
    }
}

enum Catalogue {
    static let entries: [CatalogueEntry] = [
        CatalogueEntry(
            "codecov-bash", urls: ["https://codecov.io/bash"], github: "codecov/codecov-bash", path: "codecov", refs: .tags(prefix: ""),
            sums: .inRepository(path: "SHA256SUM", name: "codecov"),
            note: "sunset on 2022-02-01; in 2021 its download host served a backdoor while the repository stayed clean"),
        CatalogueEntry(
            "codecov-cli", urls: ["https://cli.codecov.io/latest/linux/codecov", "https://cli.codecov.io/v{version}/linux/codecov"],
            sums: .besideURL(suffix: ".SHA256SUM"),
            signer: (.pgp, "27034E7FDB850E0BBC2C62FF806BB28AED779869", "the checksum file, at the URL followed by .SHA256SUM.sig"),
            note: "a binary, for `scriptpin fetch`"),
        CatalogueEntry(
            "rustup-init", urls: ["https://sh.rustup.rs", "https://static.rust-lang.org/rustup/rustup-init.sh"],
            github: "rust-lang/rustup", path: "rustup-init.sh", refs: .tags(prefix: ""),
            signer: (.pgp, "EE01A8F982233C162F573E6B39A0730456190C3A", "release tags from 1.29.0"),
            note: "sh.rustup.rs changes only at a release, so the branch differs from it"),
        CatalogueEntry(
            "nvm-install", urls: ["https://raw.githubusercontent.com/nvm-sh/nvm/v{version}/install.sh"],
            github: "nvm-sh/nvm", path: "install.sh", refs: .tags(prefix: "v"),
            signer: (.pgp, "951E2402099DDEBA3E0227AF9F6A681E35EF8B56", "tags v0.39.7 and v0.40.x")),
        CatalogueEntry(
            "homebrew-install", urls: ["https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh"],
            github: "Homebrew/install", path: "install.sh", refs: .branch("HEAD"), note: "no tags: the pin records the commit"),
        CatalogueEntry(
            "get-docker", urls: ["https://get.docker.com", "https://get.docker.com/"], github: "docker/docker-install", path: "install.sh",
            refs: .commitInBody(assignment: "SCRIPT_COMMIT_SHA=", placeholder: "${LOAD_SCRIPT_COMMIT_SHA}")),
        CatalogueEntry(
            "ohmyzsh-install", urls: ["https://install.ohmyz.sh", "https://raw.githubusercontent.com/ohmyzsh/ohmyzsh/master/tools/install.sh"],
            github: "ohmyzsh/ohmyzsh", path: "tools/install.sh", refs: .branch("master"), note: "deployed on each push to master"),
        CatalogueEntry(
            "k3s-install", urls: ["https://get.k3s.io"], github: "k3s-io/k3s", path: "install.sh", refs: .branch("master"),
            sums: .inRepository(path: "install.sh.sha256sum", name: "install.sh"),
            note: "get.k3s.io/sha256 is served by the script's own host, so it is no second channel"),
        CatalogueEntry(
            "deno-install", urls: ["https://deno.land/install.sh"], github: "denoland/deno_install", path: "install.sh", refs: .tags(prefix: ""),
            sums: .inRepository(path: "SHA256SUM", name: "install.sh")),
        CatalogueEntry(
            "bun-install", urls: ["https://bun.sh/install"], github: "oven-sh/bun", path: "src/cli/install.sh", refs: .tags(prefix: "bun-v"),
            signer: (.pgp, "F3DCC08A8572C0749B3E18888EAB4D40A7B22B59", "the release's SHASUMS256.txt.asc (clearsigned), not the script"),
            note: "that bun.sh/install is byte for byte the repository's file is not confirmed"),
        CatalogueEntry(
            "uv-install", urls: ["https://astral.sh/uv/install.sh", "https://astral.sh/uv/{version}/install.sh"],
            note: "generated at release (the uv-installer.sh asset), so no repository file holds it"),
        CatalogueEntry(
            "starship-install", urls: ["https://starship.rs/install.sh"], github: "starship/starship", path: "install/install.sh", refs: .tags(prefix: "v")),
        CatalogueEntry("pyenv-installer", urls: ["https://pyenv.run"], github: "pyenv/pyenv-installer", path: "bin/pyenv-installer", refs: .branch("master")),
        CatalogueEntry(
            "poetry-install", urls: ["https://install.python-poetry.org", "https://install.python-poetry.org/"],
            github: "python-poetry/install.python-poetry.org", path: "install-poetry.py", refs: .branch("main")),
        CatalogueEntry(
            "nodesource-setup", urls: ["https://deb.nodesource.com/setup_{major}.x"], github: "nodesource/distributions",
            path: "scripts/deb/setup_{major}.x", refs: .branch("master")),
        CatalogueEntry(
            "tailscale-install", urls: ["https://tailscale.com/install.sh"], github: "tailscale/tailscale", path: "scripts/installer.sh",
            refs: .tags(prefix: "v")),
        CatalogueEntry(
            "helm-get", urls: ["https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3"], github: "helm/helm",
            path: "scripts/get-helm-3", refs: .tags(prefix: "v")),
    ]

    /// The entry serving `url`, with the values its placeholders took (`major` → `20`).
    static func entry(for url: String) -> (entry: CatalogueEntry, values: [String: String])? {
        // lint asks for every finding's URL; nearly all match no pattern's literal start, which is compared as bytes first.
        for (prefix, pattern, entry) in patterns where url.utf8.starts(with: prefix) {
            if let values = match(pattern, url) { return (entry, values) }
        }
        return nil
    }

    /// Every URL pattern, in the entries' order, with the literal bytes it starts with (up to its first placeholder).
    private static let patterns: [(prefix: [UInt8], pattern: String, entry: CatalogueEntry)] = entries.flatMap { entry in
        entry.urls.map { pattern in (Array(pattern.prefix { $0 != "{" }.utf8), pattern, entry) }
    }

    /// The placeholders' values when `url` is `pattern` with each `{name}`
    /// standing for letters, digits, `.`, `_` or `-` up to the pattern's next
    /// character; nil when it is not.
    static func match(_ pattern: String, _ url: String) -> [String: String]? {
        var values: [String: String] = [:]
        var pattern = Substring(pattern)
        var rest = Substring(url)
        while let next = pattern.first {
            guard next == "{", let close = pattern.firstIndex(of: "}") else {
                guard rest.first == next else { return nil }
                pattern = pattern.dropFirst()
                rest = rest.dropFirst()
                continue
            }
            let name = String(pattern[pattern.index(after: pattern.startIndex)..<close])
            pattern = pattern[pattern.index(after: close)...]
            let value = rest.prefix { $0 != pattern.first && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
            guard !value.isEmpty else { return nil }
            values[name] = String(value)
            rest = rest.dropFirst(value.count)
        }
        return rest.isEmpty ? values : nil
    }

    /// `text` with each `{name}` replaced by its value.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        values.reduce(text) { $0.replacingAll("{\($1.key)}", $1.value) }
    }
}
