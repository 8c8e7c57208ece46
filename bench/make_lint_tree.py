#!/usr/bin/env python3
"""Writes a tree like a real repository for bench/lint.sh: about 20,000 files
and 200 MB of mixed kinds (shell scripts, Dockerfiles, workflows, Makefiles,
and source and data files lint does not read), where about one file in
twenty downloads something, and some of those pipe it into a shell.
With --scripts-only, every file is a shell script of 200 to 500 lines: the
tree where lint has the least to skip."""
import os
import random
import sys

arguments = [argument for argument in sys.argv[1:] if argument != "--scripts-only"]
scripts_only = "--scripts-only" in sys.argv
root = arguments[0]
count = int(arguments[1]) if len(arguments) > 1 else 20000
random.seed(7)

shell_lines = [
    'echo "building $TARGET"', 'mkdir -p "$OUT/bin"', 'cp -r src/* "$OUT"/', 'for f in *.txt; do wc -l "$f"; done',
    'if [ -n "$CI" ]; then export VERBOSE=1; fi', 'tar czf release.tgz dist/', 'git rev-parse HEAD > VERSION',
    'grep -r TODO src | sort | uniq -c', 'find . -name "*.o" -delete', 'case "$1" in build) make ;; *) exit 1 ;; esac',
]
download_lines = [
    'curl -fsSL https://get.example.com/install.sh | sh', 'curl -o tool.tgz https://example.com/tool.tgz',
    'wget -qO- https://example.com/setup.sh | bash', 'curl -s https://api.example.com/v1/releases | jq .tag',
    'curl -o i.sh https://example.com/i.sh && sha256sum -c i.sh.sha256 && bash i.sh',
]
source_lines = [
    'func compute(_ value: Int) -> Int { return value * 2 }', 'let total = items.reduce(0, +)',
    'def handler(event, context): return {"status": 200}', 'const result = await client.get("/items")',
    '    "name": "example-package", "version": "1.2.3",', '# Heading for the documentation section',
]


def body(lines, size, downloads, line_count=None):
    out = []
    total = 0
    while (len(out) < line_count) if line_count else (total < size):
        line = random.choice(download_lines) if downloads and random.random() < 0.02 else random.choice(lines)
        out.append(line)
        total += len(line) + 1
    return "\n".join(out) + "\n"


for index in range(count):
    folder = os.path.join(root, f"pkg{index % 200}", f"mod{index % 7}")
    os.makedirs(folder, exist_ok=True)
    downloads = index % 20 == 0
    size = random.randint(2000, 18000)
    kind = index % 10
    if scripts_only:
        path, text = f"script{index}.sh", "#!/bin/sh\nset -e\n" + body(shell_lines, size, downloads, random.randint(200, 500))
    elif kind == 0:
        path, text = f"build{index}.sh", "#!/bin/sh\nset -e\n" + body(shell_lines, size, downloads)
    elif kind == 1:
        path, text = f"Dockerfile.{index}", "FROM debian:12\n" + "".join(f"RUN {line}\n" for line in body(shell_lines, size, downloads).splitlines())
    elif kind == 2:
        os.makedirs(os.path.join(root, f"pkg{index % 200}", ".github", "workflows"), exist_ok=True)
        folder = os.path.join(root, f"pkg{index % 200}", ".github", "workflows")
        steps = "".join(f"      - run: {line}\n" for line in body(shell_lines, size, downloads).splitlines())
        path, text = f"ci{index}.yml", "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n" + steps
    elif kind == 3:
        path, text = f"rules{index}.mk", "all:\n" + "".join(f"\t{line}\n" for line in body(shell_lines, size, downloads).replace("$", "$$").splitlines())
    else:
        extension = [".swift", ".py", ".js", ".json", ".md", ".txt"][index % 6]
        path, text = f"file{index}{extension}", body(source_lines, size, downloads)
    with open(os.path.join(folder, path), "w") as handle:
        handle.write(text)
