import Foundation
import Testing

/// The library's folders are layers: scripts/check-layers.py finds every
/// name one folder uses from another, and no two folders may use each other.
@Suite("Folders are layers: no two depend on each other")
struct LayerTests {
    static let script = CommandDeclarationTests.repositoryRoot + "/scripts/check-layers.py"

    @Test("The library's folders depend on each other one way only")
    func libraryIsLayered() {
        let result = ProcessRunner.run("/usr/bin/env", ["python3", Self.script], in: CommandDeclarationTests.repositoryRoot)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("check-layers: ") && result.stdout.hasSuffix(" folders, none both ways\n"), "\(result.stdout)")
    }

    @Test("A pair of folders that use each other is named with the names that make each direction")
    func cycleIsReported() {
        let tree = TemporaryDirectory()
        tree.write("Low/Low.swift", "public struct Low {\n    let high: High\n}\n")
        tree.write("High/High.swift", "// Low is mentioned here only in a comment.\npublic struct High {}\nfunc build() -> Low { fatalError() }\n")
        tree.write("Shared.swift", "public enum SharedError: Error {}\n")
        let result = ProcessRunner.run("/usr/bin/env", ["python3", Self.script, "--root", tree.path], in: tree.path)
        #expect(result.status == 1)
        #expect(result.stdout == """
            High <-> Low:
              High -> Low: Low
              Low -> High: High
            check-layers: 1 pairs of folders depend on each other; move the names above to the layer they belong to

            """)
    }
}
