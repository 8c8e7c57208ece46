internal import Glibc

/// Every offset at which `byte` occurs, found by `memchr`, which skips the
/// bytes between with the machine's widest loads: lint maps every line of
/// every file it parses.
func offsets(of byte: UInt8, in bytes: [UInt8]) -> [Int] {
    var found: [Int] = []
    bytes.withUnsafeBytes { buffer in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count, let match = memchr(base + offset, Int32(byte), buffer.count - offset) {
            let position = base.distance(to: UnsafeRawPointer(match))
            found.append(position)
            offset = position + 1
        }
    }
    return found
}

/// Where `needle` first occurs in `haystack`: `memchr` finds each
/// candidate first byte and `memcmp` checks the rest.
func firstOffset(of needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
    needle.withUnsafeBytes { needle in
        guard let base = haystack.baseAddress, let pattern = needle.baseAddress, let first = needle.first else { return nil }
        var offset = 0
        while haystack.count - offset >= needle.count,
              let match = memchr(base + offset, Int32(first), haystack.count - offset - needle.count + 1) {
            let position = base.distance(to: UnsafeRawPointer(match))
            if memcmp(match, pattern, needle.count) == 0 { return position }
            offset = position + 1
        }
        return nil
    }
}

/// Whether the first `count` bytes hold a NUL, the mark of a binary file;
/// `memchr` scans them with the machine's widest loads.
func containsNUL(_ bytes: [UInt8], within count: Int) -> Bool {
    bytes.withUnsafeBufferPointer { containsNUL($0, within: count) }
}

func containsNUL(_ buffer: UnsafeBufferPointer<UInt8>, within count: Int) -> Bool {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return false }
    return memchr(base, 0, min(count, buffer.count)) != nil
}
