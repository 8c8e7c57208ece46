/// What a walk over a shell list meets, in source order.
enum ShellWalkEvent {
    /// An and-or list begins.
    case andOr
    /// A pipeline begins; the operator joined it to the previous one.
    case pipeline(joinedBy: ListOperator?)
    /// A simple command, in pipe order.
    case simple(SimpleCommand)
    /// A group in a pipeline (a subshell, brace group, loop body or `case`);
    /// the visitor decides whether to walk into it.
    case group(ShellList)
    /// `if`, `while` or `until`; `allParts` serves a visitor that needs no structure.
    case conditional(ConditionalCommand)
    /// A function definition; its body runs where the function is called.
    case function(name: String, body: ShellCommand)
    /// The pipeline that began last ends.
    case endOfPipeline
}

extension ShellList {
    /// The commands of a list in source order, for a pass that follows
    /// one list's pipelines (the analyzer's search for downloads that reach
    /// a pipeline's end); the analyzer's main pass walks the tree itself.
    /// The visitor is not escaping, so a pass keeps its state in local
    /// variables and `self`.
    func walk(_ visit: (ShellWalkEvent) -> Void) {
        for item in items {
            visit(.andOr)
            for (position, pipeline) in item.pipelines.enumerated() {
                visit(.pipeline(joinedBy: position > 0 ? item.operators[position - 1] : nil))
                for command in pipeline.commands {
                    switch command {
                    case .simple(let simple): visit(.simple(simple))
                    case .compound(let list, _), .subshell(let list, _): visit(.group(list))
                    case .conditional(let conditional): visit(.conditional(conditional))
                    case .function(let name, let body): visit(.function(name: name, body: body))
                    }
                }
                visit(.endOfPipeline)
            }
        }
    }
}
