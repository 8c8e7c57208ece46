/// Command names looked up by their bytes: lint asks about nearly every
/// command it reads, and this answers without building a `String` or
/// running the standard library's seeded hash. An open-addressing table
/// with FNV-1a hashing, built once from a fixed list of names.
struct CommandNameTable<Value>: @unchecked Sendable {
    private let names: [[UInt8]]
    private let values: [Value]
    /// Indexes into `names`, or -1 for an empty slot; a power of two in size, at most half full.
    private let slots: [Int]
    /// The names' lengths (bit n for length n, the last bit for any longer)
    /// and first bytes: most words asked about are no name, and these tell
    /// so before any hashing.
    private let lengths: UInt64
    private let initials: ByteClass

    init(_ entries: [(String, Value)]) {
        names = entries.map { Array($0.0.utf8) }
        values = entries.map(\.1)
        var size = 16
        while size < entries.count * 2 { size *= 2 }
        var slots = [Int](repeating: -1, count: size)
        for (index, name) in names.enumerated() {
            var slot = Self.hash(name) & (size - 1)
            while slots[slot] != -1 {
                precondition(names[slots[slot]] != name, "a command name is listed twice")
                slot = (slot + 1) & (size - 1)
            }
            slots[slot] = index
        }
        self.slots = slots
        lengths = names.reduce(0) { $0 | Self.lengthBit($1.count) }
        initials = ByteClass(bytes: names.compactMap(\.first))
    }

    private static func lengthBit(_ length: Int) -> UInt64 {
        1 << UInt64(min(length, 63))
    }

    func value<Name: Collection<UInt8>>(for name: Name) -> Value? {
        // Names come as slices of a file or a string's bytes: read in place, with one copy for any other collection.
        if let found = name.withContiguousStorageIfAvailable({ lookUp($0) }) { return found }
        return Array(name).withUnsafeBufferPointer { lookUp($0) }
    }

    func value(for name: String) -> Value? {
        var name = name
        return name.withUTF8 { lookUp($0) }
    }

    private func lookUp(_ name: UnsafeBufferPointer<UInt8>) -> Value? {
        guard lengths & Self.lengthBit(name.count) != 0, name.first.map(initials.contains) ?? true else { return nil }
        var slot = Self.hash(name) & (slots.count - 1)
        while true {
            let index = slots[slot]
            if index == -1 { return nil }
            if Self.equal(names[index], name) { return values[index] }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    private static func equal(_ stored: [UInt8], _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard stored.count == name.count else { return false }
        for offset in 0..<name.count where stored[offset] != name[offset] { return false }
        return true
    }

    private static func hash(_ name: some Sequence<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(truncatingIfNeeded: hash)
    }
}

extension CommandNameTable where Value == Void {
    init(_ names: some Sequence<String>) {
        self.init(names.map { ($0, ()) })
    }

    func contains<Name: Collection<UInt8>>(_ name: Name) -> Bool { value(for: name) != nil }

    func contains(_ name: String) -> Bool { value(for: name) != nil }
}
