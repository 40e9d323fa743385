/// The regular expressions of the AWS Config model that generated shapes use, each matched by hand.
///
/// The model's patterns are whole-string matches (spec §1.4). Hand-written matchers keep validation
/// allocation-free and `Sendable`; `scripts/generate_shapes.py` refuses a model pattern that has no
/// case here, so a constraint is never skipped silently.
enum ModelPattern: Sendable {
    /// `[a-zA-Z][-a-zA-Z0-9]*`: conformance pack names.
    case packName
    /// `s3://.*`
    case s3Uri
    /// `.*\S.*`: at least one character that is not white space.
    case nonBlank
    /// `^[a-zA-Z0-9_\-.:/]{3,200}$`: SSM document names.
    case ssmDocumentName
    /// `([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)`: SSM document versions.
    case ssmDocumentVersion
    /// `guard\-2\.x\.x`
    case guardRuntime
    /// `[\w\-]+`: configuration aggregator names (Java's `\w` is ASCII: letters, digits, `_`).
    case aggregatorName
    /// `\d{12}`: account ids (Java's `\d` is ASCII).
    case accountId

    /// The pattern as the model writes it, for error messages.
    var source: String {
        switch self {
        case .packName: "[a-zA-Z][-a-zA-Z0-9]*"
        case .s3Uri: "s3://.*"
        case .nonBlank: ".*\\S.*"
        case .ssmDocumentName: "^[a-zA-Z0-9_\\-.:/]{3,200}$"
        case .ssmDocumentVersion: "([$]LATEST|[$]DEFAULT|^[1-9][0-9]*$)"
        case .guardRuntime: "guard\\-2\\.x\\.x"
        case .aggregatorName: "[\\w\\-]+"
        case .accountId: "\\d{12}"
        }
    }

    /// Whether the whole of `value` matches the pattern.
    ///
    /// - Complexity: O(n) in the length of `value`.
    func matches(_ value: String) -> Bool {
        let bytes = value.utf8
        switch self {
        case .packName:
            guard let first = bytes.first, first.isASCIILetter else { return false }
            return bytes.dropFirst().allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == UInt8(ascii: "-") }
        case .s3Uri:
            // `.` does not match a line terminator.
            return value.hasPrefix("s3://") && !bytes.contains(where: { $0 == 0x0A || $0 == 0x0D })
        case .nonBlank:
            return value.unicodeScalars.contains { !$0.properties.isWhitespace }
                && !bytes.contains(where: { $0 == 0x0A || $0 == 0x0D })
        case .ssmDocumentName:
            return (3...200).contains(bytes.count) && bytes.allSatisfy { byte in
                byte.isASCIILetter || byte.isASCIIDigit || "_-.:/".utf8.contains(byte)
            }
        case .ssmDocumentVersion:
            if value == "$LATEST" || value == "$DEFAULT" { return true }
            guard let first = bytes.first, first != UInt8(ascii: "0") else { return false }
            return bytes.allSatisfy(\.isASCIIDigit)
        case .guardRuntime:
            return value == "guard-2.x.x"
        case .aggregatorName:
            return !bytes.isEmpty && bytes.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        case .accountId:
            return bytes.count == 12 && bytes.allSatisfy(\.isASCIIDigit)
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
    }

    fileprivate var isASCIIDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
