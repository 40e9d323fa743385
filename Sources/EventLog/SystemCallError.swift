#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX error number captured from `errno`, kept as the `cause` of a ``LogError``.
public struct SystemCallError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The raw `errno` value.
    public var rawValue: Int32

    /// Wraps a raw `errno` value.
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// The current thread's `errno`.
    static var current: SystemCallError { SystemCallError(rawValue: errno) }

    /// The C library's text for the error, such as "No space left on device".
    public var description: String {
        guard let text = strerror(rawValue) else { return "errno \(rawValue)" }
        return String(cString: text) + " (errno \(rawValue))"
    }

    /// Whether the error means the file system is out of space or quota.
    var isDiskFull: Bool { rawValue == ENOSPC || rawValue == EDQUOT }
}

extension LogError {
    /// An error for a failed system call, mapping `ENOSPC`/`EDQUOT` to ``Code/diskFull``.
    static func system(
        _ errno: SystemCallError, _ what: String, file: String?, offset: Int? = nil, sequence: UInt64? = nil
    ) -> LogError {
        if errno.isDiskFull {
            return LogError(
                code: .diskFull,
                message: "\(what) failed: the file system is full",
                file: file, offset: offset, sequence: sequence, cause: errno)
        }
        return LogError(
            code: .io, message: "\(what) failed: \(errno)", file: file, offset: offset, sequence: sequence,
            cause: errno)
    }
}
