/// Fixed limits of the HTTP adapter.
package enum ServerLimits {
    /// The largest request body accepted (1 MiB); larger ones are refused before they are read whole.
    package static let maxBodyBytes = 1 << 20
}
