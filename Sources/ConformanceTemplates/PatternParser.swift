/// The syntax tree of an `AllowedPattern`.
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
