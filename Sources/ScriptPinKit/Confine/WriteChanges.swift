internal import Glibc

/// One change a write-confined script made, read from a layer after it ended.
struct FileChange: Equatable {
    enum Kind: Equatable {
        case created
        case modified
        case deleted
        case renamed(from: String)
        /// Only the permission bits, or only the owner, changed.
        case metadata
    }

    let kind: Kind
    /// The host path changed (for a rename, where it went).
    let path: String
    let isDirectory: Bool
    /// The new entry in its layer; nil for a deletion.
    let layerPath: String?
    /// `mode 0644 -> 0755`, `owner 0:0 -> 1000:1000`, when those changed too.
    let metadata: [String]

    /// `created`, `modified`, `renamed from X`, with the metadata changes.
    func description(showing show: (String) -> String) -> String {
        let base = switch kind {
        case .created: isDirectory ? "created directory" : "created"
        case .modified: "modified"
        case .deleted: isDirectory ? "deleted directory" : "deleted"
        case .renamed(let from): "renamed from \(show(from))"
        case .metadata: ""
        }
        return ([base] + metadata).filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// The paths this change touches on the host.
    var touchedPaths: [String] {
        if case .renamed(let from) = kind { return [from, path] }
        return [path]
    }
}

/// What the script changed under each layer, compared with the host.
struct WriteChanges {
    private(set) var changes: [FileChange] = []

    /// Reads the layer of every layer step in `layers`; `refused` collects
    /// the directories that were read-only: those whose layer the kernel
    /// refused, and those above mounts that could not be built entry by entry.
    init(steps: [RootStep], layers: WriteLayerDirectory, refused: inout [String]) throws(Errno) {
        refused += steps.filter { $0.kind == .readOnlyTree }.map(\.path)
        for (step, root) in steps.enumerated() where root.kind == .layer {
            let host = root.path
            let upper = layers.upperPath(ofStep: step)
            guard try linkStatus(upper)?.kind == .directory else {
                refused.append(host)
                continue
            }
            try scan(upper: upper, host: host)
        }
        try scanSkeleton(steps: steps, layers: layers)
        try pairRenames()
        // In the order of their paths, whatever layer holds them (a directory before what is in it),
        // and stable: a deletion stays before the creation that replaced it.
        changes = changes.enumerated().sorted { first, second in
            first.element.path == second.element.path
                ? first.offset < second.offset : first.element.path.utf8.lexicographicallyPrecedes(second.element.path.utf8)
        }.map(\.element)
    }

    /// The skeleton directories: what the script made beside the entries
    /// it was given, and what it did to the copies, the links and the
    /// directories themselves. The other entries are mount points, read
    /// through their own layers (or not changeable at all).
    private mutating func scanSkeleton(steps: [RootStep], layers: WriteLayerDirectory) throws(Errno) {
        var planned: [String: [String: RootStep]] = [:]
        for step in steps where step.path != "/" {
            planned[parentDirectory(of: step.path), default: [:]][baseName(step.path)] = step
        }
        for directory in steps where directory.kind == .directory {
            let skeleton = layers.skeletonPath(of: directory.path)
            guard let current = try linkStatus(skeleton), let host = directory.status else { continue }
            // The owner is the host's only where the namespace maps it; elsewhere it was never set.
            let metadata = Self.metadataChanges(from: host, to: current, comparingOwner: RootLayout.mapsOwner(host.owner))
            if !metadata.isEmpty {
                changes.append(FileChange(kind: .metadata, path: directory.path, isDirectory: true, layerPath: skeleton, metadata: metadata))
            }
            let entries = try directoryListing(skeleton).map(\.name)
            let entriesGiven = planned[directory.path] ?? [:]
            for name in entries {
                let layerPath = joinPath(skeleton, name)
                let hostPath = joinPath(directory.path, name)
                guard let new = try linkStatus(layerPath) else { continue }
                guard let step = entriesGiven[name] else {
                    changes.append(FileChange(kind: .created, path: hostPath, isDirectory: new.kind == .directory, layerPath: layerPath, metadata: []))
                    continue
                }
                guard step.kind == .copiedFile || Self.isLink(step), let old = step.status else { continue }
                if old.kind != new.kind {
                    // As in a layer: a directory in a file's place is the file deleted and the directory created.
                    if new.kind == .directory { changes.append(FileChange(kind: .deleted, path: hostPath, isDirectory: false, layerPath: nil, metadata: [])) }
                    changes.append(FileChange(
                        kind: new.kind == .directory ? .created : .modified, path: hostPath, isDirectory: new.kind == .directory, layerPath: layerPath, metadata: []))
                } else if try !Self.sameContent(layerPath, hostPath, kind: new.kind, sizes: (new.size, old.size)) {
                    changes.append(FileChange(kind: .modified, path: hostPath, isDirectory: false, layerPath: layerPath, metadata: Self.metadataChanges(from: old, to: new)))
                } else if case let metadata = Self.metadataChanges(from: old, to: new), !metadata.isEmpty {
                    changes.append(FileChange(kind: .metadata, path: hostPath, isDirectory: false, layerPath: layerPath, metadata: metadata))
                }
            }
            let present = Set(entries)
            for (name, step) in entriesGiven where !present.contains(name) && (step.kind == .copiedFile || Self.isLink(step)) {
                changes.append(FileChange(kind: .deleted, path: joinPath(directory.path, name), isDirectory: false, layerPath: nil, metadata: []))
            }
        }
    }

    private static func isLink(_ step: RootStep) -> Bool {
        if case .symbolicLink = step.kind { return true }
        return false
    }

    /// overlayfs marks a directory that replaced a deleted one as opaque: nothing of the host's shows through it.
    static let opaqueAttribute = "user.overlay.opaque"

    private mutating func scan(upper: String, host: String) throws(Errno) {
        let opaque = hasExtendedAttribute(Self.opaqueAttribute, value: "y", at: upper)
        let entries = try directoryListing(upper).map(\.name)
        if opaque, try linkStatus(host)?.kind == .directory {
            let present = Set(entries)
            for name in try directoryListing(host).map(\.name) where !present.contains(name) {
                let path = joinPath(host, name)
                changes.append(FileChange(kind: .deleted, path: path, isDirectory: try linkStatus(path)?.kind == .directory, layerPath: nil, metadata: []))
            }
        }
        for name in entries {
            let layerPath = joinPath(upper, name)
            let hostPath = joinPath(host, name)
            guard let new = try linkStatus(layerPath) else { continue }
            let old = try linkStatus(hostPath)
            let metadata = old.map { Self.metadataChanges(from: $0, to: new) } ?? []
            switch new.kind {
            case .whiteout:
                if let old { changes.append(FileChange(kind: .deleted, path: hostPath, isDirectory: old.kind == .directory, layerPath: nil, metadata: [])) }
            case .directory:
                guard let old, old.kind == .directory else {
                    if let old { changes.append(FileChange(kind: .deleted, path: hostPath, isDirectory: old.kind == .directory, layerPath: nil, metadata: [])) }
                    changes.append(FileChange(kind: .created, path: hostPath, isDirectory: true, layerPath: layerPath, metadata: []))
                    continue
                }
                if !metadata.isEmpty { changes.append(FileChange(kind: .metadata, path: hostPath, isDirectory: true, layerPath: layerPath, metadata: metadata)) }
                try scan(upper: layerPath, host: hostPath)
            case .regular, .symbolicLink, .other:
                guard let old, old.kind == new.kind else {
                    if let old, old.kind == .directory {
                        changes.append(FileChange(kind: .deleted, path: hostPath, isDirectory: true, layerPath: nil, metadata: []))
                    }
                    changes.append(FileChange(kind: old == nil || old?.kind == .directory ? .created : .modified, path: hostPath, isDirectory: false, layerPath: layerPath, metadata: []))
                    continue
                }
                if try !Self.sameContent(layerPath, hostPath, kind: new.kind, sizes: (new.size, old.size)) {
                    changes.append(FileChange(kind: .modified, path: hostPath, isDirectory: false, layerPath: layerPath, metadata: metadata))
                } else if !metadata.isEmpty {
                    changes.append(FileChange(kind: .metadata, path: hostPath, isDirectory: false, layerPath: layerPath, metadata: metadata))
                }
            }
        }
    }

    private static func metadataChanges(from old: LinkStatus, to new: LinkStatus, comparingOwner: Bool = true) -> [String] {
        guard old.kind == new.kind, new.kind != .symbolicLink else { return [] }
        var changed: [String] = []
        if old.permissions != new.permissions { changed.append("mode \(permissionText(old.permissions)) -> \(permissionText(new.permissions))") }
        if comparingOwner && (old.owner != new.owner || old.group != new.group) {
            changed.append("owner \(old.owner):\(old.group) -> \(new.owner):\(new.group)")
        }
        return changed
    }

    /// Byte for byte (a link: its target); sizes first, then both read in one fixed-size buffer each.
    private static func sameContent(_ first: String, _ second: String, kind: LinkStatus.Kind, sizes: (Int64, Int64)) throws(Errno) -> Bool {
        switch kind {
        case .symbolicLink: return try readSymbolicLink(first) == readSymbolicLink(second)
        case .regular: return sizes.0 == sizes.1 ? try filesHaveSameBytes(first, second) : false
        default: return true
        }
    }

    /// overlayfs records a rename as the file under its new name and a
    /// deletion of the old one: a deleted file and a created one with the
    /// same bytes are one rename. Created files are grouped by size, so
    /// that a deletion compares bytes only with files of its own size.
    private mutating func pairRenames() throws(Errno) {
        var createdBySize: [Int64: [Int]] = [:]
        for (index, change) in changes.enumerated() where change.kind == .created && !change.isDirectory {
            guard let layerPath = change.layerPath, let status = try linkStatus(layerPath), status.kind == .regular else { continue }
            createdBySize[status.size, default: []].append(index)
        }
        var folded: Set<Int> = []
        for (index, deletion) in changes.enumerated() where deletion.kind == .deleted && !deletion.isDirectory {
            guard let old = try linkStatus(deletion.path), old.kind == .regular, let candidates = createdBySize[old.size] else { continue }
            for (position, created) in candidates.enumerated() {
                guard let layerPath = changes[created].layerPath, try filesHaveSameBytes(layerPath, deletion.path) else { continue }
                changes[created] = FileChange(
                    kind: .renamed(from: deletion.path), path: changes[created].path, isDirectory: false, layerPath: layerPath, metadata: [])
                createdBySize[old.size]?.remove(at: position)
                folded.insert(index)
                break
            }
        }
        changes = changes.enumerated().filter { !folded.contains($0.offset) }.map(\.element)
    }
}

/// Carries changes from a layer onto the host, as the script would have made them unconfined.
enum WriteApplication {
    /// Makes `change` on the host. Files are written beside their place and
    /// renamed over it, so that nothing is left half written.
    static func apply(_ change: FileChange, preservingOwner: Bool) throws(Errno) {
        switch change.kind {
        case .deleted:
            try removeTree(change.path)
        case .renamed(let from):
            guard let layerPath = change.layerPath else { return }
            do {
                try renameFile(from, to: change.path)
                if let status = try linkStatus(layerPath) { try setOwnerAndPermissions(change.path, as: status, preservingOwner: preservingOwner) }
            } catch {
                try place(layerPath, at: change.path, preservingOwner: preservingOwner)
                try removeTree(from)
            }
        case .created, .modified:
            guard let layerPath = change.layerPath else { return }
            try place(layerPath, at: change.path, preservingOwner: preservingOwner)
        case .metadata:
            guard let layerPath = change.layerPath, let status = try linkStatus(layerPath) else { return }
            try setOwnerAndPermissions(change.path, as: status, preservingOwner: preservingOwner)
        }
    }

    /// The owner first: `chown` clears the set-id bits, which the permissions then set again.
    private static func setOwnerAndPermissions(_ path: String, as status: LinkStatus, preservingOwner: Bool) throws(Errno) {
        if preservingOwner { try setOwner(path, owner: status.owner, group: status.group) }
        try setPermissions(path, status.permissions)
    }

    /// Copies the entry at `source` (a tree, a file or a link) to `destination`, replacing what is there.
    private static func place(_ source: String, at destination: String, preservingOwner: Bool) throws(Errno) {
        guard let status = try linkStatus(source) else { return }
        switch status.kind {
        case .directory:
            if try linkStatus(destination)?.kind != .directory {
                try removeTree(destination)
                try makeDirectory(destination, permissions: 0o700)
            }
            for entry in try directoryListing(source) {
                let child = joinPath(source, entry.name)
                if let kind = try linkStatus(child)?.kind, kind == .whiteout || kind == .other { continue }
                try place(child, at: joinPath(destination, entry.name), preservingOwner: preservingOwner)
            }
            try setOwnerAndPermissions(destination, as: status, preservingOwner: preservingOwner)
        case .regular, .symbolicLink:
            let staging = joinPath(parentDirectory(of: destination), ".\(baseName(destination)).scriptpin-\(getpid())")
            try removeTree(staging)
            do {
                if status.kind == .symbolicLink {
                    try makeSymbolicLink(staging, to: try readSymbolicLink(source))
                    if preservingOwner { try setOwner(staging, owner: status.owner, group: status.group) }
                } else {
                    try copyFileBytes(from: source, to: staging, permissions: status.permissions)
                    try setOwnerAndPermissions(staging, as: status, preservingOwner: preservingOwner)
                }
                if try linkStatus(destination)?.kind == .directory { try removeTree(destination) }
                try renameFile(staging, to: destination)
            } catch {
                try? removeEntry(staging)
                throw error
            }
        case .whiteout:
            return
        case .other:
            // A FIFO, socket or device node: nothing to copy. Inside a created directory it is left out with the directory's other contents made.
            throw Errno(EOPNOTSUPP)
        }
    }
}
