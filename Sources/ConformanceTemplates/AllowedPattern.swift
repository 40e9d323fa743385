/// A parameter's `AllowedPattern`, matched against a whole value in time linear in the value.
///
/// CloudFormation patterns are Java regular expressions. A backtracking engine (Swift `Regex`,
/// `NSRegularExpression`) takes exponential time on patterns such as `(a|a)*b`, and both the pattern
/// and the value come from the caller, so this type compiles the pattern to a Thompson NFA and
/// simulates it (a Pike VM without captures): O(pattern × value) time, O(pattern) memory.
///
/// Supported: literals, `.`, escapes (`\d \D \w \W \s \S \t \n \r \f` and escaped punctuation),
/// classes `[a-z_]` and `[^...]`, groups `(...)` and `(?:...)`, alternation, the quantifiers
/// `* + ? {n} {n,} {n,m}` (and their lazy forms, which match the same whole strings), and the
/// anchors `^` and `$`. Lookaround, backreferences, inline flags, possessive quantifiers and class
/// intersections are refused as unsupported.
struct AllowedPattern: Sendable {
    /// Most NFA instructions a pattern may compile to (counted repetition multiplies its operand).
    static let maxInstructions = 4_000

    struct Unsupported: Error {
        var reason: String
    }

    private enum Instruction: Sendable {
        case scalar(CharacterMatcher)
        case split(Int, Int)
        case jump(Int)
        case start
        case end
        case match
    }

    private let program: [Instruction]

    init(_ pattern: String) throws(Unsupported) {
        var parser = PatternParser(scalars: Array(pattern.unicodeScalars))
        let tree = try parser.parseAlternation()
        guard parser.atEnd else { throw Unsupported(reason: "unbalanced ')'") }
        var program: [Instruction] = []
        try Self.emit(tree, into: &program)
        program.append(.match)
        self.program = program
    }

    /// True if the whole of `text` matches.
    ///
    /// - Complexity: O(p × n) for a pattern of p instructions and a text of n scalars.
    func wholeMatch(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var current: [Int] = []
        var next: [Int] = []
        var marks = [Int](repeating: -1, count: program.count)
        addThread(0, position: 0, count: scalars.count, list: &current, marks: &marks, generation: 0)
        for (position, scalar) in scalars.enumerated() {
            next.removeAll(keepingCapacity: true)
            for pc in current {
                if case .scalar(let matcher) = program[pc], matcher.matches(scalar) {
                    addThread(pc + 1, position: position + 1, count: scalars.count, list: &next, marks: &marks, generation: position + 1)
                }
            }
            swap(&current, &next)
            if current.isEmpty { return false }
        }
        return current.contains { if case .match = program[$0] { true } else { false } }
    }

    /// Adds `pc` and everything reachable from it without consuming input.
    private func addThread(_ start: Int, position: Int, count: Int, list: inout [Int], marks: inout [Int], generation: Int) {
        var stack = [start]
        while let pc = stack.popLast() {
            guard marks[pc] != generation else { continue }
            marks[pc] = generation
            switch program[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .start:
                if position == 0 { stack.append(pc + 1) }
            case .end:
                if position == count { stack.append(pc + 1) }
            case .scalar, .match:
                list.append(pc)
            }
        }
    }

    private static func emit(_ node: PatternNode, into program: inout [Instruction]) throws(Unsupported) {
        guard program.count <= maxInstructions else {
            throw Unsupported(reason: "the pattern is too complex (more than \(maxInstructions) states)")
        }
        switch node {
        case .empty:
            break
        case .scalar(let matcher):
            program.append(.scalar(matcher))
        case .start:
            program.append(.start)
        case .end:
            program.append(.end)
        case .concat(let parts):
            for part in parts { try emit(part, into: &program) }
        case .alternation(let options):
            // split L1, next; L1: option; jump end; next: split L2, ...
            var jumps: [Int] = []
            for (index, option) in options.enumerated() {
                if index < options.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    try emit(option, into: &program)
                    jumps.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(option, into: &program)
                }
            }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repeated(let operand, let minimum, let maximum):
            for _ in 0..<minimum { try emit(operand, into: &program) }
            if let maximum {
                // Each optional copy: split body, end.
                var splits: [Int] = []
                for _ in minimum..<maximum {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, -1))
                    try emit(operand, into: &program)
                    guard program.count <= maxInstructions else {
                        throw Unsupported(reason: "the pattern is too complex (more than \(maxInstructions) states)")
                    }
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                // loop: split body, exit; body; jump loop
                let loop = program.count
                program.append(.split(loop + 1, -1))
                try emit(operand, into: &program)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}
