package import ConformancePacks

/// The engine serves HTTP as is: its operations already take and return the wire shapes.
extension ConformanceEngine: ConformanceService {
    /// An engine opened for writing accepts writes.
    package var isReadOnly: Bool { false }
}
