import FITSIO
import Foundation
import Model
import Readers

/// Reads IRF HDUs of GADF (and vodfkit's VODF-draft) files from any producer into the model:
/// every kind of `IRFKinds`, each decoded by its `IRFLayout`. HDUs are found by their class
/// keywords (HDUCLAS4, or a legacy OGIP pair such as HDUCLAS2 + '2D'), never by EXTNAME.
public enum GADFIRFReader {
    /// One IRF HDU read into the model.
    public struct Entry {
        public var hdu: Int
        public var extname: String
        public var kind: any IRFComponent.Type
        public var component: any IRFComponent
        /// The kind's HDUCLAS4 (AEFF_2D, ...).
        public var kindName: String { kind.layout.hduClass4 }
        public var telescope: String
        public var instrument: String
        /// The event channel its CHANNEL/EVTTYPE keywords name (vodfkit's files), carried on.
        public var channel: EventChannel?
        public var period: String?
    }

    /// The channel an HDU's keywords name (CHANNEL, EVTTYPE, NUFLAVOR, NUINTER), if any.
    static func channel(of header: [HeaderCard]) -> EventChannel? { ChannelCards.single(of: header) }

    /// The kind of the current HDU from its class keywords, or nil if it is not an IRF.
    public static func kind(of header: [HeaderCard]) -> (any IRFComponent.Type)? {
        let c4 = header[key: "HDUCLAS4"]?.stringValue?.uppercased().trimmingCharacters(in: .whitespaces) ?? ""
        let c2 = header[key: "HDUCLAS2"]?.stringValue?.uppercased() ?? ""
        if let kind = IRFKinds.kind(hduClass2: c2, hduClass4: c4) { return kind }
        // No class keywords at all: gammapy writes PSF_3GAUSS and PSF_KING HDUs so, and reads them by
        // name; the columns say which kind it is.
        guard classKeywords(header).isEmpty else { return nil }
        return byColumns(columnNames(header))
    }

    /// The HDUCLAS1-4 values an HDU has.
    static func classKeywords(_ header: [HeaderCard]) -> [String] {
        (1...4).compactMap { header[key: "HDUCLAS\($0)"]?.stringValue?.trimmedBlanks }.filter { !$0.isEmpty }
    }

    /// The column names a table header declares (TTYPEn), upper-cased.
    static func columnNames(_ header: [HeaderCard]) -> Set<String> {
        Set(
            header.filter { $0.name.hasPrefix("TTYPE") }.compactMap {
                $0.value?.stringValue?.trimmedBlanks.uppercased()
            })
    }

    /// The IRF kind whose axes (LO/HI pairs) and data columns (or their legacy names) a table has.
    static func byColumns(_ names: Set<String>) -> (any IRFComponent.Type)? {
        IRFKinds.all.first { kind in
            let l = kind.layout
            let axes = l.axes.allSatisfy { names.contains($0 + "_LO") && names.contains($0 + "_HI") }
            let data =
                l.dataColumns.allSatisfy { names.contains($0.name) }
                || (l.dataColumns.count == 1 && l.legacyDataColumns.contains { names.contains($0) })
            return axes && data
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
            throw InputError(file: path, reason: reason(error))
        }
        var reading = Reading()
        if let damage = f.damage {
            reading.skipped.append("everything after HDU \(f.layout.extents.count - 1): \(damage)")
        }
        for i in try f.extensionNumbers {
            var extname = "HDU \(i - 1)"
            do {
                guard try f.moveTo(hdu: i) == .binaryTable else { continue }
                let header = try f.readHeader()
                guard let kind = kind(of: header) else { continue }
                extname = header[key: "EXTNAME"]?.stringValue ?? extname
                reading.entries.append(try entry(kind, try f.readTable(), hdu: i - 1))
            } catch {
                let reason = reason(error)
                let part = extname == "HDU \(i - 1)" ? extname : "HDU \(i - 1) (\(extname))"
                // cfitsio's "HDU n cannot be read" names the HDU already.
                let named = reason.hasPrefix("HDU \(i - 1) ")
                guard skippingDamaged else { throw InputError(file: path, part: named ? nil : part, reason: reason) }
                reading.skipped.append(named ? reason : "\(part): \(reason)")
            }
        }
        return reading
    }

    /// A reader's error as the reason part of a one-line message (the caller names file and HDU).
    public static func reason(_ error: Error) -> String {
        switch error {
        case let e as ModelError: e.description
        case let e as InputError: e.reason
        case let e as FITSError: e.detail.isEmpty ? e.context : "\(e.context): \(e.detail)"
        default: "\(error)"
        }
    }

    /// One IRF table (read whole, header included) of `kind`, HDU number `hdu` of its file.
    public static func entry(_ kind: any IRFComponent.Type, _ table: Table, hdu: Int) throws -> Entry {
        let header = table.header
        return Entry(
            hdu: hdu, extname: table.name, kind: kind, component: try component(kind, table),
            telescope: header[key: "TELESCOP"]?.stringValue ?? "unknown",
            instrument: header[key: "INSTRUME"]?.stringValue ?? "unknown",
            channel: channel(of: header), period: header[key: "PERIOD"]?.stringValue)
    }

    struct ReadAxis {
        let name: String
        let axis: Axis
    }

    /// One IRF HDU's table as a component of `kind`, decoded by the kind's layout.
    static func component(_ kind: any IRFComponent.Type, _ t: Table) throws -> any IRFComponent {
        let layout = kind.layout
        let header = t.header
        let pairs = try axes(of: t, layout: layout)
        for name in layout.axes where pairs[name] == nil {
            throw InputError(file: "", reason: "missing axis columns \(name)_LO/\(name)_HI")
        }
        var orderNote: String? = nil
        var tables: [(name: String, table: IRFTable)] = []
        let first: ColumnSpec
        if layout.dataColumns.count == 1 {
            let names = [layout.dataColumn] + layout.legacyDataColumns
            guard let spec = names.lazy.compactMap({ t.spec($0) }).first else {
                throw InputError(file: "", reason: "no data column \(names.joined(separator: " or "))")
            }
            first = spec
            tables.append(
                (
                    layout.dataColumn,
                    try decode(spec, of: t, axes: pairs, layout: layout, defaultUnit: layout.dataUnit, note: &orderNote)
                ))
        } else {
            // Parametric PSFs: every parameter column is required.
            guard let spec = layout.dataColumns.lazy.compactMap({ t.spec($0.name) }).first else {
                throw InputError(
                    file: "", reason: "no data column \(layout.dataColumns.map(\.name).joined(separator: " or "))")
            }
            first = spec
            for (name, unit) in layout.dataColumns {
                guard let s = t.spec(name) else {
                    throw InputError(file: "", reason: "missing parameter column \(name)")
                }
                tables.append(
                    (name, try decode(s, of: t, axes: pairs, layout: layout, defaultUnit: unit, note: &orderNote)))
            }
        }
        var notes = ["Read from a GADF \(layout.hduClass4) HDU."]
        if let orderNote { notes.append(orderNote) }
        // A data column without a unit is read in the spec's unit (gammapy takes it as dimensionless, which
        // for an effective area or a PSF scale is no unit at all).
        for (name, unit) in layout.dataColumns where unit != .dimensionless {
            let spec = t.spec(name) ?? (name == layout.dataColumn ? first : nil)
            if let spec, (spec.unit ?? "").trimmedBlanks.isEmpty {
                notes.append(
                    "\(IRFNotes.assumed)\(spec.name) had no unit; read in \(unit.symbol), the unit GADF gives it.")
            }
        }
        let containment: Containment =
            (header[key: "HDUCLAS3"]?.stringValue?.uppercased() == "POINT-LIKE") ? .pointLike : .fullEnclosure
        return try kind.init(
            decoded: IRFParts(tables: tables, containment: containment, notes: notes, carried: carriedKeywords(header)))
    }

    /// The format keywords an IRF keeps (RAD_MAX, FOVALIGN, ...), as read.
    static func carriedKeywords(_ header: [HeaderCard]) -> [CarriedKeyword] {
        header.compactMap { c -> CarriedKeyword? in
            guard CarriedKeyword.names.contains(c.name), let v = c.value else { return nil }
            return CarriedKeyword(name: c.name, value: v, comment: "")
        }
    }

    /// The axis column pairs <X>_LO / <X>_HI of the table, by spec slot, with their meaning for this kind.
    static func axes(of t: Table, layout: IRFLayout) throws -> [String: ReadAxis] {
        var pairs: [String: ReadAxis] = [:]
        for spec in t.columns where spec.name.uppercased().hasSuffix("_LO") {
            let prefix = String(spec.name.dropLast(3))
            guard let hiSpec = t.spec(prefix + "_HI"), let lo = t.column(spec.name)?.doubles,
                let hi = t.column(hiSpec.name)?.doubles
            else { continue }
            let (slot, meaning): (String, AxisMeaning)
            if let s = AxisColumns.slot(ofColumn: prefix.uppercased()),
                let m = Self.meaning(of: prefix.uppercased(), slot: s, layout: layout, header: t.header)
            {
                (slot, meaning) = (s, m)
            } else if let m = Self.vodfSpatialMeanings[prefix.uppercased()] {
                // VODF's spatial axes that GADF has no column for (COSZEN of an effective area,
                // SINDEC of a background) stand in the spatial slot with their own meaning.
                (slot, meaning) = ("THETA", m)
            } else {
                continue
            }
            let unit = try unit(spec.unit, default: AxisColumns.row(meaning).defaultUnit, what: spec.name)
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
                axis = try Axis(
                    name: prefix, lowHigh: Array(zip(lo, hi)), unit: unit, scale: scale, meaning: meaning,
                    tolerance: 1e-6)
            }
            pairs[slot] = ReadAxis(name: prefix, axis: axis)
        }
        return pairs
    }

    /// The order of a data column's axes in the file: from its CREFn when that resolves, else
    /// from TDIM lengths matched against the axes, else the spec order.
    static func fileOrder(
        of dataSpec: ColumnSpec, in t: Table, count: Int, axes pairs: [String: ReadAxis], spec: [String],
        note: inout String?
    ) -> [String] {
        let dims = dataSpec.dims ?? [count]
        let dataIndex = (t.columns.firstIndex { $0.name == dataSpec.name } ?? 0) + 1
        if let cref = t.header[key: "CREF\(dataIndex)"]?.stringValue {
            let names = cref.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",")
                .map {
                    String($0.split(separator: ":").first ?? "").replacingOccurrences(of: "_LO", with: "").uppercased()
                }
                .map { AxisColumns.slot(ofColumn: $0) ?? $0 }
            return Set(names) == Set(spec) && names.count == spec.count ? names : spec
        }
        guard dims.count == spec.count, dims != spec.map({ pairs[$0]!.axis.binCount }) else { return spec }
        let candidates = permutations(spec).filter { p in zip(p, dims).allSatisfy { pairs[$0.0]!.axis.binCount == $0.1 }
        }
        if candidates.count == 1 {
            note =
                "Data axes stored in order \(candidates[0].joined(separator: ",")) (fastest first); rewritten in spec order."
            return candidates[0]
        }
        if candidates.contains(Array(spec.reversed())) {
            // Equal lengths (BKG_3D's DETX and DETY) leave TDIM ambiguous. The deviation seen in
            // real files (HESS DR1 and CTA-1DC BKG_3D, km3irf BKG_2D) is the fully reversed order,
            // which is also how gammapy reads them.
            let reversed = Array(spec.reversed())
            note =
                "Data axes stored reversed (\(reversed.joined(separator: ","))), as TDIM shows; rewritten in spec order."
            return reversed
        }
        if candidates.count > 1 {
            note = "\(IRFNotes.assumed)axis order ambiguous from TDIM (equal lengths); the spec's order taken."
        }
        return spec
    }

    /// One data column as an IRF table in spec order (first axis fastest), transposed from its file order.
    static func decode(
        _ dataSpec: ColumnSpec, of t: Table, axes pairs: [String: ReadAxis], layout: IRFLayout, defaultUnit: Model.Unit,
        note: inout String?
    ) throws -> IRFTable {
        let spec = layout.axes
        guard let data = t.column(dataSpec.name)?.doubles else {
            throw InputError(file: "", reason: "column \(dataSpec.name) is not numeric")
        }
        let fileOrder = fileOrder(of: dataSpec, in: t, count: data.count, axes: pairs, spec: spec, note: &note)
        let lengths = fileOrder.map { pairs[$0]!.axis.binCount }
        guard lengths.reduce(1, *) == data.count else {
            throw InputError(
                file: "",
                reason:
                    "data column \(dataSpec.name) has \(data.count) values, the axes \(fileOrder.joined(separator: "x")) give \(lengths.reduce(1, *)) (wrong dimensions)"
            )
        }
        let perm = spec.map { fileOrder.firstIndex(of: $0)! }
        let specLengths = spec.map { pairs[$0]!.axis.binCount }
        var values = [Double](repeating: 0, count: data.count)
        var fileStrides = [Int](repeating: 1, count: fileOrder.count)
        for k in 1..<max(1, fileOrder.count) { fileStrides[k] = fileStrides[k - 1] * lengths[k - 1] }
        var idx = [Int](repeating: 0, count: spec.count)
        for flat in 0..<data.count {
            var rem = flat
            for d in 0..<spec.count {
                idx[d] = rem % specLengths[d]
                rem /= specLengths[d]
            }
            var src = 0
            for d in 0..<spec.count { src += idx[d] * fileStrides[perm[d]] }
            values[flat] = data[src]
        }
        let unit = try self.unit(dataSpec.unit, default: defaultUnit, what: dataSpec.name)
        return try IRFTable(axes: spec.map { pairs[$0]!.axis }, values: values, unit: unit)
    }

    /// The meaning of an axis column in slot `slot` of this kind. ENERG is the kind's energy;
    /// THETA is a zenith angle when vodfkit declared it (AXISn = 'ZENITH') or the column says so.
    /// VODF column names of spatial axes without a GADF slot.
    static let vodfSpatialMeanings: [String: AxisMeaning] = Dictionary(
        uniqueKeysWithValues:
            AxisColumns.rows.filter {
                $0.gadf == nil && [.cosZenith, .sinDeclination, .declination].contains($0.meaning)
            }.map { ($0.vodf, $0.meaning) })

    static func meaning(of prefix: String, slot: String, layout: IRFLayout, header: [HeaderCard]) -> AxisMeaning? {
        switch slot {
        case "ENERG": return layout.energy
        case "THETA":
            let declared = (1...3).compactMap { header[key: "AXIS\($0)"]?.stringValue }.contains("ZENITH")
            return declared || prefix == "ZENITH" ? .zenithAngle : .fovOffset
        default: return AxisColumns.rows.first { $0.gadf == slot }?.meaning
        }
    }

    static func unit(_ text: String?, default d: Model.Unit, what: String) throws -> Model.Unit {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return d }
        do { return try Model.Unit.parse(text) } catch {
            throw InputError(file: "", reason: "column \(what): \(error)")
        }
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
