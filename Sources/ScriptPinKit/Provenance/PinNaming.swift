/// Names new pins: the catalogue's name for a known installer, else one made
/// from the URL's host and path. One naming serves a whole run, so each URL
/// keeps one name, no two URLs share one, and the names plain `lint`
/// suggests are the names `lint --fix` writes.
public struct PinNaming: Sendable {
    /// The name each URL has, in the manifest or from this run.
    private var names: [String: String] = [:]
    private var taken: Set<String> = []
    private var pinnedURLs: Set<String> = []

    /// `manifest` supplies the names already taken and the URLs already pinned.
    public init(manifest: Manifest?) {
        for entry in manifest?.entries ?? [] {
            taken.insert(entry.pin.name)
            pinnedURLs.insert(entry.pin.url)
            if names[entry.pin.url] == nil { names[entry.pin.url] = entry.pin.name }
        }
    }

    /// Whether the manifest pins `url` already.
    public func isPinned(_ url: String) -> Bool { pinnedURLs.contains(url) }

    /// The name a URL would get on its own, before names already taken are considered.
    public static func proposedName(forURL url: String) -> String {
        Catalogue.entry(for: url)?.entry.name ?? PinRules.suggestedName(forURL: url)
    }

    /// The URL's name: the one it already has, else its proposed name, numbered when another URL has that one.
    public mutating func name(for url: String) -> String {
        if let name = names[url] { return name }
        let name = unused(Self.proposedName(forURL: url))
        record(name, for: url)
        return name
    }

    /// Gives `url` the name the user chose; fails when another URL has it.
    public mutating func choose(_ name: String, for url: String) -> Bool {
        if names[url] == name { return true }
        guard !taken.contains(name) else { return false }
        record(name, for: url)
        return true
    }

    private mutating func record(_ name: String, for url: String) {
        names[url] = name
        taken.insert(name)
    }

    /// `base`, or `base-2`, `base-3`… when it is taken, shortened to keep within the name length.
    private func unused(_ base: String) -> String {
        guard taken.contains(base) else { return base }
        let stem = String(base.prefix(PinRules.maximumNameLength - 4))
        var number = 2
        while taken.contains("\(stem)-\(number)") { number += 1 }
        return "\(stem)-\(number)"
    }
}
