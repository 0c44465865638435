import FITSIO
import Foundation

/// Fixity: a CHECKSUM or DATASUM that is present must verify. The findings of one file, and the
/// sums still to take (`DeferredChecksums`).
struct Fixity {
    let path: String
    let profile: Profile
    let sums = DeferredChecksums()
    private(set) var findings: [Finding] = []

    init(path: String, profile: Profile) {
        self.path = path
        self.profile = profile
    }

    mutating func record(
        _ hdu: Int, _ h: [HeaderCard], _ state: (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)
    ) {
        guard state.hdu == .invalid || state.data == .invalid else { return }
        // gammapy does not verify checksums (checksum=False is its default), so a stale one is an
        // error only where the spec is taken as written.
        findings.append(
            Finding(
                severity: profile == .gammapy ? .warning : .error, rule: "fits:checksum", file: path, hdu: hdu,
                hduName: h[key: "EXTNAME"]?.stringValue,
                target: "CHECKSUM",
                message: "CHECKSUM/DATASUM do not match the HDU's content (\(state.hdu)/\(state.data))",
                reference: "FITS 4.0 Appendix J"))
    }

    /// Verifies the sums no check took on the way (summed in place for a plain file, else by cfitsio).
    mutating func verifyPending(_ f: FITSFile, mapped: MappedFile?) throws {
        for p in sums.pending {
            let state: (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)
            if let s = mapped?.verifyChecksum(header: p.header, bytes: p.bytes, dataSum: sums.dataSum(hdu: p.hdu)) {
                state = s
            } else {
                do {
                    try f.moveTo(hdu: p.hdu + 1)
                    state = try f.verifyChecksum()
                } catch { throw Validator.Unreadable(description: "\(error)") }
            }
            record(p.hdu, p.header, state)
        }
    }
}

/// The HDU checksums of one plain file still to verify, and the data sums that checks scanning a
/// table took on the way (one read of a large table instead of two).
final class DeferredChecksums: @unchecked Sendable {
    struct Pending {
        let hdu: Int
        let header: [HeaderCard]
        let bytes: (headerStart: Int, dataStart: Int, dataEnd: Int)
    }
    private(set) var pending: [Pending] = []
    private var dataSums: [Int: UInt32] = [:]
    private let lock = NSLock()

    func expect(hdu: Int, header: [HeaderCard], bytes: (headerStart: Int, dataStart: Int, dataEnd: Int)) {
        pending.append(Pending(hdu: hdu, header: header, bytes: bytes))
    }
    /// The data unit of `hdu` if its sum is still wanted.
    func wantsData(hdu: Int) -> (dataStart: Int, dataEnd: Int)? {
        lock.lock()
        defer { lock.unlock() }
        guard dataSums[hdu] == nil, let p = pending.first(where: { $0.hdu == hdu }) else { return nil }
        return (p.bytes.dataStart, p.bytes.dataEnd)
    }
    func setDataSum(hdu: Int, _ sum: UInt32) {
        lock.lock()
        dataSums[hdu] = sum
        lock.unlock()
    }
    func dataSum(hdu: Int) -> UInt32? {
        lock.lock()
        defer { lock.unlock() }
        return dataSums[hdu]
    }
}

/// The GTI of one file once a check has read it: three checks need it, and it is read once.
/// `.some(nil)`: read, and the file has none. One file's checks run in turn, so no lock.
final class GTICache: @unchecked Sendable {
    var intervals: [(Double, Double)]??
}

/// HDU names of the files one validation run has read, keyed by their resolved path.
public final class SeenHDUs: @unchecked Sendable {
    private var names: [String: Set<String>] = [:]
    private let lock = NSLock()
    public init() {}

    static func key(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// `NAME#VERSION` of an HDU (EXTNAME upper-cased, EXTVER 1 when absent): how HDUs are told apart by name.
    static func nameAndVersion(_ h: [HeaderCard]) -> String? {
        h[key: "EXTNAME"]?.stringValue.map {
            "\($0.trimmedBlanks.uppercased())#\(h[key: "EXTVER"]?.doubleValue.map { Int($0) } ?? 1)"
        }
    }

    func record(path: String, headers: [[HeaderCard]]) {
        let set = Set(headers.compactMap(Self.nameAndVersion))
        let k = Self.key(path)
        lock.lock()
        names[k] = set
        lock.unlock()
    }

    /// The EXTNAME#EXTVER set of `path` if this run read it.
    func hdus(_ path: String) -> Set<String>? {
        let k = Self.key(path)
        lock.lock()
        defer { lock.unlock() }
        return names[k]
    }
}

/// How many files of a parallel run are done (for the progress line), and the counter that hands
/// files to the workers in order. The results themselves go into `Slots`, one per file.
final class RunProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var handedOut = 0
    private(set) var done = 0

    /// The next position of the work order, or nil when all are handed out.
    func take(below n: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard handedOut < n else { return nil }
        handedOut += 1
        return handedOut - 1
    }

    /// One more file done; the count so far.
    func finish() -> Int {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        return done
    }
}
