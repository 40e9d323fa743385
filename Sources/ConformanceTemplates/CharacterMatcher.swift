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
