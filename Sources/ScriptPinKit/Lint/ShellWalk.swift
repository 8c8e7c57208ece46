/// What a walk over a shell list is told, in source order: every and-or
/// list, every pipeline with the operator that joined it to the previous
/// one, every simple command in pipe order, and every group (a subshell, a
/// brace group, a flattened compound command or function body) in place.
protocol ShellVisitor {
    mutating func beginAndOr()
    mutating func beginPipeline(joinedBy operator: ListOperator?)
    mutating func visit(_ command: SimpleCommand)
    /// A group in a pipeline; the visitor decides whether and how to walk into it.
    mutating func visitGroup(_ list: ShellList)
    mutating func endPipeline()
}

extension ShellVisitor {
    mutating func beginAndOr() {}
    mutating func beginPipeline(joinedBy operator: ListOperator?) {}
    mutating func endPipeline() {}
}

extension ShellList {
    /// The one traversal every analysis pass uses.
    func walk<Visitor: ShellVisitor>(_ visitor: inout Visitor) {
        for item in items {
            visitor.beginAndOr()
            for (position, pipeline) in item.pipelines.enumerated() {
                visitor.beginPipeline(joinedBy: position > 0 ? item.operators[position - 1] : nil)
                for command in pipeline.commands {
                    switch command {
                    case .simple(let simple): visitor.visit(simple)
                    case .compound(let list, _): visitor.visitGroup(list)
                    }
                }
                visitor.endPipeline()
            }
        }
    }
}
