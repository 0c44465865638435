import ANTARES
import Alerts
import Astrometry
import FITSIO
import Foundation
import GADF
import IOLimits
import JSONIO
import KM3NeT
import Publication
import ROOTIO
import Readers
import Validation
import XMLIO

/// libFuzzer targets, one binary: `VODF_FUZZ_TARGET` picks the reader that gets the bytes.
///
/// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`), libFuzzer calls `LLVMFuzzerTestOneInput`.
/// Built normally, the same binary replays files (`vodf-fuzz TARGET FILE...`): that is how the
/// crashes fuzzing found are kept as regression inputs under Tests/fuzz/ and rerun by `make test`.
///
/// A target passes bytes to the entry point the CLI uses for that input kind; an error thrown is a
/// correct answer, only a crash (a trap, a signal) or libFuzzer's memory or time limit is a finding.
enum FuzzTarget: String, CaseIterable {
    case root, fits, gzip, csv, yaml, hdf5, alert

    /// The file name the bytes are given under (the readers detect content, the name is a hint).
    var fileName: String {
        switch self {
        case .root: "input.root"
        case .fits: "input.fits"
        case .gzip: "input.fits.gz"
        case .csv: "input.csv"
        case .yaml: "input.yaml"
        case .hdf5: "input.h5"
        case .alert: "input.json"
        }
    }

    func run(_ bytes: UnsafeRawBufferPointer) {
        if self == .yaml {
            let text = String(decoding: bytes, as: UTF8.self)
            try? SpecLibrary.parse(text: text, kind: "spec")
            try? SpecLibrary.parse(text: text, kind: "groups_file")
            return
        }
        if self == .alert { return alert(bytes) }
        guard let path = Scratch.write(bytes, as: fileName) else { return }
        switch self {
        case .root:
            var options = OfflineEvents.Options()
            options.location = DetectorSites.named("arca") // an unknown det_id then still converts
            // The streamer list on its own only when the event read failed (a read that works has
            // been through it): a second open was a fifth of each execution.
            if (try? OfflineEvents.read(path: path, options: options)) == nil, let f = try? ROOTFile(path: path) {
                _ = try? f.streamers()
            }
        case .fits, .gzip:
            readEveryHDU(path)
            _ = try? GADFIRFReader.read(path: path)
        case .csv:
            guard let kind = try? InputKind.detect(path: path) else { return }
            switch kind {
            case .antaresPublicList, .antaresVOTableCSV, .antaresConeSearchCSV, .antaresVOTable:
                _ = try? ANTARESEventList.read(path: path, kind: kind)
            case .km3netAeffTable: _ = try? KM3NeTIRFTables.readEffectiveArea(path: path)
            case .km3netPSFTable: _ = try? KM3NeTIRFTables.readPSF(path: path)
            case .km3netEnergyResponseTable: _ = try? KM3NeTIRFTables.readEnergyResponse(path: path)
            case .km3netBackgroundTable: _ = try? KM3NeTIRFTables.readBackground(path: path)
            default: break
            }
        case .hdf5:
            // Through the defensive layer: libhdf5 runs in a child process, which libFuzzer does
            // not see into; what is fuzzed here is everything around it.
            var options = OfflineEvents.Options()
            options.location = DetectorSites.named("arca")
            _ = try? KM3PipeEvents.read(path: path, options: options)
        case .yaml, .alert:
            break
        }
    }

    /// The bytes as a GCN notice and as a VOEvent: the parsers, the readers, and the checks of
    /// `vodf validate` (schema checks when the standards are found, as the CLI finds them).
    private func alert(_ bytes: UnsafeRawBufferPointer) {
        let data = Data(bytes)
        if let doc = try? JSONNode.parse(data, file: "input.json") {
            _ = try? GCNNoticeReader.read(doc, file: "input.json")
        }
        if let doc = try? XMLDocument.parse(data, file: "input.xml") {
            _ = try? VOEventReader.read(doc, file: "input.xml")
        }
        let checks = AlertChecks(standards: Self.standards, profile: .gammapy)
        for (name, kind) in [("input.json", InputKind.gcnNotice), ("input.xml", .voevent)] {
            guard let path = Scratch.write(bytes, as: name) else { continue }
            _ = try? checks.validate(path: path, kind: kind)
        }
    }

    static let standards = try? Standards.locate()

    /// What `vodf inspect` does: every header and every column of every HDU.
    private func readEveryHDU(_ path: String) {
        guard let f = try? FITSFile.open(path: path), let n = try? f.hduCount else { return }
        for i in 1...max(1, n) {
            guard (try? f.moveTo(hdu: i)) == .binaryTable else {
                _ = try? f.readHeader()
                continue
            }
            guard let header = try? f.readHeader(), let columns = try? f.columns(header: header),
                let rows = try? f.rowCount
            else { continue }
            for c in columns { _ = try? f.read(column: c, rows: rows) }
        }
    }
}

/// One scratch file per target in tmpfs when there is one (a write per execution).
enum Scratch {
    static let dir: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let d = base + "/vodf-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.dir) }
        return d
    }()
    static func path(_ name: String) -> String { dir + "/" + name }

    /// The input's bytes in the target's scratch file, rewritten in place: one open file per
    /// target, truncated and written each time (FileManager's atomic write and rename cost a tenth
    /// of an execution).
    static func write(_ bytes: UnsafeRawBufferPointer, as name: String) -> String? {
        let path = path(name)
        if fd < 0 { fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        guard fd >= 0, ftruncate(fd, 0) == 0 else { return nil }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(done))
            guard n > 0 else { return nil }
            done += n
        }
        return path
    }
    nonisolated(unsafe) private static var fd: Int32 = -1
}

/// The target named by VODF_FUZZ_TARGET (libFuzzer runs) or the first argument (replays).
nonisolated(unsafe) var selected: FuzzTarget?

#if FUZZING
    /// Which `main` the link keeps depends on the linker: libFuzzer's (it then calls the two entry
    /// points below) or ours, SwiftPM's alias of the executable's entry point (it starts libFuzzer's
    /// driver itself). Both paths pick the target the same way.
    @_cdecl("LLVMFuzzerInitialize")
    public func fuzzInitialize(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
    ) -> Int32 {
        Fuzz.select()
        return 0
    }

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        selected?.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @main
    struct Fuzz {
        static func select() {
            guard selected == nil else { return }
            guard let name = ProcessInfo.processInfo.environment["VODF_FUZZ_TARGET"], let t = FuzzTarget(rawValue: name)
            else {
                FileHandle.standardError.write(
                    Data(
                        "vodf-fuzz: set VODF_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n"
                            .utf8))
                exit(2)
            }
            selected = t
            // The CLI's default memory limit; libFuzzer's -rss_limit_mb catches what it misses.
            ReadLimits.maxBytes = 256 << 20
        }

        static func main() {
            select()
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(
                LLVMFuzzerRunDriver(&argc, &argv) { data, size in
                    selected?.run(UnsafeRawBufferPointer(start: data, count: size))
                    return 0
                })
        }
    }
#else
    @main
    struct Replay {
        static func main() {
            let args = CommandLine.arguments.dropFirst()
            guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count >= 2 else {
                print(
                    "usage: vodf-fuzz TARGET FILE... (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                exit(2)
            }
            for file in args.dropFirst() {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("vodf-fuzz: cannot read \(file)")
                    exit(2)
                }
                data.withUnsafeBytes { target.run($0) }
            }
            print("vodf-fuzz: \(args.count - 1) input(s) of \(name) replayed without a crash")
        }
    }
#endif
