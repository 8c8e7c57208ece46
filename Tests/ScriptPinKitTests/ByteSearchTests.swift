import Testing
@testable import ScriptPinKit

/// The byte searches lint maps and filters files with (memchr-based and
/// plain), against the obvious definition on random texts.
@Suite("Byte searches agree with a plain search")
struct ByteSearchTests {
    @Test("Random texts over a small alphabet: every newline offset, and the first place of a needle in an array and a slice, with and without a start")
    func agreeWithPlainSearch() {
        var generator = SeededGenerator(seed: 5)
        let alphabet = Array("ab#\n".utf8)
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...80, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let needle = (0..<Int.random(in: 1...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            #expect(offsets(of: UInt8(ascii: "\n"), in: text) == text.indices.filter { text[$0] == UInt8(ascii: "\n") })
            let plain = text.count < needle.count ? nil : (0...(text.count - needle.count)).first { text[$0..<($0 + needle.count)].elementsEqual(needle) }
            #expect(text.firstOffset(of: needle) == plain, "\(text) \(needle)")
            #expect(text[...].firstOffset(of: needle) == plain)
            if text.count > 2 {
                // A slice keeps its parent's indices.
                let slice = text[2...]
                let inSlice = slice.count < needle.count ? nil
                    : (2...(text.count - needle.count)).first { text[$0..<($0 + needle.count)].elementsEqual(needle) }
                #expect(slice.firstOffset(of: needle) == inSlice)
            }
            let start = Int.random(in: 0...text.count, using: &generator)
            let fromStart = text.count < needle.count || start > text.count - needle.count
                ? nil : (start...(text.count - needle.count)).first { text[$0..<($0 + needle.count)].elementsEqual(needle) }
            #expect(text.firstOffset(of: needle, from: start) == fromStart)
        }
        #expect(SourceLines.starts(of: Array("a\nb\n".utf8)) == [0, 2, 4])
        #expect(SourceLines.starts(of: []) == [0])
    }
}
