import Parallel
import TestSupport
import Testing

/// The one parallel-results type: results come back in index order, and errors stay at their index
/// (callers report the first failure in input order, as a serial loop would).
@Suite("Parallel slots")
struct ParallelTests {
    struct Odd: Error, Equatable { let i: Int }

    @Test func resultsInIndexOrder() {
        let squares = Parallel.map(10_000) { i in i * i }
        #expect(squares == (0..<10_000).map { $0 * $0 })
    }

    @Test func errorsStayAtTheirIndex() {
        let results = Parallel.map(64) { i throws -> Int in
            if i % 2 == 1 { throw Odd(i: i) }
            return i
        }
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let v): #expect(i % 2 == 0 && v == i)
            case .failure(let e): #expect((e as? Odd) == Odd(i: i))
            }
        }
    }

    @Test func slotsHoldNilUntilSet() {
        let s = Slots<String>(count: 3)
        s[1] = "b"
        #expect(s.values == [nil, "b", nil])
    }
}
