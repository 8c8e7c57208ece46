#!/usr/bin/env python3
"""Checks that no two folders of the library depend on each other.

A folder depends on another when one of its files names a type, or a
top-level function or constant, that the other folder declares. Files at the
top of Sources/ScriptPinKit (the shared error type and vocabulary) belong to
no folder and may be used from anywhere. Prints every dependency between
folders and every pair that goes both ways, naming the names that make each
direction; exits 1 when there is such a pair.

Usage: scripts/check-layers.py [--graph] [--root DIR]
"""
import os
import re
import sys

LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "ScriptPinKit")
# A top-level declaration another file can see (private and fileprivate ones cannot).
DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*((?:(?:public|internal|package|private|fileprivate|final|nonisolated|indirect)\s+)*)"
    r"(struct|enum|class|protocol|typealias|actor|func|let|var)\s+([A-Za-z_]\w*)",
    re.M)
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'#*"""(?:.|\n)*?"""#*|"(?:\\.|[^"\\\n])*"')
# A member (`.name`) is not a use of a top-level name, and a function is used by calling it
# (a local variable may share its name).
WORD = re.compile(r"(?<!func )(?<![.\w])(?:[A-Z]\w*\b|[a-z_]\w*(?=\())")


def swift_files(folder):
    for directory, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".swift"):
                yield os.path.join(directory, name)


def strip(text):
    return STRING.sub('""', COMMENT.sub("", text))


def main():
    root = sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv else LIBRARY
    folders = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    declared = {}
    texts = {}
    for folder in folders:
        for path in swift_files(os.path.join(root, folder)):
            text = strip(open(path, encoding="utf-8").read())
            texts.setdefault(folder, []).append(text)
            # Only what is declared at the top level of a file is visible across folders.
            for match in DECLARATION.finditer(text):
                if "private" not in match.group(1):
                    declared.setdefault(match.group(3), set()).add(folder)
    edges = {}
    for folder in folders:
        used = set()
        for text in texts.get(folder, []):
            used.update(WORD.findall(text))
        for name in used:
            for owner in declared.get(name, ()):
                if owner != folder and folder not in declared[name]:
                    edges.setdefault((folder, owner), set()).add(name)
    if "--graph" in sys.argv:
        for (source, target), names in sorted(edges.items()):
            print(f"{source} -> {target}: {', '.join(sorted(names))}")
    cycles = sorted((a, b) for (a, b) in edges if a < b and (b, a) in edges)
    for a, b in cycles:
        print(f"{a} <-> {b}:")
        print(f"  {a} -> {b}: {', '.join(sorted(edges[(a, b)]))}")
        print(f"  {b} -> {a}: {', '.join(sorted(edges[(b, a)]))}")
    if cycles:
        print(f"check-layers: {len(cycles)} pairs of folders depend on each other; move the names above to the layer they belong to")
        return 1
    print(f"check-layers: {len(edges)} dependencies between {len(folders)} folders, none both ways")
    return 0


if __name__ == "__main__":
    sys.exit(main())
