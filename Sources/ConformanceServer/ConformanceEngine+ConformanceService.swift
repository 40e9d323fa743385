package import ConformancePacks

/// The engine serves HTTP as is: its operations already take and return the wire shapes.
extension ConformanceEngine: ConformanceService {
    /// A read-only view (`conform serve --at`) refuses writes; the responder refuses them before
    /// decoding the request.
    package var isReadOnly: Bool { !acceptsWrites }

    /// ``ConformanceEngine/view(at:)``: the engine as it stood at that point, built once and kept
    /// among the engine's recent points.
    package func pointView(at point: ReadPoint) async throws -> ConformanceEngine {
        try await view(at: point)
    }
}
