/// A conformance pack template that cannot be accepted: malformed YAML or JSON, an unsupported
/// construct, an unresolvable parameter, reference or condition, or a limit exceeded.
///
/// `message` is the detail AWS puts inside
/// `Invalid conformance pack template provided. Errors found: [<detail>]. Fix your template and try again.`
/// It names the problem and, unless the message is one of AWS's fixed texts (the resource limit, the
/// `Parameters: [X] ...` messages), ends with the location as `(at <path>)`.
public struct TemplateError: Error, Sendable, CustomStringConvertible, Hashable {
    /// What is wrong and where, ready to be shown to the template's author.
    public var message: String
    /// Where in the template the problem is, as dotted keys and `[index]` subscripts
    /// (`Resources.S3BucketVersioning.Properties.InputParameters`); empty for the template as a whole.
    public var path: String

    /// Creates an error from a finished message and its location.
    public init(message: String, path: String) {
        self.message = message
        self.path = path
    }

    /// The message.
    public var description: String { message }
}

/// An error on its way up the evaluator, before its location is complete.
///
/// Each container level prepends its key as the error passes through it, so the success path pays
/// nothing for location tracking.
struct TemplateFailure: Error {
    /// The problem, without location.
    var detail: String
    /// Path components from the outermost inward, built while unwinding.
    var components: [String] = []
    /// False for AWS's fixed messages, which must be reported verbatim.
    var appendsLocation = true
    /// True once the path is complete from the template's root (a failure inside a named
    /// condition is located in `Conditions`, wherever the condition was used from).
    var isRooted = false

    init(_ detail: String, appendsLocation: Bool = true) {
        self.detail = detail
        self.appendsLocation = appendsLocation
    }

    /// Returns the failure with `component` prepended to its path.
    func at(_ component: String) -> TemplateFailure {
        if isRooted { return self }
        var copy = self
        copy.components.insert(component, at: 0)
        return copy
    }

    /// Returns the failure with `components` as its complete path from the root.
    func rooted(at components: [String]) -> TemplateFailure {
        if isRooted { return self }
        var copy = self
        copy.components = components + copy.components
        copy.isRooted = true
        return copy
    }

    /// Returns the failure with the subscript `[index]` prepended to its path.
    func at(index: Int) -> TemplateFailure {
        at("[\(index)]")
    }

    /// The public error: dotted path, and the message with its location unless it is a fixed text.
    var templateError: TemplateError {
        var path = ""
        for component in components {
            if component.hasPrefix("[") || path.isEmpty {
                path += component
            } else {
                path += "." + component
            }
        }
        let message = appendsLocation && !path.isEmpty ? "\(detail) (at \(path))" : detail
        return TemplateError(message: message, path: path)
    }
}

/// Runs `body`, prepending `component` to the path of any failure it throws.
@inline(__always)
func within<T>(_ component: String, _ body: () throws(TemplateFailure) -> T) throws(TemplateFailure) -> T {
    do {
        return try body()
    } catch {
        throw error.at(component)
    }
}

/// Runs `body`, prepending `[index]` to the path of any failure it throws.
@inline(__always)
func within<T>(index: Int, _ body: () throws(TemplateFailure) -> T) throws(TemplateFailure) -> T {
    do {
        return try body()
    } catch {
        throw error.at(index: index)
    }
}
