/// Names compared by their UTF-8 bytes.
///
/// AWS treats names (rules, packs, resource ids, URIs) as byte strings; Swift's `String`
/// compares, hashes and orders by Unicode canonical equivalence, under which a precomposed "é"
/// and "e" + U+0301 are the same key. Every key of the read models goes through these instead.
extension String {
    /// Whether `self` orders before `other`, byte by byte (UTF-8).
    @inline(__always)
    func bytePrecedes(_ other: String) -> Bool {
        utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Whether `self` and `other` are the same bytes (UTF-8).
    @inline(__always)
    func byteEquals(_ other: String) -> Bool {
        utf8.count == other.utf8.count && utf8.elementsEqual(other.utf8)
    }

    /// Feeds the UTF-8 bytes, then a terminator, to `hasher`.
    func hashBytes(into hasher: inout Hasher) {
        var copy = self
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(UInt8(0xFF))  // never part of UTF-8: "ab" + "c" and "a" + "bc" differ
    }
}

/// A `String` key that is equal, hashed and ordered by its UTF-8 bytes.
struct ByteString: Sendable, Hashable, Comparable, CustomStringConvertible {
    var string: String

    init(_ string: String) {
        self.string = string
    }

    static func == (lhs: ByteString, rhs: ByteString) -> Bool { lhs.string.byteEquals(rhs.string) }
    static func < (lhs: ByteString, rhs: ByteString) -> Bool { lhs.string.bytePrecedes(rhs.string) }
    func hash(into hasher: inout Hasher) { string.hashBytes(into: &hasher) }
    var description: String { string }
}
