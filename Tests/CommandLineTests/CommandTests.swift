import Foundation
import TestSupport
import Testing

@testable import vodf

/// Runs a command line in process, as the `vodf` binary does (`Vodf.execute`), and checks its exit
/// code and the error line it reports; the counterpart of swift-argument-parser's
/// `AssertExecuteCommand`, for commands whose work is the library's.
func assertExecute(
    _ arguments: [String], exits expected: Int32, reports fragment: String? = nil, reportsInOneLine: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let lines = Lines()
    let code = Vodf.execute(arguments) { lines.append($0) }
    #expect(code == expected, "vodf \(arguments.joined(separator: " ")): \(lines.all)", sourceLocation: sourceLocation)
    if let fragment {
        #expect(lines.all.contains { $0.contains(fragment) }, "\(lines.all)", sourceLocation: sourceLocation)
    }
    if expected > 1 && reportsInOneLine {
        // A failure is one line that names what failed.
        #expect(lines.all.count == 1 && lines.all[0].hasPrefix("vodf: error: "), sourceLocation: sourceLocation)
    }
}

final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    func append(_ s: String) { lock.withLock { kept.append(s) } }
    var all: [String] { lock.withLock { kept } }
}

@Suite("Commands in process")
struct CommandTests {
    static let events = Paths.testData + "/antares/sample_public.dat"
    static let table = Paths.testData + "/km3net/aeff_coszen_sample.csv"
    static let badTable = Paths.testData + "/bad/aeff_non_numeric.csv"

    /// Usage errors give 2, bad inputs 3, unwritable outputs 4, each in one line naming the cause.
    @Test func exitCodesFollowTheErrorCategory() throws {
        let dir = try Paths.scratch()
        // convert
        assertExecute(["convert", Self.table, "-o", dir + "/a.fits", "-q"], exits: 0)
        assertExecute(
            ["convert", Self.table, "-o", dir + "/b.fits", "--format", "gadf-9"], exits: 2, reports: "gadf-9")
        assertExecute(["convert", Self.badTable, "-o", dir + "/c.fits"], exits: 3, reports: "aeff_non_numeric.csv")
        assertExecute(["convert", Self.table, "-o", "/dev/full"], exits: 4, reports: "/dev/full")
        #expect(!FileManager.default.fileExists(atPath: dir + "/c.fits"))
        // --kind names what the input must hold: an event list is not an IRF table.
        assertExecute(["convert", Self.events, "-o", dir + "/d.fits", "--kind", "aeff"], exits: 3, reports: "not aeff")
        // peek
        assertExecute(["peek", Self.table, "-o", dir + "/a.svg", "-q"], exits: 0)
        assertExecute(["peek", Self.table, "--no-such-option"], exits: 2)
        assertExecute(["peek", Self.badTable, "-o", dir + "/b.svg"], exits: 3)
        assertExecute(["peek", Self.table, "-o", "/dev/full"], exits: 4)
        // validate: 0 for a clean file, 1 for findings, 2 for a wrong profile, 3 for no FITS file.
        assertExecute(["validate", dir + "/a.fits"], exits: 0)
        assertExecute(["validate", dir + "/a.fits", "--profile", "nope"], exits: 2)
        // validate reports findings in its own report (stdout), not as an error line.
        assertExecute(["validate", Self.table], exits: 3, reportsInOneLine: false)
    }
}
