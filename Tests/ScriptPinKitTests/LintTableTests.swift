import Foundation
import Testing
@testable import ScriptPinKit

/// A shell snippet and where its findings are: for each, the snippet line
/// (0-based) and the token whose first character is the reported column.
struct LintForm: Sendable, CustomStringConvertible {
    let name: String
    let snippet: String
    let expected: [(line: Int, token: String)]
    /// A one-line snippet can be embedded in a Dockerfile RUN and a Makefile recipe too.
    var singleLine: Bool { !snippet.contains("\n") }

    var description: String { name }

    /// (line, column) of each expected finding inside the snippet, 1-based.
    func positions(dollarDoubling: Bool = false) -> [(Int, Int)] {
        let lines = snippet.split(separator: "\n", omittingEmptySubsequences: false)
        return expected.map { line, token in
            let text = String(lines[line])
            let range = text.range(of: token)!
            let prefix = text[..<range.lowerBound]
            let column = prefix.count + 1 + (dollarDoubling ? prefix.count(where: { $0 == "$" }) : 0)
            return (line + 1, column)
        }
    }
}

private func found(_ text: String, path: String) -> [(Int, Int)] {
    let bytes = Array(text.utf8)
    let kind = LintFileKind.detect(path: path, bytes: bytes, includeDocs: true)!
    let diagnostics = LintCommand.suppress(LintEngine.lint(bytes, kind: kind), in: bytes)
    #expect(!diagnostics.contains { $0.rule == .parseError }, "parse error in \(path): \(diagnostics)")
    return diagnostics.filter { $0.rule == .downloadExec }.map { ($0.line, $0.column) }
}

private func same(_ left: [(Int, Int)], _ right: [(Int, Int)]) -> Bool {
    left.count == right.count && zip(left, right).allSatisfy { $0 == $1 }
}

enum LintCases {
    static let positive: [LintForm] = [
        LintForm(name: "curl piped into sh", snippet: "curl -fsSL https://get.example.com/a.sh | sh", expected: [(0, "curl")]),
        LintForm(name: "wget -qO- piped into bash", snippet: "wget -qO- https://example.com/w.sh | bash", expected: [(0, "wget")]),
        LintForm(name: "inside [[ ]]", snippet: "[[ -n \"$(curl -fsSL https://example.com/c.sh | sh)\" ]] && echo ok", expected: [(0, "curl")]),
        LintForm(name: "inside $(( ))", snippet: "echo $(( $(curl -s https://example.com/n.sh | sh) + 1 ))", expected: [(0, "curl")]),
        LintForm(name: "inside (( )) as a command", snippet: "(( $(wget -qO- https://example.com/n.sh | bash) > 0 ))", expected: [(0, "wget")]),
        LintForm(name: "a substitution as the command", snippet: "$(curl -fsSL https://example.com/s.sh | sh)", expected: [(0, "curl")]),
        LintForm(name: "wget -q -O - piped", snippet: "wget -q -O - https://example.com/w.sh | sh", expected: [(0, "wget")]),
        LintForm(name: "through tee", snippet: "curl -s https://example.com/t.sh | tee install.log | bash", expected: [(0, "curl")]),
        LintForm(name: "through gunzip", snippet: "curl -s https://example.com/t.sh.gz | gunzip | sh", expected: [(0, "curl")]),
        LintForm(name: "multi-stage pipe", snippet: "curl -s https://example.com/t.gz | gunzip -c | tee t | sed s/a/b/ | sh", expected: [(0, "curl")]),
        LintForm(name: "sudo -E bash -", snippet: "curl -fsSL https://deb.example.com/setup | sudo -E bash -", expected: [(0, "curl")]),
        LintForm(name: "sudo with -u", snippet: "curl -fsSL https://x.example.com/i | sudo -u root bash", expected: [(0, "curl")]),
        LintForm(name: "bash -s -- args", snippet: "curl -fsSL https://example.com/i.sh | bash -s -- --yes", expected: [(0, "curl")]),
        LintForm(name: "python3 -", snippet: "curl -sSL https://install.example.com/p.py | python3 -", expected: [(0, "curl")]),
        LintForm(name: "python3.11", snippet: "curl -sSL https://install.example.com/p.py | python3.11", expected: [(0, "curl")]),
        LintForm(name: "perl", snippet: "curl -L https://example.com/cpanm | perl - App::cpanminus", expected: [(0, "curl")]),
        LintForm(name: "ruby", snippet: "curl -fsSL https://example.com/install.rb | ruby", expected: [(0, "curl")]),
        LintForm(name: "node", snippet: "curl -fsSL https://example.com/setup.js | node", expected: [(0, "curl")]),
        LintForm(name: "php", snippet: "curl -sS https://getcomposer.example.org/installer | php", expected: [(0, "curl")]),
        LintForm(name: "zsh", snippet: "curl -fsSL https://example.com/z.sh | zsh", expected: [(0, "curl")]),
        LintForm(name: "dash", snippet: "wget -O- https://example.com/d.sh | dash", expected: [(0, "wget")]),
        LintForm(name: "ksh", snippet: "curl https://example.com/k.sh | ksh", expected: [(0, "curl")]),
        LintForm(name: "mksh", snippet: "curl https://example.com/m.sh | mksh", expected: [(0, "curl")]),
        LintForm(name: "fish", snippet: "curl -L https://example.com/f.fish | fish", expected: [(0, "curl")]),
        LintForm(name: "$SHELL", snippet: "curl -L https://example.com/s.sh | $SHELL", expected: [(0, "curl")]),
        LintForm(name: "env -i prefix", snippet: "curl -L https://example.com/e.sh | env -i PATH=/bin bash", expected: [(0, "curl")]),
        LintForm(name: "nohup and time prefixes", snippet: "curl -L https://example.com/n.sh | nohup time sh", expected: [(0, "curl")]),
        LintForm(name: "full path to curl and bash", snippet: "/usr/bin/curl -L https://example.com/p.sh | /bin/bash", expected: [(0, "/usr/bin/curl")]),
        LintForm(name: "fetch -o -", snippet: "fetch -o - https://example.com/f.sh | sh", expected: [(0, "fetch")]),
        LintForm(name: "gsutil cp to stdout", snippet: "gsutil cp gs://bucket/i.sh - | bash", expected: [(0, "gsutil")]),
        LintForm(name: "aws s3 cp to stdout", snippet: "aws s3 cp s3://bucket/i.sh - | bash", expected: [(0, "aws")]),
        LintForm(name: "process substitution bash", snippet: "bash <(curl -s https://example.com/proc.sh)", expected: [(0, "curl")]),
        LintForm(name: "process substitution source", snippet: "source <(curl -s https://example.com/env.sh)", expected: [(0, "curl")]),
        LintForm(name: "process substitution dot wget", snippet: ". <(wget -qO- https://example.com/env.sh)", expected: [(0, "wget")]),
        LintForm(name: "process substitution python", snippet: "python3 <(curl -s https://example.com/p.py)", expected: [(0, "curl")]),
        LintForm(name: "sh -c command substitution", snippet: "sh -c \"$(curl -fsSL https://example.com/c.sh)\"", expected: [(0, "curl")]),
        LintForm(name: "bash -c wget substitution", snippet: "bash -c \"$(wget -qO- https://example.com/c.sh)\"", expected: [(0, "wget")]),
        LintForm(name: "backticks in sh -c", snippet: "sh -c \"`curl -fsSL https://example.com/b.sh`\"", expected: [(0, "curl")]),
        LintForm(name: "eval command substitution", snippet: "eval \"$(curl -s https://example.com/e.sh)\"", expected: [(0, "curl")]),
        LintForm(name: "here-string", snippet: "bash <<< \"$(curl -s https://example.com/h.sh)\"", expected: [(0, "curl")]),
        LintForm(name: "sh -c string with a pipe", snippet: "sh -c 'curl -fsSL https://example.com/s.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "bash -c string with wget", snippet: "bash -c 'wget -qO- https://example.com/s.sh | bash'", expected: [(0, "wget")]),
        LintForm(name: "sudo sh -c string", snippet: "sudo sh -c 'curl -L https://example.com/r.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "deno run URL", snippet: "deno run -A https://deno.example.land/x/tool.ts", expected: [(0, "deno")]),
        LintForm(name: "curl -o then bash", snippet: "curl -fsSL -o install.sh https://example.com/i.sh && bash install.sh", expected: [(0, "bash install")]),
        LintForm(name: "curl -O then sh", snippet: "curl -O https://example.com/get.sh; sh get.sh", expected: [(0, "sh get")]),
        LintForm(name: "curl --output then ./", snippet: "curl --output run.sh https://example.com/r.sh && chmod +x run.sh && ./run.sh", expected: [(0, "./run.sh")]),
        LintForm(name: "curl cluster -sSLo", snippet: "curl -sSLo i.sh https://example.com/i.sh && bash i.sh", expected: [(0, "bash i.sh")]),
        LintForm(name: "curl > file then dot", snippet: "curl -s https://example.com/env.sh > env.sh; . ./env.sh", expected: [(0, ". ./env")]),
        LintForm(name: "wget -O then source", snippet: "wget -O lib.sh https://example.com/lib.sh && source lib.sh", expected: [(0, "source")]),
        LintForm(name: "wget default name", snippet: "wget https://example.com/setup.sh && bash setup.sh", expected: [(0, "bash setup")]),
        LintForm(name: "aria2c default name", snippet: "aria2c https://example.com/a2.sh && sh a2.sh", expected: [(0, "sh a2")]),
        LintForm(name: "aws s3api get-object", snippet: "aws s3api get-object --bucket b --key i.sh i.sh && bash i.sh", expected: [(0, "bash i.sh")]),
        LintForm(name: "bash reads a downloaded file on stdin", snippet: "curl -o i.sh https://example.com/i.sh; bash < i.sh", expected: [(0, "bash <")]),
        LintForm(name: "download later executed", snippet: "curl -o /tmp/i.sh https://example.com/i.sh\necho fetched\nsh /tmp/i.sh", expected: [(2, "sh /tmp")]),
        LintForm(name: "continuation splits the pipe", snippet: "curl -fsSL https://example.com/c.sh \\\n  | bash", expected: [(0, "curl")]),
        LintForm(name: "pipe continued on the next line", snippet: "curl -fsSL https://example.com/c.sh |\n  sudo bash", expected: [(0, "curl")]),
        LintForm(name: "inside if", snippet: "if true; then\n  curl -s https://example.com/i.sh | sh\nfi", expected: [(1, "curl")]),
        LintForm(name: "inside a function", snippet: "install() {\n  wget -qO- https://example.com/f.sh | bash\n}\ninstall", expected: [(1, "wget")]),
        LintForm(name: "inside a subshell", snippet: "(cd /tmp && curl -s https://example.com/s.sh | sh)", expected: [(0, "curl")]),
        LintForm(name: "inside a command substitution", snippet: "out=$(curl -s https://example.com/s.sh | sh)", expected: [(0, "curl")]),
        LintForm(name: "inside a for loop", snippet: "for i in 1 2; do\n  curl -s https://example.com/l.sh | sh\ndone", expected: [(1, "curl")]),
        LintForm(name: "inside a case", snippet: "case $1 in\n  go) curl -s https://example.com/c.sh | sh ;;\nesac", expected: [(1, "curl")]),
        LintForm(name: "heredoc fed to bash", snippet: "bash <<'EOF'\ncurl -s https://example.com/h.sh | sh\nEOF", expected: [(1, "curl")]),
        LintForm(name: "two findings on two lines", snippet: "curl -s https://a.example.com/1 | sh\nwget -qO- https://b.example.com/2 | bash", expected: [(0, "curl"), (1, "wget")]),
        LintForm(name: "assignment before the interpreter", snippet: "curl -s https://example.com/v.sh | VERSION=2 bash", expected: [(0, "curl")]),
        LintForm(name: "stderr redirect kept", snippet: "curl -s https://example.com/v.sh 2>/dev/null | sh", expected: [(0, "curl")]),
        LintForm(name: "URL in a variable", snippet: "curl -fsSL \"$INSTALLER_URL\" | sh", expected: [(0, "curl")]),
        LintForm(name: "an archive piped into tar, then a file from it run", snippet: "curl -fsSL https://example.com/t.tgz | tar xz && ./t/install.sh", expected: [(0, "./t/install.sh")]),
        LintForm(name: "an archive unpacked with -C, then run from there", snippet: "curl -fsSL https://example.com/t.tgz | tar -xz -C /opt/t\n/opt/t/bin/setup --yes", expected: [(1, "/opt/t/bin/setup")]),
        LintForm(name: "an archive saved, unpacked with -xzf, then run by bash", snippet: "curl -fsSLo t.tgz https://example.com/t.tgz\ntar -xzf t.tgz\nbash t/install.sh", expected: [(2, "bash")]),
        LintForm(name: "a zip saved, unzipped, then run", snippet: "wget https://example.com/t.zip && unzip t.zip -d t && sh t/install.sh", expected: [(0, "sh t")]),
        // Interpreters reading the program from stdin, in every spelling.
        LintForm(name: "bash /dev/stdin (the dotnet-install idiom)", snippet: "curl -sSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --channel 8.0", expected: [(0, "curl")]),
        LintForm(name: "sh /dev/fd/0", snippet: "wget -qO- https://example.com/i.sh | sh /dev/fd/0 --yes", expected: [(0, "wget")]),
        LintForm(name: "bash /proc/self/fd/0", snippet: "curl -fsSL https://example.com/i.sh | bash /proc/self/fd/0", expected: [(0, "curl")]),
        LintForm(name: "sh - with arguments", snippet: "curl -fsSL https://example.com/i.sh | sh - --yes", expected: [(0, "curl")]),
        LintForm(name: "bash -s -- arguments", snippet: "curl -fsSL https://example.com/i.sh | bash -s -- -v 1", expected: [(0, "curl")]),
        LintForm(name: "php -- arguments", snippet: "curl -sS https://getcomposer.example.org/installer | php -- --install-dir=/usr/local/bin", expected: [(0, "curl")]),
        LintForm(name: "node -", snippet: "curl -fsSL https://example.com/setup.js | node -", expected: [(0, "curl")]),
        LintForm(name: "perl - with arguments", snippet: "curl -L https://example.com/cpanm | perl - --self-upgrade", expected: [(0, "curl")]),
        LintForm(name: "ruby -", snippet: "curl -fsSL https://example.com/install.rb | ruby -", expected: [(0, "curl")]),
        LintForm(name: "python3 - with arguments", snippet: "curl -sSL https://install.example.com/p.py | python3 - --yes", expected: [(0, "curl")]),
        LintForm(name: "stdin from a process substitution", snippet: "sh < <(wget -qO- https://example.com/i.sh)", expected: [(0, "wget")]),
        LintForm(name: "a here-string of a download", snippet: "bash <<< \"$(curl -fsSL https://example.com/i.sh)\"", expected: [(0, "curl")]),
        // Pipes into anything that runs its stdin.
        LintForm(name: "a pipe into a brace group", snippet: "curl -fsSL https://example.com/i.sh | { sh; }", expected: [(0, "curl")]),
        LintForm(name: "a pipe into a subshell", snippet: "curl -fsSL https://example.com/i.sh | (sh)", expected: [(0, "curl")]),
        LintForm(name: "a pipe into an if", snippet: "curl -fsSL https://example.com/i.sh | if true; then sh; fi", expected: [(0, "curl")]),
        LintForm(name: "a pipe into a while body", snippet: "curl -fsSL https://example.com/i.sh | while true; do bash; break; done", expected: [(0, "curl")]),
        LintForm(name: "a pipe into a case arm", snippet: "curl -fsSL https://example.com/i.sh | case x in x) sh ;; esac", expected: [(0, "curl")]),
        LintForm(name: "a pipe into a function that runs its input", snippet: "run_it() { sh -s; }\ncurl -fsSL https://example.com/i.sh | run_it", expected: [(1, "curl")]),
        LintForm(name: "a pipe into a function inside backquotes", snippet: "run_it() { sh -s; }\nx=`curl -fsSL https://example.com/i.sh | run_it`", expected: [(1, "curl")]),
        LintForm(name: "a pipe into a function keyword function", snippet: "function apply { bash; }\nwget -qO- https://example.com/i.sh | apply", expected: [(1, "wget")]),
        LintForm(name: "tee into a process substitution", snippet: "curl -fsSL https://example.com/i.sh | tee >(sh) > /dev/null", expected: [(0, "curl")]),
        LintForm(name: "tee /dev/stderr then sh", snippet: "curl -fsSL https://example.com/i.sh | tee /dev/stderr | sh", expected: [(0, "curl")]),
        LintForm(name: "gunzip -c on the way", snippet: "curl -fsSL https://example.com/i.sh.gz | gunzip -c | sh", expected: [(0, "curl")]),
        LintForm(name: "zcat on the way", snippet: "curl -fsSL https://example.com/i.sh.gz | zcat | bash", expected: [(0, "curl")]),
        LintForm(name: "xz -dc on the way", snippet: "curl -fsSL https://example.com/i.sh.xz | xz -dc | sh", expected: [(0, "curl")]),
        LintForm(name: "tar -xzO on the way", snippet: "curl -fsSL https://example.com/i.tgz | tar -xzO install.sh | sh", expected: [(0, "curl")]),
        LintForm(name: "base64 -d on the way", snippet: "curl -fsSL https://example.com/i.b64 | base64 -d | bash", expected: [(0, "curl")]),
        LintForm(name: "unzip -p of a downloaded zip", snippet: "curl -fsSLo i.zip https://example.com/i.zip && unzip -p i.zip install.sh | sh", expected: [(0, "curl")]),
        LintForm(name: "grep -v on the way", snippet: "curl -fsSL https://example.com/i.sh | grep -v '^#' | sh", expected: [(0, "curl")]),
        LintForm(name: "head on the way", snippet: "wget -qO- https://example.com/i.sh | head -n 400 | bash", expected: [(0, "wget")]),
        LintForm(name: "eval of a value jq prints", snippet: "eval \"$(curl -fsSL https://example.com/env.json | jq -r .script)\"", expected: [(0, "curl")]),
        LintForm(name: "zcat of a downloaded file", snippet: "curl -fsSLo i.sh.gz https://example.com/i.sh.gz\nzcat i.sh.gz | bash", expected: [(0, "curl")]),
        // Substitutions that a loop's list or a case's subject runs.
        LintForm(name: "a for loop's word list", snippet: "for f in $(curl -fsSL https://example.com/i.sh | sh); do echo \"$f\"; done", expected: [(0, "curl")]),
        LintForm(name: "an arithmetic for header", snippet: "for ((i = $(wget -qO- https://example.com/n.sh | bash); i < 3; i++)); do :; done", expected: [(0, "wget")]),
        LintForm(name: "a case subject", snippet: "case \"$(curl -fsSL https://example.com/i.sh | bash)\" in ok) echo done ;; esac", expected: [(0, "curl")]),
        LintForm(name: "a case pattern", snippet: "case x in $(curl -fsSL https://example.com/i.sh | sh)) echo match ;; esac", expected: [(0, "curl")]),
        LintForm(name: "a parameter's default value", snippet: "v=${VERSION:-$(curl -fsSL https://example.com/v.sh | sh)}", expected: [(0, "curl")]),
        LintForm(name: "an array's elements", snippet: "pkgs=( $(wget -qO- https://example.com/p.sh | bash) )", expected: [(0, "wget")]),
        // Code inside arguments.
        LintForm(name: "pwsh -Command given PowerShell code", snippet: "docker run img pwsh -Command 'iwr https://example.com/i.ps1 | iex'", expected: [(0, "iwr")]),
                LintForm(name: "timeout bash -c", snippet: "timeout 300 bash -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "an unknown wrapper with -- bash -c", snippet: "spin --title installing -- bash -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "flock F bash -c", snippet: "flock /tmp/lock bash -c 'wget -qO- https://example.com/i.sh | bash'", expected: [(0, "wget")]),
        LintForm(name: "xargs sh -c", snippet: "echo x | xargs -I{} sh -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "su -c", snippet: "su -c 'curl -fsSL https://example.com/i.sh | sh' root", expected: [(0, "curl")]),
        LintForm(name: "runuser -c", snippet: "runuser -u app -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "docker exec sh -c", snippet: "docker exec web sh -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "kubectl exec -- bash -c", snippet: "kubectl exec pod -- bash -c 'curl -fsSL https://example.com/i.sh | bash'", expected: [(0, "curl")]),
        LintForm(name: "ssh HOST with the command as words", snippet: "ssh deploy@host 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "watch with a command", snippet: "watch -n 60 'curl -fsSL https://example.com/i.sh | sh'", expected: [(0, "curl")]),
        LintForm(name: "a shell function given bash -c", snippet: "retry() { \"$@\"; }\nretry bash -c 'curl -fsSL https://example.com/i.sh | sh'", expected: [(1, "curl")]),
        LintForm(name: "$( (…) ) with a space", snippet: "out=$( (curl -fsSL https://example.com/i.sh | sh) )", expected: [(0, "curl")]),
        LintForm(name: "((…)) that is not arithmetic: nested subshells", snippet: "((curl -fsSL https://example.com/i.sh | sh))", expected: [(0, "curl")]),
        LintForm(name: "$((…)) that is not arithmetic: a subshell in a substitution", snippet: "out=$((curl -fsSL https://example.com/i.sh | sh))", expected: [(0, "curl")]),
        // Fail-closed: a check clears a file only when its failure stops the file from running.
        LintForm(name: "check in an if condition that only warns", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nif ! sha256sum -c sums; then echo warning; fi\nbash i.sh", expected: [(2, "bash")]),
        LintForm(name: "check || true", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || true\nbash i.sh", expected: [(2, "bash")]),
        LintForm(name: "check || true under set -e", snippet: "set -e\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || true\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "check && echo under set -e", snippet: "set -e\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums && echo verified\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "negated check under set -e", snippet: "set -e\ncurl -fsSLo i.sh https://example.com/i.sh\n! sha256sum -c sums\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "set -e in a subshell ends with it", snippet: "set +e\n( set -e )\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        LintForm(name: "a check that stops only its subshell", snippet: "set +e\ncurl -fsSLo i.sh https://example.com/i.sh\n( set -e; sha256sum -c sums )\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "exit in a subshell does not stop the script", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || ( echo bad; exit 1 )\nbash i.sh", expected: [(2, "bash")]),
        LintForm(name: "set -e in a command substitution ends with it", snippet: "set +e\necho \"$(set -e)\"\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        LintForm(name: "set -e in bash -c ends with it", snippet: "set +e\nbash -c 'set -e'\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        LintForm(name: "set -e in a function body waits for a call", snippet: "set +e\nstrict() { set -e; }\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        LintForm(name: "set -e in one command of a pipeline ends with it", snippet: "set +e\necho x | set -e\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        LintForm(name: "a check that stops only its bash -c", snippet: "set +e\ncurl -fsSLo i.sh https://example.com/i.sh\nbash -c 'set -e; sha256sum -c sums; echo checked'\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "a download after a check is not covered by it", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || exit 1\ncurl -fsSLo i.sh https://example.com/other.sh\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "a re-download later in the && chain", snippet: "curl -fsSLo i.sh https://example.com/i.sh && sha256sum -c sums && curl -fsSLo i.sh https://example.com/other.sh && bash i.sh", expected: [(0, "bash")]),
        LintForm(name: "a re-download after a check naming the file", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c i.sh || exit 1\nwget -O i.sh https://example.com/other.sh\nbash i.sh", expected: [(3, "bash")]),
        LintForm(name: "set +e turns errexit off", snippet: "set -e\nset +e\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: [(4, "bash")]),
        // Paths held in variables, other launchers, code kept in strings, bundled options.
        LintForm(name: "a mktemp file run by its variable (the Codecov uploader's shape)",
                 snippet: "f=$(mktemp)\ncurl -s https://example.com/uploader > \"$f\"\nchmod +x \"$f\"\n\"$f\" -t \"$TOKEN\"", expected: [(3, "\"$f\"")]),
        LintForm(name: "a file under a variable's directory", snippet: "tmp=$(mktemp -d)\ncurl -fsSLo \"$tmp/install\" https://example.com/i\n\"$tmp/install\" --yes", expected: [(2, "\"$tmp")]),
        LintForm(name: "a file run after cd into its variable's directory",
                 snippet: "dir=$(mktemp -d)\ncurl -fsSLo \"$dir/rustup-init\" https://example.com/r\ncd \"$dir\"\nchmod +x rustup-init\n./rustup-init -y", expected: [(4, "./rustup-init")]),
        LintForm(name: "a file run after cd into a relative directory", snippet: "curl -fsSLo build/t.sh https://example.com/t.sh\ncd build\nsh t.sh", expected: [(2, "sh")]),
        LintForm(name: "java -jar", snippet: "curl -fsSLo tool.jar https://example.com/tool.jar && java -jar tool.jar", expected: [(0, "java")]),
        LintForm(name: "node on a saved file", snippet: "curl -fsSLo setup.js https://example.com/setup.js && node setup.js", expected: [(0, "node")]),
        LintForm(name: "eval of a string holding the pipe", snippet: "cmd=\"curl -fsSL https://example.com/a.sh | bash\"\neval \"$cmd\"", expected: [(0, "curl")]),
        LintForm(name: "eval of an unquoted variable", snippet: "cmd='wget -qO- https://example.com/a.sh | sh'\neval $cmd", expected: [(0, "wget")]),
        LintForm(name: "bash -c of a string", snippet: "run=\"curl -fsSL https://example.com/a.sh | sh\"\nbash -c \"$run\"", expected: [(0, "curl")]),
        LintForm(name: "FreeBSD fetch with bundled options", snippet: "fetch -qo - https://example.com/f.sh | sh", expected: [(0, "fetch")]),
        // Hand-written digest checks that only print a message: the script still runs.
        LintForm(name: "[[ digest != expected ]] && echo (no stop)",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\n[[ \"$(sha256sum a.sh | cut -d' ' -f1)\" != \"$expected\" ]] && echo bad\nbash a.sh", expected: [(2, "bash")]),
        LintForm(name: "if [ $sum != $want ]; then echo; fi (no stop)",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\nsum=$(sha256sum a.sh | cut -d' ' -f1)\nif [ \"$sum\" != \"$want\" ]; then echo bad; fi\nbash a.sh", expected: [(3, "bash")]),
        LintForm(name: "test digest = want || echo (no stop)",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\ntest \"$(shasum -a 256 a.sh | awk '{print $1}')\" = \"$want\" || echo mismatch\nbash a.sh", expected: [(2, "bash")]),
        LintForm(name: "a digest check of another file",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\n[ \"$(sha256sum other.sh | cut -d' ' -f1)\" = \"$want\" ] || exit 1\nbash a.sh", expected: [(2, "bash")]),
        // Interpreters behind launchers and wrappers.
        LintForm(name: "sudo with an assignment before the shell", snippet: "curl -fsSL https://example.com/a.sh | sudo VAR=1 sh", expected: [(0, "curl")]),
        LintForm(name: "sudo -s reads the script as a shell", snippet: "curl -fsSL https://example.com/a.sh | sudo -s", expected: [(0, "curl")]),
        LintForm(name: "sudo -i reads the script as a login shell", snippet: "wget -qO- https://example.com/a.sh | sudo -i", expected: [(0, "wget")]),
        LintForm(name: "sudo su", snippet: "curl -fsSL https://example.com/a.sh | sudo su", expected: [(0, "curl")]),
        LintForm(name: "su reads the script as a shell", snippet: "curl -fsSL https://example.com/a.sh | su - deploy", expected: [(0, "curl")]),
        LintForm(name: "ssh host sh", snippet: "curl -fsSL https://example.com/a.sh | ssh deploy@host sh", expected: [(0, "curl")]),
        LintForm(name: "ssh host with no command", snippet: "curl -fsSL https://example.com/a.sh | ssh -p 2222 host", expected: [(0, "curl")]),
        LintForm(name: "ssh host sh -c with a substitution", snippet: "ssh host sh -c \"$(curl -fsSL https://example.com/a.sh)\"", expected: [(0, "curl")]),
        LintForm(name: "docker exec -i c sh", snippet: "curl -fsSL https://example.com/a.sh | docker exec -i -u root box sh", expected: [(0, "curl")]),
        LintForm(name: "kubectl exec -- sh", snippet: "curl -fsSL https://example.com/a.sh | kubectl exec -i pod -- sh", expected: [(0, "curl")]),
        LintForm(name: "time bash", snippet: "curl -fsSL https://example.com/a.sh | time bash", expected: [(0, "curl")]),
        LintForm(name: "a retry wrapper around curl", snippet: "retry curl -fsSL https://example.com/a.sh | sh", expected: [(0, "curl")]),
        LintForm(name: "a backoff wrapper around wget", snippet: "with_backoff wget -qO- https://example.com/a.sh | bash", expected: [(0, "wget")]),
        LintForm(name: "devenv shell curl", snippet: "devenv shell curl -L https://example.com/a.sh | bash", expected: [(0, "curl")]),
        LintForm(name: "a heredoc to sudo -iu USER bash", snippet: "sudo -iu dev bash <<'EOF'\ncurl -fsSL https://example.com/a.sh | sh\nEOF", expected: [(1, "curl")]),
        LintForm(name: "a heredoc to su", snippet: "su - dev <<EOF\ncurl -fsSL https://example.com/a.sh | sh\nEOF", expected: [(1, "curl")]),
        LintForm(name: "a heredoc to incus exec", snippet: "incus exec box -- bash <<'EOF'\ncurl -fsSL https://example.com/a.sh | sh\nEOF", expected: [(1, "curl")]),
        LintForm(name: "a heredoc to docker exec", snippet: "docker exec -i c sh <<EOF\nwget -qO- https://example.com/a.sh | sh\nEOF", expected: [(1, "wget")]),
        LintForm(name: "a heredoc to ssh host bash", snippet: "ssh host bash <<EOF\ncurl -fsSL https://example.com/a.sh | sh\nEOF", expected: [(1, "curl")]),
    ]

    static let negative: [LintForm] = [
        LintForm(name: "pipe into sha256sum", snippet: "curl -s https://example.com/i.sh | sha256sum", expected: []),
        LintForm(name: "scriptpin fetch to a file, then run", snippet: "scriptpin fetch get-helm -o get_helm.sh && bash get_helm.sh", expected: []),
        LintForm(name: "scriptpin fetch into tar", snippet: "scriptpin fetch tool-tgz | tar xz", expected: []),
        LintForm(name: "eval of a download's line count", snippet: "eval \"$(curl -fsSL https://example.com/env.txt | wc -l)\"", expected: []),
        LintForm(name: "a default value in single quotes is text", snippet: "echo '${VERSION:-$(curl -fsSL https://example.com/v.sh | sh)}'", expected: []),
        LintForm(name: "pipe into shasum", snippet: "curl -s https://example.com/i.sh | shasum -a 256", expected: []),
        LintForm(name: "pipe into tar", snippet: "curl -sL https://example.com/t.tgz | tar xz", expected: []),
        LintForm(name: "check || exit", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || exit 1\nbash i.sh", expected: []),
        LintForm(name: "check || { echo; exit 1; }", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || { echo bad; exit 1; }\nbash i.sh", expected: []),
        LintForm(name: "a check in a subshell followed by || exit", snippet: "curl -fsSLo i.sh https://example.com/i.sh\n( sha256sum -c sums ) || exit 1\nbash i.sh", expected: []),
        LintForm(name: "a check in a group followed by || exit", snippet: "curl -fsSLo i.sh https://example.com/i.sh\n{ echo checking; sha256sum -c sums; } || exit 1\nbash i.sh", expected: []),
        LintForm(name: "a check in bash -c under set -e", snippet: "set -e\ncurl -fsSLo i.sh https://example.com/i.sh\nbash -c 'sha256sum -c sums'\nbash i.sh", expected: []),
        LintForm(name: "a check after the re-download covers it", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || exit 1\ncurl -fsSLo i.sh https://example.com/other.sh\nsha256sum -c sums || exit 1\nbash i.sh", expected: []),
        LintForm(name: "check || return in a function", snippet: "f() {\ncurl -fsSLo i.sh https://example.com/i.sh\nsha256sum -c sums || return 1\nbash i.sh\n}", expected: []),
        LintForm(name: "if ! check; then exit 1; fi", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nif ! sha256sum -c sums; then exit 1; fi\nbash i.sh", expected: []),
        LintForm(name: "if check; then run; fi", snippet: "curl -fsSLo i.sh https://example.com/i.sh\nif sha256sum -c sums; then bash i.sh; fi", expected: []),
        LintForm(name: "a pipe into a group that does not run it", snippet: "curl -fsSL https://example.com/i.sh | { cat > i.sh; }", expected: []),
        LintForm(name: "a pipe into a function that does not run it", snippet: "save() { cat > out; }\ncurl -fsSL https://example.com/i.sh | save", expected: []),
        LintForm(name: "echo of bash -c text", snippet: "echo bash -c 'curl -fsSL https://example.com/i.sh | sh'", expected: []),
        LintForm(name: "ssh without a command", snippet: "ssh -i key deploy@host", expected: []),
        LintForm(name: "tee into a process substitution that hashes", snippet: "curl -fsSL https://example.com/i.sh | tee >(sha256sum) > i.sh", expected: []),
        LintForm(name: "arithmetic in an if", snippet: "if (( $# > 0 )); then echo args; fi", expected: []),
        LintForm(name: "arithmetic commands and expansions", snippet: "((i++)); (( count > 0 )) && echo $(( count * 2 ))", expected: []),
        LintForm(name: "a shift in arithmetic", snippet: "x=$(( 1 << 4 )); ((y = x >> 1))", expected: []),
        LintForm(name: "scriptpin fetch into tar, then a file from it run", snippet: "scriptpin fetch tool-tgz | tar xz && ./tool/install.sh", expected: []),
        LintForm(name: "an archive verified before it is unpacked and run", snippet: "curl -o t.tgz https://example.com/t.tgz && sha256sum -c sums && tar xzf t.tgz && ./t/install.sh", expected: []),
        LintForm(name: "an archive unpacked with -C, then a program elsewhere run", snippet: "curl -fsSL https://example.com/t.tgz | tar -xz -C /opt/t && /usr/bin/env true", expected: []),
        LintForm(name: "pipe into jq", snippet: "curl -s https://api.example.com/v | jq .tag_name", expected: []),
        LintForm(name: "pipe into shellcheck", snippet: "curl -s https://example.com/i.sh | shellcheck -", expected: []),
        LintForm(name: "the sh in /usr/share", snippet: "ls /usr/share | sh", expected: []),
        LintForm(name: "echoed text", snippet: "echo \"curl -s https://example.com/i.sh | sh\"", expected: []),
        LintForm(name: "single-quoted echo", snippet: "echo 'bash <(curl -s https://example.com/i.sh)'", expected: []),
        LintForm(name: "printf text", snippet: "printf '%s\\n' 'curl https://example.com/x | sh'", expected: []),
        LintForm(name: "heredoc written to a file", snippet: "cat <<'EOF' > README\ncurl -s https://example.com/i.sh | sh\nEOF", expected: []),
        LintForm(name: "comment", snippet: "# curl -s https://example.com/i.sh | sh\ntrue", expected: []),
        LintForm(name: "scriptpin run", snippet: "scriptpin run tool -- --yes", expected: []),
        LintForm(name: "sha256sum -c joined with &&", snippet: "curl -o i.sh https://example.com/i.sh && sha256sum -c i.sh.sha256 && bash i.sh", expected: []),
        LintForm(name: "shasum -a 256 -c", snippet: "curl -o i.sh https://example.com/i.sh && shasum -a 256 -c sums && sh i.sh", expected: []),
        LintForm(name: "a failing subshell stops a set -e script", snippet: "set -e\ncurl -o i.sh https://example.com/i.sh\n( sha256sum -c sums )\nbash i.sh", expected: []),
        LintForm(name: "set -e in a brace group holds after it", snippet: "{ set -e; }\ncurl -o i.sh https://example.com/i.sh\nsha256sum -c sums\nbash i.sh", expected: []),
        LintForm(name: "set -e then verify", snippet: "set -e\ncurl -o i.sh https://example.com/i.sh\nsha256sum --check sums\nbash i.sh", expected: []),
        LintForm(name: "gpg --verify", snippet: "curl -O https://example.com/i.sh && gpg --verify i.sh.asc i.sh && bash i.sh", expected: []),
        LintForm(name: "minisign -V", snippet: "wget https://example.com/i.sh && minisign -V -m i.sh -P key && sh i.sh", expected: []),
        LintForm(name: "cosign verify-blob", snippet: "curl -o i.sh https://example.com/i.sh && cosign verify-blob --signature s i.sh && bash i.sh", expected: []),
        LintForm(name: "scriptpin verify", snippet: "curl -o i.sh https://example.com/i.sh && scriptpin verify i.sh && bash i.sh", expected: []),
        LintForm(name: "a local script", snippet: "bash ./scripts/build.sh", expected: []),
        LintForm(name: "download never run", snippet: "curl -o data.json https://api.example.com/d", expected: []),
        LintForm(name: "another file run", snippet: "curl -o a.sh https://example.com/a.sh\nbash b.sh", expected: []),
        LintForm(name: "curl to a file, not piped", snippet: "curl -fsSLo tool.tgz https://example.com/t.tgz | cat", expected: []),
        LintForm(name: "just a URL variable", snippet: "url=https://example.com/i.sh\necho \"$url\"", expected: []),
        LintForm(name: "man page", snippet: "man curl | less", expected: []),
        LintForm(name: "verify guards only with &&", snippet: "curl -o i.sh https://example.com/i.sh && sha256sum -c s || true", expected: []),
        // Hand-written digest checks that stop the script on a mismatch.
        LintForm(name: "[[ digest != expected ]] && exit 1",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\n[[ \"$(sha256sum a.sh | cut -d' ' -f1)\" != \"$expected\" ]] && exit 1\nbash a.sh", expected: []),
        LintForm(name: "if [ $sum != $want ]; then echo; exit 1; fi",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\nsum=$(sha256sum a.sh | cut -d' ' -f1)\nif [ \"$sum\" != \"$want\" ]; then echo bad; exit 1; fi\nbash a.sh", expected: []),
        LintForm(name: "test digest = want || exit 1",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh\ntest \"$(shasum -a 256 a.sh | awk '{print $1}')\" = \"$want\" || exit 1\nbash a.sh", expected: []),
        LintForm(name: "[ openssl dgst = want ] && bash",
                 snippet: "curl -fsSLo a.sh https://example.com/a.sh && [ \"$(openssl dgst -sha256 a.sh)\" = \"$want\" ] && bash a.sh", expected: []),
        LintForm(name: "! sha256sum -c && exit 1", snippet: "curl -fsSLo a.sh https://example.com/a.sh\n! sha256sum -c sums && exit 1\nbash a.sh", expected: []),
        LintForm(name: "a string holding a pipe that nothing runs", snippet: "cmd=\"curl -fsSL https://example.com/a.sh | bash\"\necho \"$cmd\"", expected: []),
        LintForm(name: "eval of a string reassigned to something harmless", snippet: "cmd=\"curl -fsSL https://example.com/a.sh | bash\"\ncmd=true\neval \"$cmd\"", expected: []),
        LintForm(name: "a variable's file that was not downloaded", snippet: "f=$(mktemp)\necho true > \"$f\"\n\"$f\"", expected: []),
        LintForm(name: "after cd elsewhere, a same-named file is another file", snippet: "curl -fsSLo t.sh https://example.com/t.sh\ncd other\nsh t.sh", expected: []),
        LintForm(name: "a wrapper's downloader as text", snippet: "echo retry curl -fsSL https://example.com/a.sh | sh", expected: []),
        LintForm(name: "ssh running another command", snippet: "curl -fsSL https://example.com/a.txt | ssh host cat", expected: []),
        LintForm(name: "sudo -u with a command that reads no code", snippet: "curl -fsSL https://example.com/a.txt | sudo -u dev tee /tmp/a.txt", expected: []),
        LintForm(name: "docker exec of another command", snippet: "curl -fsSL https://example.com/a.txt | docker exec -i box cat", expected: []),
        LintForm(name: "a wrapper whose downloader saves a file nothing runs", snippet: "retry curl -fsSLo a.txt https://example.com/a.txt", expected: []),
    ]

    /// Negative forms whose verification relies on an `&&` chain the runner cannot break.
    static let negativeSingleLine = negative.filter(\.singleLine)
}

@Suite("lint: every form in every file kind, at its exact position")
struct LintTableTests {
    @Test("Shell scripts", arguments: LintCases.positive + LintCases.negative)
    func shellScripts(form: LintForm) {
        let text = "#!/bin/sh\n" + form.snippet + "\n"
        let expected = form.positions().map { ($0.0 + 1, $0.1) }
        #expect(same(found(text, path: "script.sh"), expected), "\(form.name): \(found(text, path: "script.sh"))")
    }

    @Test("Dockerfile RUN lines", arguments: (LintCases.positive + LintCases.negative).filter { $0.singleLine && !$0.snippet.contains("set -e") })
    func dockerfiles(form: LintForm) {
        let text = "FROM debian:12\nRUN " + form.snippet + "\n"
        let expected = form.positions().map { ($0.0 + 1, $0.1 + 4) }
        #expect(same(found(text, path: "Dockerfile"), expected), "\(form.name): \(found(text, path: "Dockerfile"))")
    }

    @Test("GitHub Actions run: blocks", arguments: LintCases.positive + LintCases.negative)
    func githubWorkflows(form: LintForm) {
        let body = form.snippet.split(separator: "\n", omittingEmptySubsequences: false).map { "          " + $0 }.joined(separator: "\n")
        let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: step\n        run: |\n" + body + "\n"
        let expected = form.positions().map { ($0.0 + 8, $0.1 + 10) }
        #expect(same(found(text, path: ".github/workflows/ci.yml"), expected), "\(form.name): \(found(text, path: ".github/workflows/ci.yml"))")
    }

    @Test("GitLab CI script: items", arguments: LintCases.positive + LintCases.negative)
    func gitlab(form: LintForm) {
        let body = form.snippet.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n")
        let text = "stages: [test]\ntest:\n  image: debian\n  script:\n    - |\n" + body + "\n"
        let expected = form.positions().map { ($0.0 + 5, $0.1 + 6) }
        #expect(same(found(text, path: ".gitlab-ci.yml"), expected), "\(form.name): \(found(text, path: ".gitlab-ci.yml"))")
    }

    /// The snippet as a block scalar, indented by `indent` spaces, after `header` lines.
    private func yamlBlock(_ form: LintForm, header: String, indent: Int) -> (text: String, lineOffset: Int) {
        let pad = String(repeating: " ", count: indent)
        let body = form.snippet.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
        return (header + body + "\n", header.count { $0 == "\n" })
    }

    @Test("Travis CI phases", arguments: LintCases.positive + LintCases.negative)
    func travis(form: LintForm) {
        let (text, lines) = yamlBlock(form, header: "language: shell\nscript:\n  - |\n", indent: 4)
        let expected = form.positions().map { ($0.0 + lines, $0.1 + 4) }
        #expect(same(found(text, path: ".travis.yml"), expected), "\(form.name): \(found(text, path: ".travis.yml"))")
    }

    @Test("CircleCI run steps", arguments: LintCases.positive + LintCases.negative)
    func circleCI(form: LintForm) {
        let (text, lines) = yamlBlock(form, header: "version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run:\n          command: |\n", indent: 12)
        let expected = form.positions().map { ($0.0 + lines, $0.1 + 12) }
        #expect(same(found(text, path: ".circleci/config.yml"), expected), "\(form.name): \(found(text, path: ".circleci/config.yml"))")
    }

    @Test("Azure Pipelines bash steps", arguments: LintCases.positive + LintCases.negative)
    func azure(form: LintForm) {
        let (text, lines) = yamlBlock(form, header: "trigger: [main]\nsteps:\n  - bash: |\n", indent: 6)
        let expected = form.positions().map { ($0.0 + lines, $0.1 + 6) }
        #expect(same(found(text, path: "azure-pipelines.yml"), expected), "\(form.name): \(found(text, path: "azure-pipelines.yml"))")
    }

    @Test("Bitbucket Pipelines script lines", arguments: LintCases.positive + LintCases.negative)
    func bitbucket(form: LintForm) {
        let (text, lines) = yamlBlock(form, header: "pipelines:\n  default:\n    - step:\n        script:\n          - |\n", indent: 12)
        let expected = form.positions().map { ($0.0 + lines, $0.1 + 12) }
        #expect(same(found(text, path: "bitbucket-pipelines.yml"), expected), "\(form.name): \(found(text, path: "bitbucket-pipelines.yml"))")
    }

    @Test("Ansible shell tasks", arguments: LintCases.positive + LintCases.negative)
    func ansible(form: LintForm) {
        let (text, lines) = yamlBlock(form, header: "- name: install\n  ansible.builtin.shell: |\n", indent: 4)
        let expected = form.positions().map { ($0.0 + lines, $0.1 + 4) }
        #expect(same(found(text, path: "roles/tool/tasks/main.yml"), expected), "\(form.name): \(found(text, path: "roles/tool/tasks/main.yml"))")
    }

    /// A Groovy ''' string resolves backslash escapes and ends at ''': forms holding either are left to the shell tables.
    @Test("Jenkinsfile sh steps", arguments: (LintCases.positive + LintCases.negative).filter { !$0.snippet.contains("\\") && !$0.snippet.contains("'''") })
    func jenkinsfile(form: LintForm) {
        let text = "pipeline {\n  agent any\n  stages { stage('t') { steps {\n    sh '''\n" + form.snippet + "\n    '''\n  } } }\n}\n"
        let expected = form.positions().map { ($0.0 + 4, $0.1) }
        #expect(same(found(text, path: "Jenkinsfile"), expected), "\(form.name): \(found(text, path: "Jenkinsfile"))")
    }

    @Test("Makefile recipes", arguments: (LintCases.positive + LintCases.negative).filter(\.singleLine))
    func makefiles(form: LintForm) {
        let recipe = form.snippet.replacingOccurrences(of: "$", with: "$$")
        let text = "all:\n\t" + recipe + "\n"
        let expected = form.positions(dollarDoubling: true).map { ($0.0 + 1, $0.1 + 1) }
        #expect(same(found(text, path: "Makefile"), expected), "\(form.name): \(found(text, path: "Makefile"))")
    }
}

@Suite("lint: file-kind specifics and corner cases")
struct LintCornerCaseTests {
    /// The shapes of OpenSSF Scorecard's downloadThenRun test data, in lines
    /// of our own: a download to a file run at once or on a later line, a
    /// pipe after continuation lines, process substitution after `;` and
    /// `&&` chains, and the dotnet-install idiom that ends in `bash /dev/stdin`.
    @Test("Scorecard's downloadThenRun shapes: every one is found, in a script and in a Dockerfile")
    func scorecardShapes() {
        let script = """
            #!/bin/bash

            # a comment that mentions curl | bash
            curl > /tmp/installer && bash /tmp/installer

            curl > /tmp/second

            echo start && \\
                    curl example | bash

            echo again && \\
              /tmp/second

            echo one && \\
              echo two && \\
              bash <(wget -qO- http://example.com/setup.sh)

            echo one;  echo two; bash <(wget -qO- http://example.com/setup.sh)

            prepare && curl example | bash

            curl -sSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --channel 8.0
            curl -sSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --version latest --install-dir /usr/share/dotnet
            """
        #expect(same(found(script, path: "download-lines.sh"), [(4, 26), (9, 9), (12, 3), (16, 10), (18, 29), (20, 12), (22, 1), (23, 1)]),
                "\(found(script, path: "download-lines.sh"))")
        let dockerfile = """
            FROM debian:12
            RUN echo start && \\
            \tcurl example | bash
            RUN curl -sSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --channel 8.0
            RUN set -e; curl -sSL https://dot.net/v1/dotnet-install.sh | bash /dev/stdin --channel 6.0 && echo done
            RUN prepare && \\
            \tpip install -r requirements.txt
            """
        #expect(same(found(dockerfile, path: "Dockerfile-download-lines"), [(3, 2), (4, 5), (5, 13)]), "\(found(dockerfile, path: "Dockerfile-download-lines"))")
    }

    @Test("PowerShell: downloaded code reaching an executor, or a downloaded file run, is found where it is code", arguments: [
        ("iwr https://example.com/a.ps1 | iex", [(1, 1)]),
        ("irm https://example.com/a.ps1 | Invoke-Expression", [(1, 1)]),
        ("iex (iwr https://example.com/a.ps1 -UseBasicParsing)", [(1, 6)]),
        ("Invoke-Expression ((New-Object Net.WebClient).DownloadString('https://example.com/a.ps1'))", [(1, 47)]),
        ("& ([scriptblock]::Create((irm https://example.com/a.ps1)))", [(1, 27)]),
        ("& (irm https://example.com/a.ps1)", [(1, 4)]),
        ("Write-Host \"$(iwr https://example.com/a.ps1 | iex)\"", [(1, 15)]),
        ("Invoke-WebRequest -Uri https://example.com/i.ps1 -OutFile i.ps1\n.\\i.ps1", [(2, 1)]),
        ("iwr https://example.com/i.ps1 -OutFile i.ps1\n& ./i.ps1 -Force", [(2, 1)]),
        ("iwr https://example.com/i.ps1 -OutFile i.ps1\npwsh -File i.ps1", [(2, 1)]),
        ("iwr https://example.com/m.psm1 -OutFile m.psm1\nImport-Module ./m.psm1", [(2, 1)]),
        ("(New-Object Net.WebClient).DownloadFile('https://example.com/i.ps1', 'i.ps1')\n. .\\i.ps1", [(2, 1)]),
        ("if ($true) {\n  iwr https://example.com/a.ps1 | iex\n}", [(2, 3)]),
        ("$exe = \"$env:TEMP\\setup.exe\"\niwr https://example.com/setup.exe -OutFile $exe\nStart-Process $exe -ArgumentList '/S' -Wait", [(3, 1)]),
        ("iwr https://example.com/setup.exe -OutFile setup.exe\nStart-Process -FilePath setup.exe -Wait", [(2, 1)]),
        ("$exe = 'tool.exe'\niwr https://example.com/tool.exe -OutFile $exe\n& $exe /quiet", [(3, 1)]),
        ("iwr https://example.com/i.ps1 -OutFile i.ps1\nif ((Get-FileHash i.ps1).Hash -ne $expected) {\n  Write-Warning 'bad download'\n}\n.\\i.ps1", [(5, 1)]),
        // Not code: comments, strings, here-strings; and a verified file.
        ("<#\niwr https://example.com/a.ps1 | iex\n#>\nWrite-Host ok", []),
        ("# iwr https://example.com/a.ps1 | iex", []),
        ("Write-Host 'iwr https://example.com/a.ps1 | iex'", []),
        ("Write-Host \"run: iwr https://example.com/a.ps1 | iex\"", []),
        ("$text = @'\niwr https://example.com/a.ps1 | iex\n'@\nWrite-Host $text", []),
        ("iwr https://example.com/i.ps1 -OutFile i.ps1\nif ((Get-FileHash i.ps1).Hash -ne $expected) {\n  throw 'bad download'\n}\n.\\i.ps1", []),
        ("iwr https://example.com/d.json -OutFile d.json\nGet-Content d.json", []),
        ("$exe = 'tool.exe'\niwr https://example.com/tool.exe -OutFile $exe\nif ((Get-FileHash $exe).Hash -ne $want) { throw 'bad' }\n& $exe /quiet", []),
    ])
    func powershell(source: String, expected: [(Int, Int)]) {
        #expect(same(found(source + "\n", path: "install.ps1"), expected), "\(found(source + "\n", path: "install.ps1"))")
    }

    @Test("PowerShell: a file downloaded in one pwsh step and run in a later step of the same job")
    func powershellAcrossSteps() {
        let text = """
            jobs:
              win:
                runs-on: windows-latest
                steps:
                  - shell: pwsh
                    run: Invoke-WebRequest https://example.com/setup.ps1 -OutFile setup.ps1
                  - shell: pwsh
                    run: ./setup.ps1 -Quiet
            """
        #expect(same(found(text, path: ".github/workflows/w.yml"), [(8, 14)]))
    }

    @Test("GitLab CI: extends (hidden templates, lists, chains), default:, anchors, aliases and merge keys are resolved")
    func gitlabInheritance() {
        let text = """
            .install-steps: &install
              - curl -fsSLo tool.sh https://example.com/tool.sh
            .base:
              before_script:
                - curl -fsSLo setup.sh https://example.com/setup.sh
            .middle:
              extends: .base
            default:
              before_script:
                - curl -fsSLo d.sh https://example.com/d.sh
            extends-job:
              extends: .middle
              script:
                - bash setup.sh
            default-job:
              script:
                - bash d.sh
            alias-job:
              before_script: *install
              script:
                - bash tool.sh
            .merge-base: &merge
              before_script:
                - curl -fsSLo m.sh https://example.com/m.sh
            merge-job:
              <<: *merge
              script:
                - bash m.sh
            list-job:
              extends: [.unknown, .base]
              script:
                - ./setup.sh
            """
        #expect(same(found(text, path: ".gitlab-ci.yml"), [(14, 7), (17, 7), (21, 7), (28, 7), (32, 7)]), "\(found(text, path: ".gitlab-ci.yml"))")
    }

    @Test("zsh scripts parse, whatever their name: glob qualifiers, ${(f)…}, =(…), always blocks, short for and if forms")
    func zshScripts() {
        let script = """
            #!/usr/bin/env zsh
            setopt extended_glob
            for f in **/*.sh(N); do echo $f; done
            lines=(${(f)"$(cat list)"})
            files=( *.txt(om[1,3]) )
            diff =(ls) =(ls -a)
            { echo try } always { echo cleanup }
            [[ $x == (#i)abc ]] && echo yes
            (( $+commands[git] )) && echo git
            for x (a b c) echo $x
            if [[ -n $x ]] { echo short }
            sh =(curl -fsSL https://example.com/z.sh)
            curl -fsSL https://example.com/i.sh | sh

            """
        for path in ["tool.zsh", "install.sh", "bin/setup"] {
            #expect(same(found(script, path: path), [(12, 6), (13, 1)]), "\(path): \(found(script, path: path))")
        }
    }

    @Test("Dockerfile and Containerfile names in every spelling are Dockerfiles; source files named after them are not", arguments: [
        ("Dockerfile", true), ("Dockerfile.dev", true), ("Dockerfile-ubuntu-20.04", true), ("DockerfileAlpine", true),
        ("app.Dockerfile", true), ("build.dockerfile", true), ("Containerfile", true), ("Containerfile.ci", true),
        ("Containerfile-fedora", true), ("base.containerfile", true), ("dockerfile_test.go", false), ("Dockerfile.md", false),
        ("dockerfiles", true), ("DockerfileParser.java", false),
    ])
    func dockerfileNames(name: String, isDockerfile: Bool) {
        #expect((LintFileKind.classify(path: "docker/\(name)", includeDocs: false) == .kind(.dockerfile)) == isDockerfile)
    }

    @Test("A file whose #! line names a shell is read, whatever its name; one naming another language is not")
    func shebangDecides() {
        let directory = TemporaryDirectory("scriptpin-shebang")
        directory.write("tools/setup.py", "#!/bin/sh\ncurl -fsSL https://example.com/i.sh | sh\n")
        directory.write("tools/run", "#!/usr/bin/env -S bash -e\ncurl -fsSL https://example.com/r.sh | bash\n")
        directory.write("tools/real.py", "#!/usr/bin/env python3\nprint('curl https://example.com/x | sh')\n")
        directory.write("tools/logo.png", "#!/bin/sh\ncurl -fsSL https://example.com/p.sh | sh\n")
        var linted: [String] = []
        for name in ["setup.py", "run", "real.py", "logo.png"] {
            let (file, _) = LintCommand.lint(LintCommand.Source(path: directory.url("tools/\(name)"), explicit: false, stagedContent: nil), includeDocs: false)
            if let file, !file.diagnostics.isEmpty { linted.append(name) }
        }
        #expect(linted == ["setup.py", "run", "logo.png"])
    }

    @Test("Makefile: a check alone on a line stops make when it fails; not with a - prefix, nor before ; on its line")
    func makefileFailClosed() {
        let download = "all:\n\tcurl -fsSLo i.sh https://example.com/i.sh\n"
        #expect(found(download + "\tsha256sum -c sums\n\tbash i.sh\n", path: "Makefile").isEmpty)
        #expect(same(found(download + "\t-sha256sum -c sums\n\tbash i.sh\n", path: "Makefile"), [(4, 2)]))
        #expect(same(found(download + "\tsha256sum -c sums; bash i.sh\n", path: "Makefile"), [(3, 21)]))
    }

    @Test("Makefile and Dockerfile: each recipe line and each RUN is a new shell, so set -e on one does not hold on the next")
    func newShellPerUnit() {
        let line = "curl -fsSLo i.sh https://example.com/i.sh; sha256sum -c sums; bash i.sh"
        #expect(same(found("all:\n\tset -e\n\t\(line)\n", path: "Makefile"), [(3, 64)]))
        #expect(found("all:\n\tset -e; \(line)\n", path: "Makefile").isEmpty)
        #expect(same(found("FROM debian:12\nRUN set -e\nRUN \(line)\n", path: "Dockerfile"), [(3, 67)]))
        #expect(same(found("FROM debian:12\nRUN run() { sh; }\nRUN curl -fsSL https://example.com/i.sh | run\n", path: "Dockerfile"), []))
    }

    @Test("A file downloaded in one GitHub step and run in a later step of the same job, not another job")
    func acrossSteps() {
        let text = """
            jobs:
              one:
                steps:
                  - run: curl -fsSLo tool.sh https://example.com/tool.sh
                  - name: later
                    run: bash tool.sh --install
              two:
                steps:
                  - run: bash tool.sh
            """
        #expect(same(found(text, path: ".github/workflows/x.yaml"), [(6, 14)]))
    }

    @Test("Folded and plain YAML scalars map back to their lines")
    func yamlScalars() {
        let text = """
            jobs:
              build:
                steps:
                  - run: >
                      curl -fsSL https://example.com/f.sh
                      | bash
                  - run: curl -s https://example.com/p.sh
                      | sh
                  - run: "wget -qO- https://example.com/q.sh | sh"
                  - run: 'echo "curl https://example.com/x | sh"'
            """
        #expect(same(found(text, path: ".github/workflows/y.yml"), [(5, 11), (7, 14), (9, 15)]))
    }

    @Test("shell: pwsh steps are read as PowerShell")
    func powershellSteps() {
        let text = """
            jobs:
              win:
                steps:
                  - shell: pwsh
                    run: iex (iwr https://example.com/a.ps1)
                  - shell: pwsh
                    run: |
                      iwr https://example.com/b.ps1 -UseBasicParsing | iex
                      Invoke-Expression ((New-Object Net.WebClient).DownloadString('https://example.com/c.ps1'))
                      Write-Host 'iex (iwr https://example.com/quoted)' # a comment mentioning iwr
            """
        let positions = found(text, path: ".github/workflows/w.yml")
        #expect(same(Array(positions.prefix(3)), [(5, 19), (8, 11), (9, 57)]))
    }

    @Test("A composite action's steps are read")
    func compositeAction() {
        let text = "name: a\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: curl -s https://example.com/a.sh | bash\n"
        #expect(same(found(text, path: "action.yml"), [(6, 12)]))
    }

    @Test("GitLab: default and job before_script and after_script, run around script in one job; a function defined in one script line is called in the next")
    func gitlabSections() {
        let text = """
            default:
              before_script:
                - curl -o setup.sh https://example.com/setup.sh
            build:
              script:
                - bash setup.sh
              after_script:
                - wget -qO- https://example.com/cleanup.sh | sh
            test:
              before_script:
                - echo own before_script replaces the default
              script:
                - bash setup.sh
            deploy:
              script:
                - run_it() { sh -s; }
                - curl -fsSL https://example.com/deploy.sh | run_it
            """
        #expect(same(found(text, path: ".gitlab-ci.yml"), [(6, 7), (8, 7), (17, 7)]))
    }

    @Test("Dockerfile: continuation lines, exec form, heredoc, ADD of a URL, comments inside a RUN, and a new stage")
    func dockerfileForms() {
        let text = """
            FROM debian AS build
            RUN apt-get update \\
                # comment inside the RUN
                && curl -fsSL https://deb.example.com/setup_lts.x \\
                | bash -
            RUN ["/bin/sh", "-c", "wget -qO- https://example.com/x.sh | sh"]
            RUN <<EOF
            set -e
            curl -s https://example.com/h.sh | sh
            EOF
            ADD https://example.com/added.sh /opt/
            RUN bash /opt/added.sh
            ADD --checksum=sha256:0000 https://example.com/pinned.sh /opt/pinned.sh
            RUN sh /opt/pinned.sh
            RUN curl -o /tmp/i.sh https://example.com/i.sh
            FROM alpine
            RUN sh /tmp/i.sh
            """
        #expect(same(found(text, path: "build/Dockerfile"), [(4, 8), (6, 24), (9, 1), (12, 5)]))
    }

    @Test("Dockerfile: a heredoc given to a command (RUN bash <<'EOS'), and a blank line inside a RUN continuation")
    func dockerfileHeredocToCommand() {
        let text = """
            FROM debian
            RUN bash <<'EOS'
            set -e
            curl -fsSL https://example.com/h.sh | sh
            EOS
            RUN sudo -u dev sh <<-EOF
            	wget -qO- https://example.com/w.sh | bash
            	EOF
            RUN apt-get update \\

                && curl -fsSL https://example.com/b.sh \\
                | sh
            RUN python3 <<EOF
            print("curl https://example.com/p.sh | sh")
            EOF
            """
        #expect(same(found(text, path: "Dockerfile"), [(4, 1), (7, 2), (11, 8)]), "\(found(text, path: "Dockerfile"))")
    }

    @Test("Makefile: a download and its execution on later recipe lines of one rule")
    func makefileLines() {
        let text = "get:\n\tcurl -o i.sh https://example.com/i.sh\n\t@bash i.sh\nother:\n\tbash i.sh\n"
        #expect(same(found(text, path: "Makefile"), [(3, 3)]))
    }

    @Test("Markdown code blocks are read only as shell, console prompts only")
    func markdown() {
        let text = "# Install\n\n```sh\ncurl -fsSL https://example.com/i.sh | sh\n```\n\n```console\n$ wget -qO- https://example.com/w.sh | bash\noutput | sh\n```\n\n```python\ncurl = 1\n```\n"
        #expect(same(found(text, path: "README.md"), [(4, 1), (8, 3)]))
    }

    @Test("Suppression on the line or the line above")
    func suppression() {
        let text = "curl -s https://a.example.com/1 | sh # scriptpin: ignore vendored and reviewed\n# scriptpin: ignore bootstrap before scriptpin exists\nwget -qO- https://b.example.com/2 | sh\ncurl -s https://c.example.com/3 | sh\n"
        #expect(same(found(text, path: "x.sh"), [(4, 1)]))
    }

    @Test("The fix names the pin and the script's arguments")
    func fix() {
        let bytes = Array("curl -fsSL https://example.com/get-tool.sh | bash -s -- --prefix /opt\n".utf8)
        let diagnostic = LintEngine.lint(bytes, kind: .shell).first
        #expect(diagnostic?.fix == "scriptpin add get-tool https://example.com/get-tool.sh, then scriptpin run get-tool -- --prefix /opt")
        #expect(diagnostic?.message == "https://example.com/get-tool.sh (downloaded by curl) is piped into bash")
        #expect(diagnostic?.url == "https://example.com/get-tool.sh")
        // Each argument as written: quotes and substitutions kept, in every file kind that reads shell.
        let written = "-b $(go env GOPATH)/bin \"v1.55 x\" '$HOME'"
        for (kind, text) in [(LintFileKind.shell, "curl -sSfL https://example.com/i.sh | sh -s -- \(written)\n"),
                             (.dockerfile, "FROM debian\nRUN curl -sSfL https://example.com/i.sh | sh -s -- \(written)\n")] {
            let found = LintEngine.lint(Array(text.utf8), kind: kind).first
            #expect(found?.fix == "scriptpin add example-i https://example.com/i.sh, then scriptpin run example-i -- \(written)", "\(kind)")
        }
    }

    @Test("Unparseable input is reported with its position", arguments: [
        ("curl -s https://example.com/x | sh '\n", 1, 36, "unterminated single quote"),
        ("echo \"$(curl https://example.com/x\n", 1, 7, "unterminated command substitution '$('"),
        ("cat <<EOF\ncurl https://example.com | sh\n", 1, 7, "heredoc is not closed: no line 'EOF' follows"),
        ("curl https://example.com | ( sh\n", 1, 28, "a '(' subshell is not closed with ')'"),
    ])
    func parseErrors(text: String, line: Int, column: Int, message: String) {
        let diagnostics = LintEngine.lint(Array(text.utf8), kind: .shell)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.rule == .parseError)
        #expect(diagnostics.first?.line == line)
        #expect(diagnostics.first?.column == column)
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics)")
    }

    @Test("YAML that cannot be read is reported with its line")
    func badYAML() {
        let text = "jobs:\n  build:\n    steps:\n      - run: \"curl https://example.com/x | sh\n"
        let diagnostics = LintEngine.lint(Array(text.utf8), kind: .githubWorkflow)
        #expect(diagnostics.map(\.rule) == [.parseError])
        #expect(diagnostics.first?.line == 4)
    }
}

@Suite("lint: the parser under random and mutated input")
struct LintPropertyTests {
    @Test("Random bytes and mutations of real scripts: parsing ends, every position is on a real line, findings are sorted and unique")
    func fuzz() {
        var generator = SeededGenerator(seed: 77)
        let corpus = (LintCases.positive + LintCases.negative).map(\.snippet)
        let alphabet = Array("curl wget | sh bash $( ) ` ' \" \\ \n < > & ; { } << EOF -o -c".utf8)
        for round in 0..<1200 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = generator.bytes(Int.random(in: 0...400, using: &generator))
            case 1:
                bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            default:
                bytes = Array(corpus.randomElement(using: &generator)!.utf8)
                for _ in 0..<Int.random(in: 1...6, using: &generator) where !bytes.isEmpty {
                    let position = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0...2, using: &generator) {
                    case 0: bytes.remove(at: position)
                    case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                    default: bytes[position] = alphabet.randomElement(using: &generator)!
                    }
                }
            }
            let lineLengths = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(\.count)
            for kind in [LintFileKind.shell, .dockerfile, .githubWorkflow, .gitlabCI, .makefile, .markdown] {
                let diagnostics = LintEngine.lint(bytes, kind: kind)
                for diagnostic in diagnostics {
                    #expect((1...lineLengths.count).contains(diagnostic.line), "round \(round), \(kind): line \(diagnostic.line) of \(lineLengths.count)")
                    if (1...lineLengths.count).contains(diagnostic.line) {
                        #expect((1...(lineLengths[diagnostic.line - 1] + 1)).contains(diagnostic.column),
                                "round \(round), \(kind): column \(diagnostic.column) on a line of \(lineLengths[diagnostic.line - 1]) bytes")
                    }
                }
                let positions = diagnostics.map { [$0.line, $0.column] }
                #expect(positions == positions.sorted { $0.lexicographicallyPrecedes($1) }, "round \(round), \(kind): sorted")
                let keys = diagnostics.map { "\($0.line):\($0.column):\($0.rule):\($0.message)" }
                #expect(Set(keys).count == keys.count, "round \(round), \(kind): unique")
            }
        }
    }

    @Test("Stepping over commands of no interest changes no finding: random scripts analysed with and without the skimming parse")
    func skimmingIsExact() {
        let lines = [
            "echo building; mkdir -p out", "grep -r TODO src | sort | uniq -c", "cut -c 1-5 f | wc -l", "git -c core.x=1 status",
            "curl -fsSL https://example.com/a.sh -o a.sh", "curl -fsSL https://example.com/b.sh | grep -v x | sh",
            "wget -qO- https://example.com/c.sh | sort | bash", "sh a.sh", "sha256sum -c a.sh.sha256", "set -e", "set +e",
            "timeout 9 bash -c 'curl -fsSL https://example.com/d.sh | sh'", "nice -n 1 bash -c \"$(curl -fsSL https://example.com/e.sh)\"",
            "run_it() { sh -s; }", "curl -fsSL https://example.com/f.sh | run_it", "cat a.sh | sh", "zcat a.sh | bash",
            "curl -fsSL https://example.com/g.tgz | tar xz && ./g/install.sh", "if ! sha256sum -c a.sh.sha256; then exit 1; fi",
            "for f in *.txt; do wc -l \"$f\"; done", "case \"$1\" in x) uniq -c ;; *) exit 1 ;; esac",
            "curl -fsSL https://example.com/h.sh | { grep -q x; sh; }", "tee log < a.sh | sh", "echo ok | sh", "head -c 10 a.sh | sh",
            "sed -e s/a/b/ a.sh | sh", "timeout 9 bash -c ./a.sh", "if [ -n \"$CI\" ]; then sh a.sh; fi", "[ -f a.sh ] && sh a.sh",
            "[ -x ./g/install.sh ] || exit 1", "xargs -n1 sh -c 'wget -qO- https://example.com/i.sh | sh'", "printf %s x | run_it",
            "if [ \"$(sha256sum a.sh | cut -d' ' -f1)\" != \"$want\" ]; then echo bad; exit 1; fi", "[ -f a.sh ] || { echo missing; exit 1; }",
            "while read -r l; do echo \"$l\"; done < list", "case $x in a|b) exit 1;; (c) echo c;; esac", "{ echo a; exit 2; }",
            "until false; do break; done", "if true; then :; elif false; then exit; else echo; fi",
        ]
        // Each line may also stand inside a group, so that groups the skim steps over whole meet every line.
        let groups = ["if [ -n \"$CI\" ]; then\n%@\nfi", "for f in a \"b c\"; do %@; done", "{ %@; }", "case \"$1\" in x) %@ ;; esac",
                      "while false; do\n  %@\ndone", "%@"]
        func findings(_ text: [UInt8], skimming: Bool) -> [String] {
            let parsed = skimming
                ? ShellParser.parse(text, dialect: .bash, skimming: DownloadExecAnalyzer.skimPolicy)
                : ShellParser.parse(text, dialect: .bash)
            guard case .success(let list) = parsed else { return ["parse error"] }
            var state = DownloadFlowState()
            return DownloadExecAnalyzer.analyze(list, state: &state, unitFailsClosed: false).map { "\($0.offset): \($0.message)" }
        }
        var generator = SeededGenerator(seed: 12)
        var total = 0
        for round in 0..<600 {
            let script = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                var line = lines.randomElement(using: &generator)!
                for _ in 0..<Int.random(in: 0...2, using: &generator) {
                    line = groups.randomElement(using: &generator)!.replacingOccurrences(of: "%@", with: line)
                }
                return line
            }.joined(separator: "\n")
            let skimmed = findings(Array(script.utf8), skimming: true)
            #expect(skimmed == findings(Array(script.utf8), skimming: false), "round \(round):\n\(script)")
            total += skimmed.count
        }
        #expect(total > 600)
    }

    @Test("Deep nesting is refused with a position instead of exhausting the stack")
    func deepNesting() {
        let text = String(repeating: "$(", count: 10_000) + "curl https://example.com | sh" + String(repeating: ")", count: 10_000)
        let diagnostics = LintEngine.lint(Array(text.utf8), kind: .shell)
        #expect(diagnostics.first?.rule == .parseError)
        #expect(diagnostics.first?.message.contains("nesting deeper than 64 levels") == true)
        let parameters = String(repeating: "${x:-", count: 10_000) + "$(curl https://example.com | sh)" + String(repeating: "}", count: 10_000)
        #expect(LintEngine.lint(Array(parameters.utf8), kind: .shell).first?.message.contains("nesting deeper than 64 levels") == true)
        let yaml = String(repeating: "- ", count: 5000) + "curl https://example.com | sh\n"
        #expect(LintEngine.lint(Array(yaml.utf8), kind: .gitlabCI).allSatisfy { $0.rule == .parseError })
    }
}
