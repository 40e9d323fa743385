/// A byte-level screen run before the text reaches libyaml and Yams.
///
/// Yams composes aliases as shared nodes, but checks each mapping for duplicate keys by hashing and
/// comparing whole key nodes: an alias (or a deeply nested collection) used as a key costs time
/// exponential (or quadratic) in the text. CloudFormation accepts neither aliases nor complex keys.
/// The screen over-approximates on purpose: it skips no quoted text and only comments that provably
/// hide no structure, since guessing where a quoted scalar begins is what an attacker would exploit.
///
/// - An alias-looking token (`*name` where a token can begin) followed by `:` could be a key: refused.
/// - Complex-key markers (`? `, or `]`/`}` followed by `:`) are counted: a handful (they appear in
///   comments such as `# Map format {{key: value}}: ...`) is harmless, since the converter refuses
///   real complex keys cheaply; many nest into a quadratic cost and are refused. Any alias-looking
///   token together with any marker is refused too (an alias inside a complex key).
/// - Other alias-looking tokens (`"Checks *all* buckets"`) pass: they cannot be keys, so Yams
///   composes them cheaply, and if the text also looks like it has an anchor (`&name`), the
///   converter refuses any node that really carries one.
/// - The number of nodes is bounded from the separators, so that Yams never builds a huge tree.
///
/// The 86-template corpus passes.
enum TemplateScreening {
    /// Most complex-key markers tolerated in one text.
    static let maxComplexKeyMarkers = 8

    /// What the screen learned about a text it let through.
    struct Outcome {
        /// False when no anchor-looking token (`&name`) appears: the converter can skip looking
        /// for anchors.
        var mayHaveAnchors: Bool
    }

    /// Refuses text over the size bound, possible alias keys, and too many complex-key markers or
    /// separators (see the type's description).
    ///
    /// - Complexity: O(n) in the UTF-8 length of `text`.
    static func screen(_ text: String) throws(TemplateFailure) -> Outcome {
        var utf8 = text.utf8
        let count = utf8.count
        guard count <= TemplateLimits.maxTemplateBytes else {
            throw TemplateFailure("Template format error: the template is \(count) bytes, more than the \(TemplateLimits.maxTemplateBytes) this parser accepts")
        }
        var result = utf8.withContiguousStorageIfAvailable { bytes in scan(bytes) }
        if result == nil {
            // Bridged strings may not be contiguous; copy once.
            var copy = text
            copy.makeContiguousUTF8()
            utf8 = copy.utf8
            result = utf8.withContiguousStorageIfAvailable { bytes in scan(bytes) }
        }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let failure): throw failure
        case nil: return Outcome(mayHaveAnchors: true)
        }
    }

    private static func isAnchorCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Outcome, TemplateFailure> {
        var previous = UInt8(ascii: "\n")
        var firstAlias = -1
        var mayHaveAnchors = false
        var complexKeyMarkers = 0
        var index = 0
        let count = bytes.count
        var separators = 0  // characters that can start a YAML node; 2 × this + 2 bounds the node count
        var commentStart = -1  // where this line's comment begins, if it can be skipped soundly
        var lineEnd = -1
        while index < count {
            if index > lineEnd {
                (commentStart, lineEnd) = skippableComment(from: index, in: bytes)
            }
            if index == commentStart {
                index = lineEnd  // the line break itself is still processed
                if index >= count { break }
            }
            let byte = bytes[index]
            let next: UInt8 = index + 1 < count ? bytes[index + 1] : UInt8(ascii: "\n")
            switch byte {
            case UInt8(ascii: "\n"):
                separators += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                break
            case UInt8(ascii: "-"):
                separators += 1
            case UInt8(ascii: ","), UInt8(ascii: ":"), UInt8(ascii: "["), UInt8(ascii: "{"):
                separators += 1
            case UInt8(ascii: "*"), UInt8(ascii: "&"):
                // A colon starts a value (so an alias may follow it directly) only after a quoted
                // key, a flow collection or a blank (JSON-like `{"a":*b}`, flow `{a :*b}`); inside
                // a plain scalar such as `s3:*Acl` it does not.
                let beforeColon: UInt8 = index >= 2 ? bytes[index - 2] : UInt8(ascii: "\n")
                let colonStartsValue = previous == UInt8(ascii: ":")
                    && (isBlank(beforeColon) || beforeColon == UInt8(ascii: "\"") || beforeColon == UInt8(ascii: "'")
                        || beforeColon == UInt8(ascii: "]") || beforeColon == UInt8(ascii: "}"))
                let tokenCanStart = isBlank(previous) || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
                    || previous == UInt8(ascii: ",") || colonStartsValue
                if tokenCanStart && isAnchorCharacter(next) {
                    if byte == UInt8(ascii: "&") {
                        mayHaveAnchors = true
                    } else {
                        if firstAlias < 0 { firstAlias = index }
                        var probe = index + 1
                        while probe < count, isAnchorCharacter(bytes[probe]) { probe += 1 }
                        while probe < count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
                        if probe < count, bytes[probe] == UInt8(ascii: ":") {
                            return .failure(aliasFailure(at: index, in: bytes))
                        }
                    }
                }
            case UInt8(ascii: "?"):
                separators += 1
                // Any standalone "? " counts (not only at a line's start or after `[{,`): in a flow
                // collection the indicator may follow blanks, as in `{ ? *a }`.
                if isBlank(next) && (isBlank(previous) || previous == UInt8(ascii: "[") || previous == UInt8(ascii: "{")
                    || previous == UInt8(ascii: ",")) {
                    complexKeyMarkers += 1
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                var probe = index + 1
                while probe < count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") { probe += 1 }
                if probe < count, bytes[probe] == UInt8(ascii: ":") {
                    complexKeyMarkers += 1
                }
            default:
                break
            }
            if complexKeyMarkers > maxComplexKeyMarkers {
                return .failure(TemplateFailure("Template format error: mapping keys must be strings; the template has more than \(maxComplexKeyMarkers) list or map keys (\(location(of: index, in: bytes)))"))
            }
            previous = byte
            index += 1
        }
        // Every node but the root follows one of , : [ { - ? or a line break, and each of those
        // starts at most two nodes (a flow entry's key and its implicit null value), so this bounds
        // the node count before Yams allocates any node.
        if 2 * separators + 2 > TemplateLimits.maxNodes {
            return .failure(TemplateFailure("Template format error: the template may have more than \(TemplateLimits.maxNodes) YAML nodes (it has \(separators) separators)"))
        }
        if firstAlias >= 0 && complexKeyMarkers > 0 {
            return .failure(aliasFailure(at: firstAlias, in: bytes))
        }
        return .success(Outcome(mayHaveAnchors: mayHaveAnchors))
    }

    private static func aliasFailure(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> TemplateFailure {
        TemplateFailure("Template format error: YAML aliases are not allowed in CloudFormation templates (\(location(of: index, in: bytes)))")
    }

    /// The comment of the line starting at `start`, if skipping it cannot hide YAML structure,
    /// and the index of the line's end (its line break, or the text's end).
    ///
    /// A `#` at the line's start or after a blank begins a comment, unless it is inside a quoted
    /// scalar. On a line with no quote character at all, either no quoted scalar is open (so the `#`
    /// really begins a comment), or one is open for the whole line (so the line is text): either
    /// way, nothing after the `#` on that line is structure. Lines with quotes are never skipped.
    private static func skippableComment(from start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (comment: Int, end: Int) {
        var comment = -1
        var index = start
        var hasQuote = false
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                hasQuote = true
            } else if byte == UInt8(ascii: "#"), comment < 0, index == start || isBlank(bytes[index - 1]) {
                comment = index
            }
            index += 1
        }
        return (hasQuote ? -1 : comment, index)
    }

    /// "line L, column C" of a byte offset (columns count characters, not UTF-8 bytes).
    private static func location(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return "line \(line), column \(column)"
    }
}
