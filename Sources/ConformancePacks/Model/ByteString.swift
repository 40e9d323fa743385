#if canImport(Glibc)
import Glibc
#endif

/// Names compared by their UTF-8 bytes.
///
/// AWS treats names (rules, packs, resource ids, URIs) as byte strings; Swift's `String`
/// compares, hashes and orders by Unicode canonical equivalence, under which a precomposed "é"
/// and "e" + U+0301 are the same key. Every key of the read models goes through these instead.
extension String {
    /// Whether `self` orders before `other`, byte by byte (UTF-8).
    @inline(__always)
    func bytePrecedes(_ other: String) -> Bool {
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b -> Bool in
                let common = Swift.min(a.count, b.count)
                let order = common == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, common)
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
        if let fast, let result = fast { return result }
        return utf8.lexicographicallyPrecedes(other.utf8)
    }

    /// Whether `self` and `other` are the same bytes (UTF-8).
    @inline(__always)
    func byteEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        let fast = utf8.withContiguousStorageIfAvailable { a in
            other.utf8.withContiguousStorageIfAvailable { b in a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
        if let fast, let result = fast { return result }
        return utf8.elementsEqual(other.utf8)
    }

    /// Feeds the UTF-8 bytes, then a terminator, to `hasher`.
    func hashBytes(into hasher: inout Hasher) {
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        if hashed == nil {
            var copy = self
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
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
