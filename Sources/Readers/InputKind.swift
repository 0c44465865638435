import FITSIO
import Foundation

/// What an input file is, decided from its content (the extension is only a hint).
public enum InputKind: String, Sendable, CaseIterable {
    case fits = "FITS"
    case root = "ROOT"
    case hdf5 = "HDF5"
    case antaresPublicList = "ANTARES public event list (text)"
    case antaresVOTableCSV = "ANTARES ant20_01 VO-table CSV export"
    case antaresConeSearchCSV = "ANTARES ant20_01 cone-search CSV (as the VO serves it)"
    case antaresVOTable = "ANTARES ant20_01 VOTable (as the VO serves it)"
    case km3netAeffTable = "KM3NeT effective-area table (CSV)"
    case km3netPSFTable = "KM3NeT PSF table (CSV)"
    case km3netEnergyResponseTable = "KM3NeT energy-response table (CSV)"
    case km3netBackgroundTable = "KM3NeT background table (CSV)"
    case km3netAeffJSON = "KM3NeT effective area (JSON, sky-averaged)"
    case voevent = "VOEvent (XML)"
    case gcnNotice = "GCN neutrino alert notice (JSON)"

    /// Sniffs the first bytes of `path`.
    public static func detect(path: String) throws -> InputKind {
        let bytes = try head(path: path)
        guard let kind = kind(of: bytes) else { throw unrecognised(path: path, bytes: bytes) }
        return kind
    }

    /// The first 8 KiB of a regular file, for sniffing; an empty file, a FIFO or a device is an error.
    public static func head(path: String) throws -> [UInt8] {
        // Only regular files: opening a FIFO blocks, a device never ends.
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
            throw InputError(file: path, reason: "not a regular file (a FIFO, device or socket is not read)")
        }
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw InputError(
                file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot open file" : "no such file")
        }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 8192)) ?? Data()
        guard !head.isEmpty else { throw InputError(file: path, reason: "file is empty") }
        return [UInt8](head)
    }

    /// The error for content no reader knows, saying what it looks like.
    public static func unrecognised(path: String, bytes: [UInt8]) -> InputError {
        InputError(
            file: path, line: 1,
            reason:
                "unrecognised input (it looks like \(ContentSniff.describe(bytes))): not FITS, ROOT, HDF5, an ANTARES event list, a KM3NeT IRF table, a VOEvent or a GCN notice"
        )
    }

    /// The built-in kind the first bytes of a file show, or nil.
    public static func kind(of bytes: [UInt8]) -> InputKind? {
        if bytes.starts(with: Array("SIMPLE  =".utf8)) { return .fits }
        // gzip: FITS inside is checked when it is opened (the name says nothing).
        if bytes.starts(with: [0x1f, 0x8b]) { return .fits }
        if bytes.starts(with: Array("root".utf8)) { return .root }
        if bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) { return .hdf5 }
        let text = String(decoding: bytes, as: UTF8.self)
        // A VOTable whose fields are the ANTARES list's (the VO service's native answer).
        if ContentSniff.describe(bytes) == "XML (a VOTable)" {
            let lower = text.lowercased()
            let names = ["mjd", "nhit", "beta", "ra"].allSatisfy { lower.contains("name=\"\($0)\"") }
            if names && (lower.contains("name=\"decl\"") || lower.contains("name=\"dec\"")) { return .antaresVOTable }
        }
        if let alert = alertKind(text) { return alert }
        if isAeffJSON(text) { return .km3netAeffJSON }
        // "\r\n" is one Character in Swift: split on any line end, so CRLF files are sniffed too.
        let lines = text.split(maxSplits: 6, whereSeparator: \.isNewline).prefix(6).map { $0.lowercased() }
        for line in lines {
            if let kind = textKind(line) { return kind }
        }
        return nil
    }

    /// The kind one of the first lines of a text table declares.
    static func textKind(_ line: String) -> InputKind? {
        // The ANTARES list's header, tab- or space-separated, with or without units.
        let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
        if fields.count >= 5, fields[0].hasPrefix("dec"), fields.contains(where: { $0.hasPrefix("mjd") }),
            fields.contains(where: { $0.hasPrefix("nhit") })
        {
            return .antaresPublicList
        }
        let commas = Set(
            line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\r")) })
        if commas.isSuperset(of: ["ra", "dec", "mjd", "nhit", "beta"]) { return .antaresVOTableCSV }
        // The DaCHS cone search: _r, MJD, Beta, Nhit, RA, Decl, ID.
        if commas.isSuperset(of: ["ra", "decl", "mjd", "nhit", "beta"]) { return .antaresConeSearchCSV }
        // KM3NeT IRF tables start with a log10 energy axis; the second axis tells the kind.
        // Keyed on axes, not the value column, so a table missing its values gets "missing column".
        if line.hasPrefix("log10(nu_e") || line.hasPrefix("log10(reco_e") {
            if line.contains("cos(zen)") { return .km3netAeffTable }
            if line.contains("sin(dec)") { return .km3netBackgroundTable }
            if line.contains("log10(psi") { return .km3netPSFTable }
            if line.contains("log10(reco_e") { return .km3netEnergyResponseTable }
        }
        return nil
    }

    /// A VOEvent (an XML document whose root is VOEvent, in any prefix) or a GCN notice (a JSON
    /// object naming a gcn.nasa.gov notice schema, or KM3NeT as its mission).
    /// KM3NeT's effective area in JSON (pandas' column layout): an object whose first key is the energy
    /// column and which has an effective-area column ("Energy [GeV]", "Aeff [cm^2]").
    static func isAeffJSON(_ head: String) -> Bool {
        let t = head.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.lowercased()
        guard t.hasPrefix("{") else { return false }
        let afterBrace = t.dropFirst().drop { $0.isWhitespace }
        return afterBrace.hasPrefix("\"energy") && (t.contains("\"aeff") || t.contains("\"effective area"))
    }

    public static func alertKind(_ head: String) -> InputKind? {
        let t = head.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if t.hasPrefix("<"), head.range(of: #"<([A-Za-z_][\w.-]*:)?VOEvent[\s>]"#, options: .regularExpression) != nil {
            return .voevent
        }
        if t.hasPrefix("{"),
            head.contains("gcn.nasa.gov/schema")
                || head.range(of: #""mission"\s*:\s*"KM3NeT""#, options: .regularExpression) != nil
        {
            return .gcnNotice
        }
        return nil
    }
}
