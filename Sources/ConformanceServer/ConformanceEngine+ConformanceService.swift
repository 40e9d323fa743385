package import ConformancePacks

/// The engine serves HTTP as is: its operations already take and return the wire shapes.
extension ConformanceEngine: ConformanceService {
    /// A read-only view (`conform serve --at`) refuses writes; the responder refuses them before
    /// decoding the request.
    package var isReadOnly: Bool { !acceptsWrites }
}
