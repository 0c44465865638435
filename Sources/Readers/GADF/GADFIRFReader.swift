import FITSIO
import Foundation
import Model

/// Reads IRF HDUs of GADF (and vodfkit's VODF-draft) files from any producer into the model:
/// AEFF_2D, EDISP_2D, PSF_TABLE, PSF_3GAUSS, PSF_KING, BKG_2D, BKG_3D and RAD_MAX_2D. HDUs are found by their class
/// keywords (HDUCLAS4, or the legacy OGIP HDUCLAS2 + '2D'/'3D'), never by EXTNAME.
public enum GADFIRFReader {
    public enum Kind: String, CaseIterable, Sendable {
        case aeff2D = "AEFF_2D", edisp2D = "EDISP_2D", psfTable = "PSF_TABLE", bkg2D = "BKG_2D", bkg3D = "BKG_3D", radMax2D = "RAD_MAX_2D"
        case psf3Gauss = "PSF_3GAUSS", psfKing = "PSF_KING"

        /// Axes in spec order (fastest first) and the data column names (legacy ones after the first).
        var specAxes: [String] {
            switch self {
            case .aeff2D: return ["ENERG", "THETA"]
            case .edisp2D: return ["ENERG", "MIGRA", "THETA"]
            case .psfTable: return ["ENERG", "THETA", "RAD"]
            case .bkg2D, .radMax2D: return ["ENERG", "THETA"]
            case .bkg3D: return ["ENERG", "DETX", "DETY"]
            case .psf3Gauss, .psfKing: return ["ENERG", "THETA"]
            }
        }
        var dataColumns: [String] {
            switch self {
            case .aeff2D: return ["EFFAREA"]
            case .edisp2D: return ["MATRIX"]
            case .psfTable: return ["RPSF"]
            case .bkg2D, .bkg3D: return ["BKG", "BGD"]
            case .radMax2D: return ["RAD_MAX"]
            case .psf3Gauss: return PSF3Gauss.parameterUnits.map(\.0)
            case .psfKing: return PSFKing.parameterUnits.map(\.0)
            }
        }
    }

    /// One IRF HDU read into the model.
    public struct Entry {
        public var hdu: Int
        public var extname: String
        public var kind: Kind
        public var component: any IRFComponent
        public var telescope: String
        public var instrument: String
    }

    /// The kind of the current HDU from its class keywords, or nil if it is not an IRF.
    public static func kind(of header: [HeaderCard]) -> Kind? {
        let c4 = header[key: "HDUCLAS4"]?.stringValue?.uppercased().trimmingCharacters(in: .whitespaces) ?? ""
        if let k = Kind(rawValue: c4) { return k }
        // Legacy CTA-1DC (HDUCLASS 'OGIP'): HDUCLAS2 names the IRF, HDUCLAS4 only its shape.
        let c2 = header[key: "HDUCLAS2"]?.stringValue?.uppercased() ?? ""
        switch (c2, c4) {
        case ("EFF_AREA", "2D"): return .aeff2D
        case ("EDISP", "2D"): return .edisp2D
        case ("PSF", "3GAUSS"), ("RPSF", "3GAUSS"): return .psf3Gauss
        case ("BKG", "3D"): return .bkg3D
        case ("BKG", "2D"): return .bkg2D
        default: return nil
        }
    }

    /// Every IRF HDU of `path`; any HDU that cannot be read is an error naming it.
    public static func read(path: String) throws -> [Entry] { try read(path: path, skippingDamaged: false).entries }

    /// What `read(path:skippingDamaged:)` found: the IRFs, and the HDUs skipped as damaged (each
    /// "HDU n (NAME): reason", a truncated tail included).
    public struct Reading {
        public var entries: [Entry] = []
        public var skipped: [String] = []
    }

    /// Every IRF HDU of `path`. With `skippingDamaged`, an HDU that cannot be read (and the tail
    /// of a truncated file) is skipped and named in `skipped` instead of failing the whole file.
    public static func read(path: String, skippingDamaged: Bool) throws -> Reading {
        let f: FITSFile
        do { f = try FITSFile.open(path: path, keepingCompleteHDUs: skippingDamaged) } catch {
            // A FITSError already names the file; InputError names it once.
            let reason = (error as? FITSError).map { $0.detail.isEmpty ? $0.context : "\($0.context): \($0.detail)" } ?? "\(error)"
            throw InputError(file: path, reason: reason)
        }
        var reading = Reading()
        if let damage = f.damage { reading.skipped.append("everything after HDU \(f.layout.extents.count - 1): \(damage)") }
        // Counted once: each count walks cfitsio's HDU list, so counting per HDU was quadratic.
        let count = try f.hduCount
        for i in 2...max(2, count) where i <= count {
            var extname = "HDU \(i - 1)"
            do {
                guard try f.moveTo(hdu: i) == .binaryTable else { continue }
                let header = try f.readHeader()
                guard let kind = kind(of: header) else { continue }
                extname = header[key: "EXTNAME"]?.stringValue ?? extname
                let table = try f.readTable()
                reading.entries.append(Entry(hdu: i - 1, extname: extname, kind: kind, component: try component(kind, table),
                                             telescope: header[key: "TELESCOP"]?.stringValue ?? "unknown",
                                             instrument: header[key: "INSTRUME"]?.stringValue ?? "unknown"))
            } catch {
                let reason = switch error {
                case let e as ModelError: e.description
                case let e as InputError: e.reason
                case let e as FITSError: e.detail.isEmpty ? e.context : "\(e.context): \(e.detail)"
                default: "\(error)"
                }
                let part = extname == "HDU \(i - 1)" ? extname : "HDU \(i - 1) (\(extname))"
                // cfitsio's "HDU n cannot be read" names the HDU already.
                let named = reason.hasPrefix("HDU \(i - 1) ")
                guard skippingDamaged else { throw InputError(file: path, part: named ? nil : part, reason: reason) }
                reading.skipped.append(named ? reason : "\(part): \(reason)")
            }
        }
        return reading
    }

    struct ReadAxis { let name: String; let axis: Axis }

    static func component(_ kind: Kind, _ t: Table) throws -> any IRFComponent {
        let header = t.header
        // Axis column pairs <X>_LO / <X>_HI, with their meaning for this kind.
        var pairs: [String: ReadAxis] = [:]
        for spec in t.columns where spec.name.uppercased().hasSuffix("_LO") {
            let prefix = String(spec.name.dropLast(3))
            guard let hiSpec = t.spec(prefix + "_HI"), let lo = t.column(spec.name)?.doubles, let hi = t.column(hiSpec.name)?.doubles else { continue }
            guard let meaning = meaning(of: prefix.uppercased(), kind: kind, header: header) else { continue }
            let unit = try unit(spec.unit, default: defaultUnit(meaning), what: spec.name)
            guard lo.count == hi.count, !lo.isEmpty else {
                throw InputError(file: "", reason: "axis \(prefix): \(lo.count) low and \(hi.count) high edges")
            }
            let scale: AxisScale = (meaning == .trueEnergy || meaning == .recoEnergy) ? .log : .linear
            let axis: Axis
            // Node axes: LO = HI within round-off of the node spacing.
            let spacing = zip(lo, lo.dropFirst()).map { abs($1 - $0) }.min() ?? abs(lo[0])
            if zip(lo, hi).allSatisfy({ abs($0 - $1) <= 1e-6 * spacing }) {
                // LO == HI everywhere: node values (HESS DR1 THETA), as gammapy reads them.
                axis = try Axis(name: prefix, nodes: lo, unit: unit, scale: scale, meaning: meaning)
            } else {
                for k in lo.indices where !(lo[k] < hi[k]) {
                    throw InputError(file: "", reason: "axis \(prefix): bin \(k) has LO \(lo[k]) not below HI \(hi[k])")
                }
                axis = try Axis(name: prefix, lowHigh: Array(zip(lo, hi)), unit: unit, scale: scale, meaning: meaning, tolerance: 1e-6)
            }
            pairs[canonical(prefix.uppercased())] = ReadAxis(name: prefix, axis: axis)
        }
        let spec = kind.specAxes
        for name in spec where pairs[name] == nil {
            throw InputError(file: "", reason: "missing axis columns \(name)_LO/\(name)_HI")
        }
        var orderNote: String? = nil
        /// One data column as an IRF table in spec order: its file order comes from its CREFn when
        /// that resolves, else from TDIM lengths matched against the axes, else the spec order.
        func decode(_ dataSpec: ColumnSpec, defaultUnit: Model.Unit) throws -> IRFTable {
            guard let data = t.column(dataSpec.name)?.doubles else { throw InputError(file: "", reason: "column \(dataSpec.name) is not numeric") }
            var fileOrder = spec
            let dims = dataSpec.dims ?? [data.count]
            let dataIndex = (t.columns.firstIndex { $0.name == dataSpec.name } ?? 0) + 1
            if let cref = header[key: "CREF\(dataIndex)"]?.stringValue {
                let names = cref.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
                    .map { String($0.split(separator: ":").first ?? "").replacingOccurrences(of: "_LO", with: "").uppercased() }
                    .map(canonical)
                if Set(names) == Set(spec), names.count == spec.count { fileOrder = names }
            } else if dims.count == spec.count, dims != spec.map({ pairs[$0]!.axis.binCount }) {
                let candidates = permutations(spec).filter { p in zip(p, dims).allSatisfy { pairs[$0.0]!.axis.binCount == $0.1 } }
                if candidates.count == 1 {
                    fileOrder = candidates[0]
                    orderNote = "Data axes stored in order \(fileOrder.joined(separator: ",")) (fastest first); rewritten in spec order."
                } else if candidates.contains(Array(spec.reversed())) {
                    // Equal lengths (BKG_3D's DETX and DETY) leave TDIM ambiguous. The deviation seen in
                    // real files (HESS DR1 and CTA-1DC BKG_3D, km3irf BKG_2D) is the fully reversed order,
                    // which is also how gammapy reads them.
                    fileOrder = Array(spec.reversed())
                    orderNote = "Data axes stored reversed (\(fileOrder.joined(separator: ","))), as TDIM shows; rewritten in spec order."
                } else if candidates.count > 1 {
                    orderNote = "Axis order ambiguous from TDIM (equal lengths); spec order assumed."
                }
            }
            let lengths = fileOrder.map { pairs[$0]!.axis.binCount }
            guard lengths.reduce(1, *) == data.count else {
                throw InputError(file: "", reason: "data column \(dataSpec.name) has \(data.count) values, the axes \(fileOrder.joined(separator: "x")) give \(lengths.reduce(1, *)) (wrong dimensions)")
            }
            // Transpose from file order to spec order (first axis fastest in both).
            let perm = spec.map { fileOrder.firstIndex(of: $0)! }
            let specLengths = spec.map { pairs[$0]!.axis.binCount }
            var values = [Double](repeating: 0, count: data.count)
            var fileStrides = [Int](repeating: 1, count: fileOrder.count)
            for k in 1..<max(1, fileOrder.count) { fileStrides[k] = fileStrides[k - 1] * lengths[k - 1] }
            var idx = [Int](repeating: 0, count: spec.count)
            for flat in 0..<data.count {
                var rem = flat
                for d in 0..<spec.count { idx[d] = rem % specLengths[d]; rem /= specLengths[d] }
                var src = 0
                for d in 0..<spec.count { src += idx[d] * fileStrides[perm[d]] }
                values[flat] = data[src]
            }
            let unit = try self.unit(dataSpec.unit, default: defaultUnit, what: dataSpec.name)
            return try IRFTable(axes: spec.map { pairs[$0]!.axis }, values: values, unit: unit)
        }
        guard let dataSpec = kind.dataColumns.lazy.compactMap({ t.spec($0) }).first else {
            throw InputError(file: "", reason: "no data column \(kind.dataColumns.joined(separator: " or "))")
        }
        var parameters: [(name: String, table: IRFTable)] = []
        let irf: IRFTable
        switch kind {
        case .psf3Gauss, .psfKing:
            let units = kind == .psf3Gauss ? PSF3Gauss.parameterUnits : PSFKing.parameterUnits
            for (name, u) in units {
                guard let s = t.spec(name) else { throw InputError(file: "", reason: "missing parameter column \(name)") }
                parameters.append((name, try decode(s, defaultUnit: u)))
            }
            irf = parameters[0].table
        default:
            irf = try decode(dataSpec, defaultUnit: defaultDataUnit(kind))
        }
        var notes = ["Read from a GADF \(kind.rawValue) HDU."]
        if let orderNote { notes.append(orderNote) }
        if dataSpec.unit == nil || dataSpec.unit == "" { notes.append("\(dataSpec.name) had no unit; \(defaultDataUnit(kind).symbol) assumed (as gammapy does).") }
        let carried = header.compactMap { c -> CarriedKeyword? in
            guard CarriedKeyword.names.contains(c.name), let v = c.value else { return nil }
            switch v {
            case .double(let d): return CarriedKeyword(c.name, .double(d))
            case .int(let i): return CarriedKeyword(c.name, .int(i))
            case .string(let s): return CarriedKeyword(c.name, .string(s))
            case .bool: return nil
            }
        }
        let containment: Containment = (header[key: "HDUCLAS3"]?.stringValue?.uppercased() == "POINT-LIKE") ? .pointLike : .fullEnclosure
        switch kind {
        case .aeff2D: return try EffectiveArea(table: irf, containment: containment, notes: notes).carrying(carried)
        case .edisp2D: return try EnergyDispersion(table: irf, containment: containment, notes: notes).carrying(carried)
        case .psfTable: return try PSFTable(table: irf, notes: notes).carrying(carried)
        case .bkg2D: return try Background2D(table: irf, notes: notes).carrying(carried)
        case .bkg3D: return try Background3D(table: irf, notes: notes, carried: carried)
        case .radMax2D: return try RadMax2D(table: irf, notes: notes, carried: carried)
        case .psf3Gauss: return try PSF3Gauss(parameters: parameters, notes: notes, carried: carried)
        case .psfKing: return try PSFKing(parameters: parameters, notes: notes, carried: carried)
        }
    }

    /// GADF and VODF-draft column prefixes, and legacy ones, to the spec's axis names.
    static func canonical(_ prefix: String) -> String {
        switch prefix {
        case "ETRUE", "ENERGY_TRUE", "ENERGY_RECO", "ENERGY": return "ENERG"
        case "OFFSET", "ZENITH": return "THETA"
        case "FOV_LON": return "DETX"
        case "FOV_LAT": return "DETY"
        default: return prefix
        }
    }

    static func meaning(of prefix: String, kind: Kind, header: [HeaderCard]) -> AxisMeaning? {
        switch canonical(prefix) {
        case "ENERG": return (kind == .bkg2D || kind == .bkg3D || kind == .radMax2D) ? .recoEnergy : .trueEnergy
        case "THETA":
            // vodfkit declares a zenith-angle THETA with AXISn = 'ZENITH'.
            let declared = (1...3).compactMap { header[key: "AXIS\($0)"]?.stringValue }.contains("ZENITH")
            return declared || prefix == "ZENITH" ? .zenithAngle : .fovOffset
        case "MIGRA": return .migration
        case "RAD": return .rad
        case "DETX": return .fovLon
        case "DETY": return .fovLat
        default: return nil
        }
    }

    static func defaultUnit(_ m: AxisMeaning) -> Model.Unit {
        switch m {
        case .trueEnergy, .recoEnergy: return .TeV
        case .migration, .cosZenith, .sinDeclination: return .dimensionless
        default: return .degree
        }
    }

    static func defaultDataUnit(_ k: Kind) -> Model.Unit {
        switch k {
        case .aeff2D: return .squareMeter
        case .edisp2D: return .dimensionless
        case .psfTable: return .perSteradian
        case .bkg2D, .bkg3D: return .backgroundRate
        case .radMax2D: return .degree
        case .psf3Gauss, .psfKing: return .dimensionless
        }
    }

    static func unit(_ text: String?, default d: Model.Unit, what: String) throws -> Model.Unit {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return d }
        do { return try Model.Unit.parse(text) } catch { throw InputError(file: "", reason: "column \(what): \(error)") }
    }

    static func permutations(_ a: [String]) -> [[String]] {
        guard a.count > 1 else { return [a] }
        return a.indices.flatMap { i -> [[String]] in
            var rest = a
            let x = rest.remove(at: i)
            return permutations(rest).map { [x] + $0 }
        }
    }
}
