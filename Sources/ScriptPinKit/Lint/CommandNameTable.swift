/// Command names looked up by their bytes: lint asks about nearly every
/// command it reads, and this answers without building a `String` or
/// running the standard library's seeded hash. An open-addressing table
/// with FNV-1a hashing, built once from a fixed list of names.
struct CommandNameTable<Value>: @unchecked Sendable {
    private let names: [[UInt8]]
    private let values: [Value]
    /// Indexes into `names`, or -1 for an empty slot; a power of two in size, at most half full.
    private let slots: [Int]

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
    }

    func value<Name: Collection<UInt8>>(for name: Name) -> Value? {
        var slot = Self.hash(name) & (slots.count - 1)
        while true {
            let index = slots[slot]
            if index == -1 { return nil }
            if names[index].elementsEqual(name) { return values[index] }
            slot = (slot + 1) & (slots.count - 1)
        }
    }

    func value(for name: String) -> Value? {
        name.utf8.withContiguousStorageIfAvailable { value(for: $0) } ?? value(for: Array(name.utf8))
    }

    private static func hash<Name: Collection<UInt8>>(_ name: Name) -> Int {
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
