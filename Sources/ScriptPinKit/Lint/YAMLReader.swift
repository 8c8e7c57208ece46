/// A small, tolerant reader for the YAML that CI files use: block mappings
/// and sequences, plain, quoted, literal (`|`) and folded (`>`) scalars,
/// comments, anchors (`&name`), aliases (`*name`) and merge keys (`<<: *name`,
/// `<<: [*a, *b]`). Flow collections and tags are read as plain text. It
/// keeps where every scalar line came from, so that a finding inside a
/// `run:` block is reported at its line in the YAML file.
public indirect enum YAMLNode: Sendable {
    case mapping([YAMLEntry])
    case sequence([YAMLNode])
    case scalar(YAMLScalar)

    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries) = self else { return nil }
        return entries.last { $0.key == key }?.value
    }

    public var entries: [YAMLEntry] {
        if case .mapping(let entries) = self { return entries }
        return []
    }

    public var items: [YAMLNode] {
        if case .sequence(let items) = self { return items }
        return []
    }

    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self { return scalar }
        return nil
    }
}

public struct YAMLEntry: Sendable {
    public let key: String
    public let line: Int
    public let value: YAMLNode
}

public struct YAMLScalar: Sendable {
    /// The scalar's value with positions in the file.
    public let text: MappedText
    public let line: Int

    public var string: String { String(decoding: text.bytes, as: UTF8.self) }
}

public struct YAMLError: Error, Sendable {
    public let line: Int
    public let column: Int
    public let message: String
}

public struct YAMLReader {
    private struct Line {
        let number: Int
        var indent: Int
        /// Content after the indentation, including any trailing comment.
        var content: ArraySlice<UInt8>
        var isBlank: Bool
    }

    private var lines: [Line] = []
    private var index = 0
    /// Nodes by anchor name, for the aliases that follow them.
    private var anchors: [String: YAMLNode] = [:]
    /// Nesting bound: CI files nest a handful of levels.
    private static let maximumDepth = 64

    public static func read(_ bytes: [UInt8]) -> Result<YAMLNode, YAMLError> {
        var reader = YAMLReader()
        var number = 0
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            number += 1
            var slice = bytes[start..<end]
            if slice.last == UInt8(ascii: "\r") { slice = slice.dropLast() }
            var indent = 0
            while indent < slice.count, slice[slice.startIndex + indent] == UInt8(ascii: " ") { indent += 1 }
            let content = slice.dropFirst(indent)
            let isBlank = content.isEmpty || content.first == UInt8(ascii: "#")
            let isMarker = indent == 0 && (content.starts(with: Array("---".utf8)) || content.starts(with: Array("...".utf8)))
            if isMarker {
                reader.lines.append(Line(number: number, indent: 0, content: content[content.endIndex...], isBlank: true))
            } else {
                reader.lines.append(Line(number: number, indent: indent, content: content, isBlank: isBlank))
            }
            if end == bytes.count { break }
            start = end + 1
        }
        return Result { () throws(YAMLError) in
            reader.skipBlank()
            guard reader.index < reader.lines.count else { return .mapping([]) }
            let node = try reader.parseNode(indent: reader.lines[reader.index].indent, depth: 0)
            reader.skipBlank()
            if reader.index < reader.lines.count {
                let line = reader.lines[reader.index]
                throw YAMLError(line: line.number, column: line.indent + 1, message: "unexpected indentation; YAML here cannot be read")
            }
            return node
        }
    }

    private mutating func skipBlank() {
        while index < lines.count, lines[index].isBlank { index += 1 }
    }

    private mutating func parseNode(indent: Int, depth: Int) throws(YAMLError) -> YAMLNode {
        guard depth < Self.maximumDepth else {
            throw YAMLError(line: lines[index].number, column: 1, message: "nesting deeper than \(Self.maximumDepth) levels")
        }
        let line = lines[index]
        if isSequenceItem(line.content) { return try parseSequence(indent: indent, depth: depth) }
        if keyEnd(line.content) != nil { return try parseMapping(indent: indent, depth: depth) }
        let scalar = try parseFlowScalar(startLine: index, column: line.indent + 1, value: line.content, parentIndent: indent - 1)
        return .scalar(scalar)
    }

    private func isSequenceItem(_ content: ArraySlice<UInt8>) -> Bool {
        content.first == UInt8(ascii: "-") && (content.count == 1 || content[content.startIndex + 1] == UInt8(ascii: " "))
    }

    private mutating func parseSequence(indent: Int, depth: Int) throws(YAMLError) -> YAMLNode {
        var items: [YAMLNode] = []
        while true {
            skipBlank()
            guard index < lines.count, lines[index].indent == indent, isSequenceItem(lines[index].content) else { break }
            var line = lines[index]
            var rest = line.content.dropFirst()
            var spaces = 1
            while rest.first == UInt8(ascii: " ") {
                rest = rest.dropFirst()
                spaces += 1
            }
            if rest.isEmpty || rest.first == UInt8(ascii: "#") {
                index += 1
                skipBlank()
                if index < lines.count, lines[index].indent > indent {
                    items.append(try parseNode(indent: lines[index].indent, depth: depth + 1))
                } else {
                    items.append(.scalar(YAMLScalar(text: MappedText(), line: line.number)))
                }
                continue
            }
            if rest.first == UInt8(ascii: "|") || rest.first == UInt8(ascii: ">") {
                index += 1
                items.append(.scalar(readBlockScalar(parentIndent: indent, folded: rest.first == UInt8(ascii: ">"), header: line.number)))
                continue
            }
            if let alias = aliasedNode(rest) {
                index += 1
                items.append(alias)
                continue
            }
            var column = indent + spaces
            let anchor = anchorName(rest)
            rest = stripAnchorAndTag(rest, column: &column)
            if rest.isEmpty {
                // `- &name` with the node on the lines below.
                index += 1
                skipBlank()
                let node = index < lines.count && lines[index].indent > indent
                    ? try parseNode(indent: lines[index].indent, depth: depth + 1) : .scalar(YAMLScalar(text: MappedText(), line: line.number))
                if let anchor { anchors[anchor] = node }
                items.append(node)
                continue
            }
            // `- {name: x, run: …}` on one line: a flow mapping, as CI files write short steps.
            if rest.first == UInt8(ascii: "{"), let node = Self.flowMapping(stripComment(rest), line: line.number, column: column + 1) {
                index += 1
                if let anchor { anchors[anchor] = node }
                items.append(node)
                continue
            }
            // The item's content is a node at the column after "- ".
            line.indent = column
            line.content = rest
            lines[index] = line
            let node = try parseNode(indent: line.indent, depth: depth + 1)
            if let anchor { anchors[anchor] = node }
            items.append(node)
        }
        return .sequence(items)
    }

    /// A one-line flow mapping of plain or quoted scalars (`{name: x, run: "a, b"}`), each value
    /// mapped to its columns; nil for anything else (nested collections, more lines), which stays a scalar.
    static func flowMapping(_ content: ArraySlice<UInt8>, line: Int, column: Int) -> YAMLNode? {
        var text = content
        while let last = text.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { text = text.dropLast() }
        guard text.first == UInt8(ascii: "{"), text.last == UInt8(ascii: "}") else { return nil }
        let inner = text.dropFirst().dropLast()
        // Split at the commas outside quotes.
        var fields: [ArraySlice<UInt8>] = []
        var quote: UInt8?
        var start = inner.startIndex
        for position in inner.indices {
            let byte = inner[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                return nil
            } else if byte == UInt8(ascii: ",") {
                fields.append(inner[start..<position])
                start = position + 1
            }
        }
        guard quote == nil else { return nil }
        fields.append(inner[start...])
        var entries: [YAMLEntry] = []
        for field in fields {
            guard let colon = field.firstIndex(of: UInt8(ascii: ":")), colon + 1 <= field.endIndex else { return nil }
            let key = String(decoding: field[..<colon], as: UTF8.self).trimmingCharacters(in: " \t\"'")
            var value = field[(colon + 1)...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            while let last = value.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { value = value.dropLast() }
            if let first = value.first, first == UInt8(ascii: "'") || first == UInt8(ascii: "\""), value.count >= 2, value.last == first {
                value = value.dropFirst().dropLast()
            }
            var mapped = MappedText()
            mapped.append(value, line: line, column: column + (value.startIndex - content.startIndex))
            entries.append(YAMLEntry(key: key, line: line, value: .scalar(YAMLScalar(text: mapped, line: line))))
        }
        return .mapping(entries)
    }

    private mutating func parseMapping(indent: Int, depth: Int) throws(YAMLError) -> YAMLNode {
        var entries: [YAMLEntry] = []
        var merged: [YAMLEntry] = []
        while true {
            skipBlank()
            guard index < lines.count, lines[index].indent == indent, let colon = keyEnd(lines[index].content) else { break }
            let line = lines[index]
            let key = unquoteKey(line.content[line.content.startIndex..<colon])
            var value = line.content[(colon + 1)...]
            var valueColumn = line.indent + (colon - line.content.startIndex) + 2
            while value.first == UInt8(ascii: " ") || value.first == UInt8(ascii: "\t") {
                value = value.dropFirst()
                valueColumn += 1
            }
            if key == "<<" {
                // A merge key: the aliased mappings' entries, which the mapping's own keys override.
                index += 1
                merged += aliases(in: value).flatMap(\.entries)
                continue
            }
            if let alias = aliasedNode(value) {
                index += 1
                entries.append(YAMLEntry(key: key, line: line.number, value: alias))
                continue
            }
            let anchor = anchorName(value)
            value = stripAnchorAndTag(value, column: &valueColumn)
            let node: YAMLNode
            if value.isEmpty || value.first == UInt8(ascii: "#") {
                index += 1
                skipBlank()
                if index < lines.count, lines[index].indent > indent
                    || (lines[index].indent == indent && isSequenceItem(lines[index].content)) {
                    node = try parseNode(indent: lines[index].indent, depth: depth + 1)
                } else {
                    node = .scalar(YAMLScalar(text: MappedText(), line: line.number))
                }
            } else if value.first == UInt8(ascii: "|") || value.first == UInt8(ascii: ">") {
                let folded = value.first == UInt8(ascii: ">")
                index += 1
                node = .scalar(readBlockScalar(parentIndent: indent, folded: folded, header: line.number))
            } else {
                node = .scalar(try parseFlowScalar(startLine: index, column: valueColumn, value: value, parentIndent: indent))
            }
            if let anchor { anchors[anchor] = node }
            entries.append(YAMLEntry(key: key, line: line.number, value: node))
        }
        // Lookups take the last entry of a key, so the mapping's own entries go after the merged ones.
        return .mapping(merged + entries)
    }

    /// `&name` at the start of a value: the anchor it defines.
    private func anchorName(_ value: ArraySlice<UInt8>) -> String? {
        guard value.first == UInt8(ascii: "&") else { return nil }
        let name = value.dropFirst().prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }
        return name.isEmpty ? nil : String(decoding: name, as: UTF8.self)
    }

    /// The node a value that is only `*name` stands for, when that anchor came before.
    private func aliasedNode(_ value: ArraySlice<UInt8>) -> YAMLNode? {
        let trimmed = stripComment(value)
        guard trimmed.first == UInt8(ascii: "*") else { return nil }
        return anchors[String(decoding: trimmed.dropFirst(), as: UTF8.self)]
    }

    /// The nodes of `*a` or `[*a, *b]`.
    private func aliases(in value: ArraySlice<UInt8>) -> [YAMLNode] {
        var text = stripComment(value)
        if text.first == UInt8(ascii: "[") && text.last == UInt8(ascii: "]") { text = text.dropFirst().dropLast() }
        return text.split(separator: UInt8(ascii: ",")).compactMap { part in
            let name = part.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
            guard name.first == UInt8(ascii: "*") else { return nil }
            return anchors[String(decoding: name.dropFirst(), as: UTF8.self)]
        }
    }

    private func stripAnchorAndTag(_ value: ArraySlice<UInt8>, column: inout Int) -> ArraySlice<UInt8> {
        var result = value
        while let first = result.first, first == UInt8(ascii: "&") || first == UInt8(ascii: "!") {
            while let byte = result.first, byte != UInt8(ascii: " ") {
                result = result.dropFirst()
                column += 1
            }
            while result.first == UInt8(ascii: " ") {
                result = result.dropFirst()
                column += 1
            }
        }
        return result
    }

    /// Literal keeps line breaks; folded joins lines with spaces (blank lines stay breaks).
    private mutating func readBlockScalar(parentIndent: Int, folded: Bool, header: Int) -> YAMLScalar {
        var text = MappedText()
        var blockIndent: Int?
        var pendingBlankLines = 0
        var first = true
        while index < lines.count {
            let line = lines[index]
            let emptyLine = line.content.isEmpty
            if !emptyLine {
                if line.indent <= parentIndent { break }
                if blockIndent == nil { blockIndent = line.indent }
                if line.indent < blockIndent! { break }
            }
            index += 1
            if emptyLine {
                pendingBlankLines += 1
                continue
            }
            let extra = line.indent - blockIndent!
            if !first {
                if folded && pendingBlankLines == 0 && extra == 0 {
                    text.appendSynthetic(UInt8(ascii: " "))
                } else {
                    text.appendSynthetic(UInt8(ascii: "\n"))
                }
            }
            for _ in 0..<(folded ? max(0, pendingBlankLines - 1) : pendingBlankLines) { text.appendSynthetic(UInt8(ascii: "\n")) }
            pendingBlankLines = 0
            first = false
            var content: [UInt8] = Array(repeating: UInt8(ascii: " "), count: extra)
            content += line.content
            text.append(content, line: line.number, column: blockIndent! + 1)
        }
        if !first { text.appendSynthetic(UInt8(ascii: "\n")) }
        return YAMLScalar(text: text, line: header)
    }

    /// A plain or quoted scalar, possibly continued on more-indented lines.
    private mutating func parseFlowScalar(startLine: Int, column: Int, value: ArraySlice<UInt8>, parentIndent: Int) throws(YAMLError) -> YAMLScalar {
        let number = lines[startLine].number
        index = startLine + 1
        var text = MappedText()
        if let quote = value.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            var collected: [UInt8] = []
            var cursor = value.index(after: value.startIndex)
            var source = value
            var lineNumber = number
            var lineColumn = column + 1
            var segmentStart = lineColumn
            while true {
                if cursor >= source.endIndex {
                    // The quoted scalar continues on the next line.
                    guard index < lines.count else { throw YAMLError(line: number, column: column, message: "unterminated quoted string") }
                    text.append(collected, line: lineNumber, column: segmentStart)
                    text.appendSynthetic(UInt8(ascii: " "))
                    collected = []
                    source = lines[index].content
                    lineNumber = lines[index].number
                    lineColumn = lines[index].indent + 1
                    segmentStart = lineColumn
                    cursor = source.startIndex
                    index += 1
                    continue
                }
                let byte = source[cursor]
                if byte == quote {
                    if quote == UInt8(ascii: "'"), cursor + 1 < source.endIndex, source[cursor + 1] == quote {
                        collected.append(quote)
                        cursor += 2
                        continue
                    }
                    break
                }
                if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), cursor + 1 < source.endIndex {
                    let next = source[cursor + 1]
                    collected.append(next == UInt8(ascii: "n") ? UInt8(ascii: "\n") : next == UInt8(ascii: "t") ? UInt8(ascii: "\t") : next)
                    cursor += 2
                    continue
                }
                collected.append(byte)
                cursor += 1
            }
            text.append(collected, line: lineNumber, column: segmentStart)
            return YAMLScalar(text: text, line: number)
        }
        text.append(stripComment(value), line: number, column: column)
        while index < lines.count {
            let line = lines[index]
            if line.content.isEmpty {
                index += 1
                continue
            }
            guard !line.isBlank, line.indent > parentIndent, keyEnd(line.content) == nil || line.indent > parentIndent + 1,
                  !isSequenceItem(line.content) || line.indent > parentIndent + 1 else { break }
            text.appendSynthetic(UInt8(ascii: " "))
            text.append(stripComment(line.content), line: line.number, column: line.indent + 1)
            index += 1
        }
        return YAMLScalar(text: text, line: number)
    }

    private func stripComment(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var cursor = value.startIndex
        while cursor < value.endIndex {
            if value[cursor] == UInt8(ascii: "#"), cursor > value.startIndex,
               value[cursor - 1] == UInt8(ascii: " ") || value[cursor - 1] == UInt8(ascii: "\t") {
                var end = cursor
                while end > value.startIndex, value[end - 1] == UInt8(ascii: " ") || value[end - 1] == UInt8(ascii: "\t") { end -= 1 }
                return value[value.startIndex..<end]
            }
            cursor += 1
        }
        var end = value.endIndex
        while end > value.startIndex, value[end - 1] == UInt8(ascii: " ") || value[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        return value[value.startIndex..<end]
    }

    /// The index of the `:` that ends a mapping key on this line, if it is a key line.
    private func keyEnd(_ content: ArraySlice<UInt8>) -> Int? {
        guard let first = content.first, first != UInt8(ascii: "-") || !isSequenceItem(content),
              first != UInt8(ascii: "[") && first != UInt8(ascii: "{") && first != UInt8(ascii: "|") && first != UInt8(ascii: ">")
        else { return nil }
        var cursor = content.startIndex
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            cursor += 1
            while cursor < content.endIndex, content[cursor] != first { cursor += 1 }
            cursor += 1
            guard cursor < content.endIndex, content[cursor] == UInt8(ascii: ":") else { return nil }
            return cursor
        }
        while cursor < content.endIndex {
            let byte = content[cursor]
            if byte == UInt8(ascii: ":") && (cursor + 1 == content.endIndex || content[cursor + 1] == UInt8(ascii: " ") || content[cursor + 1] == UInt8(ascii: "\t")) {
                return cursor
            }
            if byte == UInt8(ascii: " ") && cursor + 1 < content.endIndex && content[cursor + 1] == UInt8(ascii: "#") { return nil }
            cursor += 1
        }
        return nil
    }

    private func unquoteKey(_ key: ArraySlice<UInt8>) -> String {
        var text = key
        while text.last == UInt8(ascii: " ") { text = text.dropLast() }
        if let first = text.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "'"), text.count >= 2 {
            text = text.dropFirst().dropLast()
        }
        return String(decoding: text, as: UTF8.self)
    }
}
