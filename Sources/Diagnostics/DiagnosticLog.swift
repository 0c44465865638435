import Foundation

/// Where the library's warnings go: one collector per command, shared by every stage and every
/// worker thread of it. A warning is kept (for summaries, counts and tests) and passed on as it
/// happens (the CLI prints it); the same text is passed on once, however many workers say it.
public final class DiagnosticLog: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    private var said: Set<String> = []
    private let emit: @Sendable (String) -> Void

    /// A log that passes each distinct warning to `emit` as it comes.
    public init(emit: @escaping @Sendable (String) -> Void = { _ in }) {
        self.emit = emit
    }

    /// A log nobody reads: for callers that want no warnings (a release's index pass re-reads what
    /// its build already reported).
    public static var discard: DiagnosticLog { DiagnosticLog() }

    public func warn(_ message: String) {
        lock.lock()
        let first = said.insert(message).inserted
        if first { kept.append(message) }
        lock.unlock()
        if first { emit(message) }
    }

    /// The distinct warnings so far, in the order they came.
    public var warnings: [String] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }
}
