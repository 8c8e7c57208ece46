import Testing
@testable import ScriptPinKit

/// The shell parser on its own, in the manner of mvdan/sh's parser tests:
/// each snippet with the shape of the AST it must produce (`ShellShape`
/// renders it: `[words]` a simple command, `«…»` quoted text, `( … )` a
/// subshell, `{ … }` a group or flattened compound command, `$(…)` a
/// command substitution and `<(…)` a process substitution with its list, `⏎` a newline in a heredoc body), or the
/// offset and message of the error it must report. Entries marked with a
/// comment record what the parser does not model yet; they change on purpose.
@Suite("The shell parser, snippet by snippet")
struct ShellParserTests {
    static let table: [(source: String, shape: String)] = [
        (#"echo hi"#, #"[echo hi]"#),
        (#"echo  hi   there"#, #"[echo hi there]"#),
        (#"echo 'single quoted'"#, #"[echo «single quoted»]"#),
        (#"echo "double $HOME quoted""#, #"[echo «double »$HOME« quoted»]"#),
        (#"echo a\ b"#, #"[echo a« »b]"#),
        (#"echo "a\"b""#, #"[echo «a"b»]"#),
        (#"echo $HOME ${HOME} ${#x} $1 $@ $?"#, #"[echo $HOME ${HOME} ${#x} $1 $@ $?]"#),
        (#"a=1"#, #"[a=1]"#),
        (#"a=1 b=2 cmd arg"#, #"[a=1 b=2 cmd arg]"#),
        (#"FOO=bar env"#, #"[FOO=bar env]"#),
        (#"echo $(date)"#, #"[echo $([date])]"#),
        (#"echo `date`"#, #"[echo $([date])]"#),
        (#"echo "$(date)""#, #"[echo $([date])]"#),
        (#"echo $(echo $(date))"#, #"[echo $([echo $([date])])]"#),
        (#"diff <(sort a) <(sort b)"#, #"[diff <([sort a]) <([sort b])]"#),
        (#"tee >(sh) < in"#, #"[tee <([sh])] <in"#), // the direction of a process substitution is not recorded yet
        (#"cat file | sh"#, #"[cat file] | [sh]"#),
        (#"curl -fsSL https://x.example/i.sh | bash -s -- -t tok"#, #"[curl -fsSL https://x.example/i.sh] | [bash -s -- -t tok]"#),
        (#"a | b | c"#, #"[a] | [b] | [c]"#),
        (#"a && b"#, #"[a] && [b]"#),
        (#"a || b"#, #"[a] || [b]"#),
        (#"a && b || c"#, #"[a] && [b] || [c]"#),
        (#"a; b; c"#, #"[a]; [b]; [c]"#),
        (#"a &"#, #"[a]"#), // background `&` ends the list item; it is not recorded yet
        (#"a & b"#, #"[a]; [b]"#),
        (#"a\#nb"#, #"[a]; [b]"#),
        (#"! a"#, #"! [a]"#), // `!` is not recorded yet
        (#"! a | b"#, #"! [a] | [b]"#), // `!` is not recorded yet
        (#"(a; b)"#, #"( [a]; [b] )"#),
        (#"(a) | b"#, #"( [a] ) | [b]"#),
        (#"{ a; b; }"#, #"{ [a]; [b] }"#),
        (#"{ a; } > out"#, #"{ [a] } >out"#),
        (#"cmd > out"#, #"[cmd] >out"#),
        (#"cmd >> out"#, #"[cmd] >>out"#),
        (#"cmd 2> err"#, #"[cmd] 2>err"#),
        (#"cmd 2>&1"#, #"[cmd] 2>&1"#),
        (#"cmd >&2"#, #"[cmd] >&2"#),
        (#"cmd &> all"#, #"[cmd] &>all"#),
        (#"cmd &>> all"#, #"[cmd] &>>all"#),
        (#"cmd >| forced"#, #"[cmd] >|forced"#),
        (#"cmd < in"#, #"[cmd] <in"#),
        (#"cmd <> rw"#, #"[cmd] <>rw"#),
        (#"cmd 0<&-"#, #"[cmd] 0<&-"#),
        (#"cmd <<< "here string""#, #"[cmd] <<<«here string»"#),
        (#"cat <<END\#nbody $x\#nEND"#, #"[cat] <<END{body $x⏎}"#),
        (#"cat <<'END'\#nbody $x\#nEND"#, #"[cat] <<«END»{body $x⏎}'"#),
        (#"cat <<-END\#n\#ttabbed\#n\#tEND"#, #"[cat] <<-END{\#ttabbed⏎}"#),
        (#"cat <<A <<B\#none\#nA\#ntwo\#nB"#, #"[cat] <<A{one⏎} <<B{two⏎}"#),
        (#"sh <<END\#ncurl https://x.example | sh\#nEND"#, #"[sh] <<END{curl https://x.example | sh⏎}"#),
        (#"if a; then b; fi"#, #"if [a] then [b] fi"#),
        (#"if a; then b; elif c; then d; else e; fi"#, #"if [a] then [b] elif [c] then [d] else [e] fi"#),
        (#"if a\#nthen\#n  b\#nfi"#, #"if [a] then [b] fi"#),
        (#"while a; do b; done"#, #"while [a] do [b] done"#),
        (#"until a; do b; done"#, #"until [a] do [b] done"#),
        (#"for x in 1 2 3; do echo $x; done"#, #"{ [echo $x] }"#),
        (#"for x; do echo $x; done"#, #"{ [echo $x] }"#),
        (#"for ((i=0; i<3; i++)); do echo $i; done"#, #"{ [echo $i] }"#),
        (#"select x in a b; do echo $x; done"#, #"{ [echo $x] }"#),
        // A loop's list and a case's subject and patterns run their substitutions first, as a command of assignments.
        (#"for x in a $(seq 3) "$(ls)"; do echo $x; done"#, #"{ [$([seq 3]) $([ls])]; [echo $x] }"#),
        (#"for ((i=$(start); i<3; i++)); do :; done"#, #"{ [((i=$([start]); i<3; i++))]; [:] }"#),
        (#"case $(uname) in $(arch)) echo same;; *) echo other;; esac"#, #"{ [$([uname]) $([arch])]; [echo same]; [echo other] }"#),
        (#"case $x in a) echo a;; b|c) echo bc;; *) echo other;; esac"#, #"{ [echo a]; [echo bc]; [echo other] }"#),
        (#"case $x in\#n  a) echo a ;;\#nesac"#, #"{ [echo a] }"#),
        (#"f() { echo in f; }"#, #"f() { [echo in f] }"#),
        (#"function g { echo in g; }"#, #"g() { [echo in g] }"#),
        (#"function h() { echo in h; }"#, #"h() { [echo in h] }"#),
        (#"f() ( echo sub )"#, #"f() ( [echo sub] )"#),
        (#"[[ -f file ]] && echo yes"#, #"[[[ -f file ]]] && [echo yes]"#),
        (#"[[ $(curl -s https://x.example) == ok && -n $x ]]"#, #"[[[ $([curl -s https://x.example]) == ok && -n $x ]]]"#),
        (#"[[ a < b ]]"#, #"[[[ a < b ]]]"#),
        (#"[ -f file ] && echo yes"#, #"[[ -f file ]] && [echo yes]"#),
        (#"test -f file || exit 1"#, #"[test -f file] || [exit 1]"#),
        (#"(( i++ ))"#, #"[(( i++ ))]"#),
        (#"(( $(curl -s https://x.example) > 1 ))"#, #"[(( $([curl -s https://x.example]) > 1 ))]"#),
        (#"echo $((1 + 2))"#, #"[echo ((1 + 2))]"#),
        (#"echo $(( `date +%s` / (60 * 60) ))"#, #"[echo (( $([date +%s]) / (60 * 60) ))]"#),
        (#"echo $(( $(date +%s) - 1 ))"#, #"[echo (( $([date +%s]) - 1 ))]"#),
        (#"x=$(curl -fsSL https://x.example)"#, #"[x=$([curl -fsSL https://x.example])]"#),
        (#"eval "$(curl -fsSL https://x.example)""#, #"[eval $([curl -fsSL https://x.example])]"#),
        (#"sh -c "$(curl -fsSL https://x.example)""#, #"[sh -c $([curl -fsSL https://x.example])]"#),
        (#"bash <(curl -fsSL https://x.example)"#, #"[bash <([curl -fsSL https://x.example])]"#),
        (#"source <(curl -s https://x.example)"#, #"[source <([curl -s https://x.example])]"#),
        (#". ./file.sh"#, #"[. ./file.sh]"#),
        (#"sudo -E bash install.sh"#, #"[sudo -E bash install.sh]"#),
        (#"exec 3< file"#, #"[exec] 3<file"#),
        (#"echo \\#n  continued"#, #"[echo continued]"#),
        (#"echo 'it'\''s'"#, #"[echo «it»«'»«s»]"#),
        (#"echo "$(printf '%s' "nested \"quotes\"")""#, #"[echo $([printf «%s» «nested "quotes"»])]"#),
        (#"echo ${x:-default} ${x:+alt} ${x#prefix} ${x%suffix}"#, #"[echo ${x:-default} ${x:+alt} ${x#prefix} ${x%suffix}]"#),
        (#"echo ${x/a/b}"#, #"[echo ${x/a/b}]"#),
        (#"echo "${arr[@]}""#, #"[echo ${arr[@]}]"#),
        (#"arr=(a b c)"#, #"[arr=(a b c)]"#),
        // Substitutions inside `${…}`, an array, a glob and `$"…"` run when the word is expanded.
        (#"v=${v:-$(cat VERSION)}"#, #"[v=${v:-$(cat VERSION)}$([cat VERSION])]"#),
        (#"arr=( $(ls) "$(pwd)" )"#, #"[arr=( $(ls) "$(pwd)" )$([ls])$([pwd])]"#),
        (#"ls @(a|$(echo b))"#, #"[ls @(a|$(echo b))$([echo b])]"#),
        (#"echo $"hello $(whoami)""#, #"[echo «hello »$([whoami])]"#),
        (#"echo a # comment"#, #"[echo a]"#),
        (#"# only a comment"#, #""#),
        (#"echo #not-a-comment-start"#, #"[echo]"#),
        (#"echo a#b"#, #"[echo a#b]"#),
        (#"cmd --opt=value -x"#, #"[cmd --opt=value -x]"#),
        (#"wget -qO- https://x.example | sh"#, #"[wget -qO- https://x.example] | [sh]"#),
        (#"curl https://x.example -o f && sh f"#, #"[curl https://x.example -o f] && [sh f]"#),
        (#"time curl https://x.example"#, #"[curl https://x.example]"#),
        (#"nohup sh -c 'curl https://x.example | sh' &"#, #"[nohup sh -c «curl https://x.example | sh»]"#),
        (#"echo "unterminated"#, #"error@5: unterminated double quote"#),
        (#"echo 'unterminated"#, #"error@5: unterminated single quote"#),
        (#"echo $(unterminated"#, #"error@5: unterminated command substitution '$('"#),
        (#"cat <<END\#nnever ends"#, #"error@6: heredoc is not closed: no line 'END' follows"#),
        (#"if a; then b"#, #"if [a] then [b] fi"#), // an unterminated `if` is tolerated
        (#"echo )"#, #"error@5: unexpected ')'"#),
        (#"{ a"#, #"error@2: a '{' group is not closed with '}'"#),
        (#"a &&"#, #"[a]"#), // a dangling `&&` is tolerated
        (#"| b"#, #"[b]"#), // a leading `|` is tolerated
    ]

    @Test("Every reserved word is told from its bytes, and words one byte off are not")
    func keywords() {
        for keyword in Keyword.allCases {
            let spelling = Array(keyword.spelling.description.utf8)
            #expect(Keyword(spelling[...]) == keyword)
            #expect(Keyword((spelling + [UInt8(ascii: "x")])[...]) == nil)
            #expect(Keyword(spelling.dropLast()) == nil)
            #expect(Keyword(([UInt8(ascii: "x")] + spelling.dropFirst())[...]) == nil)
        }
        #expect(Keyword([][...]) == nil)
    }

    @Test("The byte classes' masks hold exactly their bytes")
    func byteClasses() {
        #expect(ByteClass.operatorStart == ByteClass(";&|<>()"))
        #expect(ByteClass.wordEnd == ByteClass(" \t\n\r;&|<>()"))
        #expect(ByteClass.quoteOrExpansion == ByteClass("'\"$`\\"))
        #expect((0...255).filter { ByteClass.wordEnd.contains(UInt8($0)) }.map { Character(Unicode.Scalar(UInt8($0))) } == ["\t", "\n", "\r", " ", "&", "(", ")", ";", "<", ">", "|"])
    }

    @Test("The scanner steps over what the skim policy allows, and a run of such commands is one node", arguments: [
        ("step a; step b\nstep c", "[]"),
        ("step a | sh", "[] | [sh]"),
        ("step -k x", "[step -k x]"),
        ("step -j x", "[]"),
        ("other -k x", "[other -k x]"),
        ("step \"$(curl u)\"", "[step $([curl u])]"),
        ("step a; other b; step c", "[]; [other b]; []"),
        ("step a | step b\nfor x in a 'b'; do step; done", "[]"),
        ("if step; then step; elif step; then step; else step; fi; { step; }", "[]"),
        ("case \"$1\" in a|b) step ;; (c) step; step ;; esac\nwhile step; do step; done", "[]"),
        ("for x in a; do other; done", "{ [other] }"),
        ("{ step; } > log", "{ [] } >log"),
        ("for x in $(step); do step; done", "{ [$([step])]; [] }"),
        ("step a && step b", "[] && []"),
    ])
    func skimPolicy(source: String, expected: String) throws {
        // Names and options the analysis would never give: the parser knows only what the policy says.
        let policy = SkimPolicy(
            verdict: { name in name.elementsEqual("step".utf8) ? .passesInputOn : nil },
            keepsCommand: { _, option, _ in option.elementsEqual("-k".utf8) }
        )
        let list = try ShellParser.parse(Array(source.utf8), skimming: policy).get()
        #expect(ShellShape.of(list) == expected)
        if expected == "[]" {
            #expect(list.items.count == 1)
            #expect((list.items[0].start, list.items[0].end) == (0, source.utf8.count))
        }
    }

    @Test("A group stepped over whole ends the script where the tree's group would: a case, for or brace group with an exit of its own; never an if, a loop with a condition, or a pipeline", arguments: [
        ("case \"$1\" in x) exit 1 ;; esac", true), ("for f in a; do echo; exit; done", true), ("{ echo; exit 1; }", true),
        ("for f in a; do case $f in a) return ;; esac; done", true), ("if [ -z \"$x\" ]; then exit 1; fi", false),
        ("while true; do exit; done", false), ("{ echo && exit; }", false), ("exit 1 | sort", false), ("for f in a; do if x; then exit; fi; done", false),
    ])
    func skimmedGroupExits(source: String, exits: Bool) throws {
        let list = try ShellParser.parse(Array(source.utf8), skimming: DownloadExecAnalyzer.skimPolicy).get()
        #expect(list.items.count == 1)
        guard case .simple(let command)? = list.items.first?.pipelines.first?.commands.first else {
            Issue.record("not stepped over: \(ShellShape.of(list))")
            return
        }
        #expect(command.skimmed == (exits ? .exits : .passesInputOn))
        #expect((command.offset, command.end) == (0, source.utf8.count))
    }

    @Test("Each snippet parses to its expected shape or error", arguments: table)
    func shape(source: String, expected: String) {
        #expect(ShellShape.parse(source) == expected, "\(source.debugDescription)")
    }

    @Test("Every node carries its range: inside its parent, after its left sibling; a plain word's range is its text", arguments: table)
    func ranges(source: String, expected: String) {
        guard case .success(let list) = ShellParser.parse(Array(source.utf8)) else { return }
        let bytes = Array(source.utf8)
        var problems: [String] = []
        func check(_ start: Int, _ end: Int, within outer: (Int, Int), after previous: inout Int, _ what: String) {
            if !(start <= end && outer.0 <= start && end <= outer.1 && start >= previous) {
                problems.append("\(what) \(start)..<\(end) outside \(outer) or before \(previous)")
            }
            previous = end
        }
        func walk(_ list: ShellList, within outer: (Int, Int)) {
            var previousItem = outer.0
            for item in list.items {
                check(item.start, item.end, within: (list.start, list.end), after: &previousItem, "and-or list")
                var previousPipeline = item.start
                for pipeline in item.pipelines {
                    check(pipeline.start, pipeline.end, within: (item.start, item.end), after: &previousPipeline, "pipeline")
                    var previousCommand = pipeline.start
                    for command in pipeline.commands {
                        check(command.start, command.end, within: (pipeline.start, pipeline.end), after: &previousCommand, "command")
                        switch command {
                        case .simple(let simple):
                            var previousWord = simple.offset
                            for word in simple.assignments + simple.words {
                                check(word.offset, word.end, within: (simple.offset, simple.end), after: &previousWord, "word")
                                if word.offset == word.end { problems.append("empty word at \(word.offset)") }
                                if word.parts.count == 1, case .literal(let text) = word.parts[0], !text.contains("\\"), word.offset < word.end,
                                   word.end <= bytes.count, String(decoding: bytes[word.offset..<word.end], as: UTF8.self) != text {
                                    problems.append("word \(text) has range text \(String(decoding: bytes[word.offset..<word.end], as: UTF8.self))")
                                }
                            }
                        case .compound(let inner, _), .subshell(let inner, _):
                            walk(inner, within: (command.start, command.end))
                        case .conditional(let conditional):
                            for part in conditional.clauses.flatMap({ [$0.condition, $0.body] }) + [conditional.elseBody].compactMap({ $0 }) {
                                walk(part, within: (command.start, command.end))
                            }
                        case .function(_, let body):
                            var previousBody = command.start
                            check(body.start, body.end, within: (command.start, command.end), after: &previousBody, "function body")
                        }
                    }
                }
            }
        }
        var start = 0
        check(list.start, list.end, within: (0, bytes.count), after: &start, "list")
        walk(list, within: (0, bytes.count))
        #expect(problems.isEmpty, "\(source.debugDescription): \(problems)")
    }

    @Test("((…)) is arithmetic in bash when it is an arithmetic expression, nested subshells otherwise and in POSIX sh", arguments: [
        ("((i++))", ShellDialect.bash, "[((i++))]"),
        ("((curl u | sh))", ShellDialect.bash, "( ( [curl u] | [sh] ) )"),
        ("((curl u | sh))", ShellDialect.posix, "( ( [curl u] | [sh] ) )"),
        ("((a = b + 1))", ShellDialect.posix, "( ( [a = b + 1] ) )"),
        ("((a<<2))", ShellDialect.posix, "[((a<<2))]"),
        ("echo $((1 + 2))", ShellDialect.posix, "[echo ((1 + 2))]"),
        ("echo $((echo hi))", ShellDialect.posix, "[echo $(( [echo hi] ))]"),
    ])
    func doubleParentheses(source: String, dialect: ShellDialect, expected: String) {
        switch ShellParser.parse(Array(source.utf8), dialect: dialect) {
        case .success(let list): #expect(ShellShape.of(list) == expected)
        case .failure(let error): Issue.record("\(source): \(error.message)")
        }
    }

    @Test("The table covers at least 100 snippets, none twice")
    func coverage() {
        #expect(Self.table.count >= 100)
        #expect(Set(Self.table.map(\.source)).count == Self.table.count)
    }
}
