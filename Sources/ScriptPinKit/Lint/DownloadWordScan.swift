/// The byte search that decides whether a file, or a unit of one, is parsed
/// at all: a text that names no downloader downloads nothing. Most files
/// name none, so this scan is nearly all that lint spends on them.
enum DownloadWordScan {
    /// A downloader's name, and where in it stand the two bytes the scan
    /// looks for: the adjacent pair rarest in real shell scripts (`rl` of
    /// `curl`, not the `cu` of `cut` and `current`), so that the whole word
    /// is compared at few positions.
    struct Word {
        let bytes: [UInt8]
        let anchor: Int

        var anchorValue: Int { DownloadWordScan.pairValue(bytes[anchor], bytes[anchor + 1]) }
    }

    /// Words whose absence proves a text downloads nothing: the known
    /// commands' words, PowerShell's download methods and Dockerfile's
    /// `ADD`. Each anchor pair belongs to one word only (a test holds this).
    static let words: [Word] = (KnownCommands.scanWords + PowerShellScanner.scanWords + Dockerfile.scanWords)
        .map { Word(bytes: Array($0.word.utf8), anchor: $0.anchor) }

    /// For each two-byte value, one more than the index of the word anchored
    /// there, or 0: one load and one test per position. 64 KiB, of which
    /// text touches few lines, so they stay cached.
    private static let wordByAnchor: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 65536)
        for (index, word) in words.enumerated() { table[word.anchorValue] = UInt8(index + 1) }
        return table
    }()

    static func pairValue(_ first: UInt8, _ second: UInt8) -> Int {
        Int(first) | Int(second) << 8
    }

    /// Whether `bytes` holds one of `words`.
    static func mentionsDownload(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(mentionsDownload)
    }

    static func mentionsDownload(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        wordByAnchor.withUnsafeBufferPointer { table in
            words.withUnsafeBufferPointer { words in scan(buffer, table: table, words: words) }
        }
    }

    private static func scan(_ buffer: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>, words: UnsafeBufferPointer<Word>) -> Bool {
        guard buffer.count >= 2, let base = UnsafeRawPointer(buffer.baseAddress) else { return false }
        func pair(at index: Int) -> Int {
            Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt16.self)))
        }
        func wordMatches(_ entry: UInt8, anchoredAt index: Int) -> Bool {
            let word = words[Int(entry) - 1]
            let start = index - word.anchor
            guard start >= 0, start + word.bytes.count <= buffer.count else { return false }
            for offset in word.bytes.indices where buffer[start + offset] != word.bytes[offset] { return false }
            return true
        }
        let lastPair = buffer.count - 1
        var index = 0
        // Four positions per round, tested together: the loads do not wait on
        // each other, and a round with no anchor costs one branch.
        while index + 4 <= lastPair {
            let first = table[pair(at: index)], second = table[pair(at: index + 1)]
            let third = table[pair(at: index + 2)], fourth = table[pair(at: index + 3)]
            if first | second | third | fourth != 0 {
                if first != 0, wordMatches(first, anchoredAt: index) { return true }
                if second != 0, wordMatches(second, anchoredAt: index + 1) { return true }
                if third != 0, wordMatches(third, anchoredAt: index + 2) { return true }
                if fourth != 0, wordMatches(fourth, anchoredAt: index + 3) { return true }
            }
            index += 4
        }
        while index < lastPair {
            let entry = table[pair(at: index)]
            if entry != 0, wordMatches(entry, anchoredAt: index) { return true }
            index += 1
        }
        return false
    }
}
