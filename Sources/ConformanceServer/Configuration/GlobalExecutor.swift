import NIOCore
import NIOPosix

extension ConformanceServer {
    /// Makes NIO's event loops Swift Concurrency's global executor, so request handling does not hop
    /// between the cooperative pool and the event loop threads (measured in BENCHMARKS.md).
    ///
    /// Call once, first thing in a process that serves HTTP. The event log's `fdatasync` runs on the
    /// log's own thread, so appends never block an event loop; the engine's periodic snapshot write
    /// (a detached task, every 100,000 events and on close) does occupy one event loop while it runs.
    ///
    /// - Returns: Whether the executor was installed.
    @discardableResult
    package static func adoptEventLoopsAsGlobalExecutor() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
