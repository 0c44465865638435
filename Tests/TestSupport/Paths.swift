import Foundation

/// Paths the tests use. Real inputs live outside the repo; tests that need them skip with a reason.
public enum Paths {
    public static let repo: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let testData = repo.appendingPathComponent("TestData").path
    public static let corpus = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    public static var corpusAvailable: Bool { FileManager.default.fileExists(atPath: corpus + "/antares") }
    /// km3net-testdata and km3irf wheels unpacked by scripts/testdata.sh (make test runs it).
    public static let km3netData = repo.appendingPathComponent(".testdata/km3net-testdata/km3net_testdata/data").path
    public static var km3netDataAvailable: Bool { FileManager.default.fileExists(atPath: km3netData + "/offline") }

    /// A fresh empty directory for one test.
    public static func scratch(_ name: String = #function) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("vodfkit-tests-\(ProcessInfo.processInfo.processIdentifier)")
            .appendingPathComponent(name.filter { $0.isLetter || $0.isNumber } + "-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }
}
