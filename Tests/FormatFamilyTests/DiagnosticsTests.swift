import Conversion
import Diagnostics
import Foundation
import TestSupport
import Testing

@Suite("Diagnostics")
struct DiagnosticsTests {
    /// Many workers saying the same things: each distinct warning is kept and passed on once, in order.
    @Test func concurrentWarningsArePassedOnOnce() {
        let seen = Counter()
        let log = DiagnosticLog { _ in seen.add() }
        DispatchQueue.concurrentPerform(iterations: 400) { i in log.warn("warning \(i % 10)") }
        #expect(log.warnings.count == 10)
        #expect(seen.value == 10)
        #expect(Set(log.warnings) == Set((0..<10).map { "warning \($0)" }))
    }

    /// A conversion's warnings reach the log the caller gives, naming the file (a real flawed table).
    @Test func conversionWarningsGoToTheCallersLog() throws {
        let log = DiagnosticLog()
        var o = ConversionOptions()
        o.diagnostics = log
        let input = Paths.testData + "/flawed/aeff_negative_bin.csv"
        _ = try Converter.convert(input, options: o)
        #expect(log.warnings.count == 1)
        #expect(log.warnings.first?.contains("aeff_negative_bin.csv: 1 negative value(s)") == true)
        o.clipNegative = true
        o.diagnostics = DiagnosticLog()
        _ = try Converter.convert(input, options: o)
        #expect(o.diagnostics.warnings.allSatisfy { !$0.contains("carried as read") })
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
