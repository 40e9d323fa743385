/// The one error type of the event log.
///
/// Every failure says what went wrong, on what (file, byte offset, sequence), why, and what to do
/// next; `cause` keeps the underlying error (a `SystemCallError` value for failed system calls).
public struct LogError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; switch over it to decide what to do.
    public enum Code: String, Sendable, Hashable {
        /// The directory exists but holds no log (and other files), or the path is no directory.
        case notALog
        /// A `.seg` file does not start with a segment header.
        case notASegment
        /// A segment, batch or snapshot was written by a newer format version.
        case unsupportedVersion
        /// Another writer (process or open log in this process) holds the directory's lock file.
        case locked
        /// A batch inside the log failed its checksum, framing or sequence checks.
        case corruptSegment
        /// A snapshot file failed its checksum or framing checks.
        case corruptSnapshot
        /// A system call failed; `cause` holds the `SystemCallError`.
        case io
        /// The file system is full (`ENOSPC` or `EDQUOT`).
        case diskFull
        /// The log was closed, or refuses appends after a failed write until it is reopened.
        case closed
        /// An argument is outside what the log accepts (an oversized record, a bad range).
        case invalidArgument
        /// More bytes wait for the disk than the log's in-flight limit allows (back-pressure);
        /// retry once the writer has caught up.
        case overloaded
        /// The waiting task was cancelled before its sequence met the durability policy.
        case cancelled
    }

    /// What kind of failure this is.
    public var code: Code
    /// What failed, where, why, and what to do next.
    public var message: String
    /// The file involved, when there is one.
    public var file: String?
    /// The byte offset in `file`, when known.
    public var offset: Int?
    /// The sequence number involved, when known.
    public var sequence: UInt64?
    /// The underlying error, such as a `SystemCallError`.
    public var cause: (any Error)?

    /// Creates an error.
    public init(
        code: Code, message: String, file: String? = nil, offset: Int? = nil, sequence: UInt64? = nil,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.message = message
        self.file = file
        self.offset = offset
        self.sequence = sequence
        self.cause = cause
    }

    /// One line: the code, the message, and the location fields that are set.
    public var description: String {
        var text = "\(code.rawValue): \(message)"
        var location: [String] = []
        if let file { location.append("file \(file)") }
        if let offset { location.append("offset \(offset)") }
        if let sequence { location.append("sequence \(sequence)") }
        if !location.isEmpty { text += " [" + location.joined(separator: ", ") + "]" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
