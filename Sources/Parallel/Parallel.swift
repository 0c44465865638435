import Dispatch

/// One value per index of a parallel loop. Each slot is written by the one worker that handles
/// its index, so no lock is needed; the slots are read once the loop has returned. This replaces
/// the lock-protected result classes that the ROOT reader, the spec loader, the validator and the
/// checksum and GTI scans each had.
public final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    public let count: Int

    public init(count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: nil, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Slot `i`; set only from the worker that owns index `i`.
    public subscript(i: Int) -> T? {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// Every slot, in index order (after the loop).
    public var values: [T?] { (0..<count).map { base[$0] } }
}

public enum Parallel {
    /// `body(i)` for i in 0..<count on all cores (`DispatchQueue.concurrentPerform`), each
    /// result or error in index order, so the caller reports the first failure in that order.
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let slots = Slots<Result<T, Error>>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots[i] = Result { try body(i) } }
        return slots.values.map { $0! }
    }

    /// As `map`, for work that cannot fail.
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = Slots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: count) { i in slots[i] = body(i) }
        return slots.values.map { $0! }
    }
}

extension Parallel {
    /// `body(i)` for i in 0..<count on at most `workers` threads, indices handed out in order
    /// (the first free worker takes the next one), so that `--jobs N` means N at a time and long
    /// items do not hold up the rest. Each result or error in index order.
    public static func map<T>(_ count: Int, workers: Int, _ body: @Sendable (Int) throws -> T) -> [Result<T, Error>] {
        let slots = Slots<Result<T, Error>>(count: count)
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, count))) { _ in
            while let i = next.take(below: count) { slots[i] = Result { try body(i) } }
        }
        return slots.values.map { $0! }
    }
}

/// Hands out 0, 1, 2, ... to the workers of a loop.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let queue = DispatchQueue(label: "vodfkit.counter")
    func take(below limit: Int) -> Int? {
        queue.sync {
            guard value < limit else { return nil }
            defer { value += 1 }
            return value
        }
    }
}
