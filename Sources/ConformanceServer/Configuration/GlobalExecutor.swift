import NIOCore
import NIOPosix

extension ConformanceServer {
    /// Makes NIO's event loops Swift Concurrency's global executor, so request handling does not hop
    /// between the cooperative pool and the event loop threads (measured in BENCHMARKS.md).
    ///
    /// Call once, first thing in a process that serves HTTP. Safe for the engine because its blocking
    /// work (`fdatasync`) runs on the event log's own thread.
    ///
    /// - Returns: Whether the executor was installed.
    @discardableResult
    package static func adoptEventLoopsAsGlobalExecutor() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
