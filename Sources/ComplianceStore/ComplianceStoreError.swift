/// The one error type of the compliance store: what went wrong while reading a serialized
/// store, where (the byte offset in the stream), and why.
public struct ComplianceStoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The stream ended before the store did.
        case truncated
        /// The stream does not start with the store's magic bytes.
        case notAStore
        /// The stream was written by a format version this code does not read.
        case unsupportedVersion
        /// A value is out of range or inconsistent (order, ids, counters, checksum).
        case malformed
        /// A count or length exceeds what the store allows.
        case limitExceeded
        /// The source of the pieces threw; `cause` holds its error.
        case source
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, where, why, and what to do next.
    public var message: String
    /// The byte offset in the stream where the problem was found.
    public var offset: Int?
    /// The underlying error, for `.source`.
    public var cause: (any Error)?

    /// Creates an error.
    public init(code: Code, message: String, offset: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
        self.cause = cause
    }

    /// One line: the code, the message, the offset and the cause.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let offset { text += " [offset \(offset)]" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
