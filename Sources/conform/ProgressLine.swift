import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One line on standard error, rewritten in place: drawn only when standard error is a terminal,
/// at most five times a second, and erased before other output. What `load`, `replay`, the log
/// tools and `bench` show while they run.
struct ProgressLine {
    /// Whether standard error is a terminal (nothing is drawn otherwise).
    static let enabled = isatty(STDERR_FILENO) == 1
    /// When the work started.
    let started = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false
    /// Nothing is drawn before this much time has passed (short work shows no line).
    private let delay: Duration

    init(delay: Duration = .zero) {
        self.delay = delay
    }

    /// Seconds since the work started.
    var elapsed: Double { (ContinuousClock.now - started).seconds }

    /// Draws `text()` when a redraw is due (the text is built only then).
    mutating func draw(_ text: () -> String) {
        guard Self.enabled else { return }
        let now = ContinuousClock.now
        guard now - started >= delay, lastDraw.map({ now - $0 >= .milliseconds(200) }) ?? true else { return }
        lastDraw = now
        FileHandle.standardError.write(Data(("\r" + text() + "\u{1B}[K").utf8))
        drawn = true
    }

    /// Erases the line.
    mutating func clear() {
        guard drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
