import Testing
@testable import ScriptPinKit

/// The scan that lets lint skip files naming no downloader: a word it
/// misses is a file lint never parses, so it is checked against a plain
/// search at every position and length.
@Suite("lint: the downloader-name scan")
struct DownloadWordScanTests {
    private static func naive(_ bytes: [UInt8]) -> Bool {
        DownloadWordScan.words.contains { word in
            bytes.count >= word.bytes.count
                && (0...(bytes.count - word.bytes.count)).contains { bytes[$0..<($0 + word.bytes.count)].elementsEqual(word.bytes) }
        }
    }

    @Test("Every anchor pair belongs to one word, and lies inside it")
    func anchorsAreDistinct() {
        let words = DownloadWordScan.words
        #expect(Set(words.map(\.anchorValue)).count == words.count)
        #expect(words.allSatisfy { $0.anchor >= 0 && $0.anchor + 1 < $0.bytes.count })
    }

    @Test("Each word is found at every position of texts of every length around the four-byte rounds, and a cut word is not")
    func everyPosition() {
        for word in DownloadWordScan.words {
            for length in word.bytes.count...(word.bytes.count + 9) {
                for start in 0...(length - word.bytes.count) {
                    var text = [UInt8](repeating: UInt8(ascii: "x"), count: length)
                    text.replaceSubrange(start..<(start + word.bytes.count), with: word.bytes)
                    #expect(DownloadWordScan.mentionsDownload(text), "\(String(decoding: word.bytes, as: UTF8.self)) at \(start) of \(length)")
                }
            }
            #expect(!DownloadWordScan.mentionsDownload(Array(word.bytes.dropLast())))
            #expect(!DownloadWordScan.mentionsDownload(Array(word.bytes.dropFirst())))
        }
        #expect(!DownloadWordScan.mentionsDownload([]))
        #expect(!DownloadWordScan.mentionsDownload([UInt8(ascii: "r")]))
    }

    @Test("Random texts built from the words' own bytes: the scan agrees with a plain search")
    func agreesWithPlainSearch() {
        var generator = SeededGenerator(seed: 31)
        let alphabet = Array(Set(DownloadWordScan.words.flatMap(\.bytes))) + Array(" \n|-".utf8)
        var found = 0
        for _ in 0..<4000 {
            var text = (0..<Int.random(in: 0...60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            if Int.random(in: 0..<4, using: &generator) == 0 {
                let word = DownloadWordScan.words.randomElement(using: &generator)!.bytes
                text.insert(contentsOf: word, at: Int.random(in: 0...text.count, using: &generator))
            }
            let expected = Self.naive(text)
            found += expected ? 1 : 0
            #expect(DownloadWordScan.mentionsDownload(text) == expected, "\(String(decoding: text, as: UTF8.self))")
        }
        // Both answers were exercised.
        #expect(found > 500 && found < 3500)
    }
}
