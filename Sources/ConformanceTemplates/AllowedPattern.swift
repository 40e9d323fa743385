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

/// What one position of a pattern accepts.
struct CharacterMatcher: Sendable {
    var ranges: [ClosedRange<UInt32>]
    var negated: Bool

    func matches(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        var found = false
        for range in ranges where range.contains(value) {
            found = true
            break
        }
        return found != negated
    }

    static func literal(_ scalar: Unicode.Scalar) -> CharacterMatcher {
        CharacterMatcher(ranges: [scalar.value...scalar.value], negated: false)
    }

    static let digits: [ClosedRange<UInt32>] = [48...57]
    static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    static let space: [ClosedRange<UInt32>] = [9...13, 32...32]
    /// `.`: anything but a line terminator, as Java reads it.
    static let any = CharacterMatcher(ranges: [10...10, 13...13, 0x85...0x85, 0x2028...0x2029], negated: true)
}

indirect enum PatternNode: Sendable {
    case empty
    case scalar(CharacterMatcher)
    case start
    case end
    case concat([PatternNode])
    case alternation([PatternNode])
    case repeated(PatternNode, minimum: Int, maximum: Int?)
}

/// A recursive-descent parser of the supported pattern syntax (nesting bounded by the pattern's
/// length, itself bounded by the template size; groups deeper than 100 are refused).
struct PatternParser {
    let scalars: [Unicode.Scalar]
    var index = 0
    var depth = 0

    var atEnd: Bool { index >= scalars.count }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    mutating func parseAlternation() throws(AllowedPattern.Unsupported) -> PatternNode {
        var options = [try parseConcatenation()]
        while peek() == "|" {
            index += 1
            options.append(try parseConcatenation())
        }
        return options.count == 1 ? options[0] : .alternation(options)
    }

    private mutating func parseConcatenation() throws(AllowedPattern.Unsupported) -> PatternNode {
        var parts: [PatternNode] = []
        while let scalar = peek(), scalar != "|", scalar != ")" {
            var atom = try parseAtom()
            atom = try parseQuantifiers(atom)
            parts.append(atom)
        }
        return parts.count == 1 ? parts[0] : (parts.isEmpty ? .empty : .concat(parts))
    }

    private mutating func parseQuantifiers(_ atom: PatternNode) throws(AllowedPattern.Unsupported) -> PatternNode {
        var node = atom
        var stacked = 0
        while let scalar = peek() {
            var minimum = 0
            var maximum: Int?
            switch scalar {
            case "*": index += 1
            case "+": index += 1; minimum = 1
            case "?": index += 1; maximum = 1
            case "{":
                guard let (low, high, length) = countedRepetition() else { return node }
                index += length
                minimum = low
                maximum = high
            default:
                return node
            }
            if peek() == "?" {
                index += 1  // lazy: matches the same whole strings
            } else if peek() == "+" {
                throw AllowedPattern.Unsupported(reason: "possessive quantifiers are not supported")
            }
            stacked += 1
            guard stacked <= 3 else { throw AllowedPattern.Unsupported(reason: "too many quantifiers in a row") }
            if case .start = node { continue }
            if case .end = node { continue }
            node = .repeated(node, minimum: minimum, maximum: maximum)
        }
        return node
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current index: (n, m, length), or nil if it is not one.
    private func countedRepetition() -> (Int, Int?, Int)? {
        var offset = 1
        func number(_ offset: inout Int) -> Int? {
            var value: Int?
            while let scalar = peek(offset), ("0"..."9").contains(scalar) {
                value = (value ?? 0) * 10 + Int(scalar.value - 48)
                if value! > 1000 { return nil }
                offset += 1
            }
            return value
        }
        guard let low = number(&offset) else { return nil }
        var high: Int? = low
        if peek(offset) == "," {
            offset += 1
            high = number(&offset)
        }
        guard peek(offset) == "}" else { return nil }
        if let high, high < low { return nil }
        return (low, high, offset + 1)
    }

    private mutating func parseAtom() throws(AllowedPattern.Unsupported) -> PatternNode {
        let scalar = scalars[index]
        index += 1
        switch scalar {
        case ".":
            return .scalar(CharacterMatcher.any)
        case "^":
            return .start
        case "$":
            return .end
        case "(":
            if peek() == "?" {
                guard peek(1) == ":" else {
                    throw AllowedPattern.Unsupported(reason: "lookaround, named groups and inline flags are not supported")
                }
                index += 2
            }
            depth += 1
            guard depth <= 100 else { throw AllowedPattern.Unsupported(reason: "groups nest too deeply") }
            let inner = try parseAlternation()
            depth -= 1
            guard peek() == ")" else { throw AllowedPattern.Unsupported(reason: "unbalanced '('") }
            index += 1
            return inner
        case "[":
            return .scalar(try parseClass())
        case "\\":
            return .scalar(try parseEscape(inClass: false).matcher)
        case "*", "+", "?":
            throw AllowedPattern.Unsupported(reason: "a quantifier has nothing to repeat")
        default:
            return .scalar(.literal(scalar))
        }
    }

    /// An escape after `\`: a class (`\d`), or a literal with its scalar.
    private mutating func parseEscape(inClass: Bool) throws(AllowedPattern.Unsupported) -> (matcher: CharacterMatcher, literal: Unicode.Scalar?) {
        guard let scalar = peek() else { throw AllowedPattern.Unsupported(reason: "a trailing backslash") }
        index += 1
        switch scalar {
        case "d": return (CharacterMatcher(ranges: CharacterMatcher.digits, negated: false), nil)
        case "D": return (CharacterMatcher(ranges: CharacterMatcher.digits, negated: true), nil)
        case "w": return (CharacterMatcher(ranges: CharacterMatcher.word, negated: false), nil)
        case "W": return (CharacterMatcher(ranges: CharacterMatcher.word, negated: true), nil)
        case "s": return (CharacterMatcher(ranges: CharacterMatcher.space, negated: false), nil)
        case "S": return (CharacterMatcher(ranges: CharacterMatcher.space, negated: true), nil)
        case "t": return (.literal("\t"), "\t")
        case "n": return (.literal("\n"), "\n")
        case "r": return (.literal("\r"), "\r")
        case "f": return (.literal("\u{0C}"), "\u{0C}")
        default:
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                throw AllowedPattern.Unsupported(reason: "the escape \\\(scalar) is not supported")
            }
            return (.literal(scalar), scalar)
        }
    }

    private mutating func parseClass() throws(AllowedPattern.Unsupported) -> CharacterMatcher {
        var negated = false
        if peek() == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let scalar = peek() else { throw AllowedPattern.Unsupported(reason: "unbalanced '['") }
            if scalar == "]" && !first { index += 1; break }
            first = false
            if scalar == "[" || (scalar == "&" && peek(1) == "&") {
                throw AllowedPattern.Unsupported(reason: "nested classes and class intersections are not supported")
            }
            index += 1
            var low: Unicode.Scalar = scalar
            if scalar == "\\" {
                let escape = try parseEscape(inClass: true)
                guard let literal = escape.literal else {
                    // \d, \w, \s inside a class: add their ranges (negated forms are refused).
                    guard !escape.matcher.negated else {
                        throw AllowedPattern.Unsupported(reason: "negated escapes inside a class are not supported")
                    }
                    ranges += escape.matcher.ranges
                    continue
                }
                low = literal
            }
            if peek() == "-", let after = peek(1), after != "]" {
                index += 1
                var high = after
                index += 1
                if after == "\\" {
                    guard let literal = try parseEscape(inClass: true).literal else {
                        throw AllowedPattern.Unsupported(reason: "a class range cannot end in a class escape")
                    }
                    high = literal
                }
                guard low.value <= high.value else { throw AllowedPattern.Unsupported(reason: "a class range is reversed") }
                ranges.append(low.value...high.value)
            } else {
                ranges.append(low.value...low.value)
            }
        }
        return CharacterMatcher(ranges: ranges, negated: negated)
    }
}
