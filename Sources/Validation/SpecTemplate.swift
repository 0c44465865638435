import FITSIO
import Foundation
import Model

/// A minimal HDU that satisfies one spec, rendered from the spec itself (fits_schema renders its
/// templates from the schema it validates with): every required and recommended keyword, the ones
/// gammapy fails without, and those a condition then asks for; every required and recommended column,
/// typed, with its unit and its shape. Values come from the rule: its `values`, `example` or `default`,
/// else one inside its `range`. Axes get two contiguous bins; a normalised density integrates to 1.
public enum SpecTemplate {
    /// Bins of a template's first axis; each next axis has one more, so that no reader has to guess
    /// the axis order of a cell from its lengths (gammapy warns "Ambiguous axes order" on equal ones).
    static let bins = 2

    /// The template HDU of `spec`.
    /// `rows`: for tables whose rows name other files (index and grouping tables), which otherwise
    /// have none; `vodf spec test` gives them a row to break.
    public static func table(_ spec: Spec, rows: Int? = nil, including extra: Set<String> = []) throws -> Table {
        let header = try keywords(spec)
        let (columns, data) = try self.columns(spec, rows: rows, including: extra)
        let name =
            header.first { $0.name == "EXTNAME" }?.value.flatMap {
                if case .string(let s) = $0 { return s } else { return nil }
            } ?? spec.kindName.uppercased()
        return Table(name: name, header: header.filter { $0.name != "EXTNAME" }, columns: columns, data: data)
    }

    /// The keyword cards, in the spec's order of importance: class keywords first, then by name.
    static func keywords(_ spec: Spec) throws -> [HeaderCard] {
        var chosen: [String: HeaderValue] = [:]
        func include(_ name: String) {
            guard chosen[name] == nil else { return }
            chosen[name] = spec.keywords[name].map { value(name, $0, spec) } ?? .double(0)
        }
        for (name, rule) in spec.keywords
        where rule.level == .required || rule.level == .recommended || rule.gammapy == .required { include(name) }
        // The class keywords that select this spec (a grouping table's spec selects by columns).
        for (key, values) in spec.select
        where chosen[key] == nil || !values.contains(where: { matches($0, chosen[key]!) }) {
            chosen[key] = .string(values[0])
        }
        if chosen["EXTNAME"] == nil { chosen["EXTNAME"] = .string(spec.gammapy?.extname ?? spec.kindName.uppercased()) }
        // A condition that holds asks for more keywords, which may make another one hold.
        for _ in 0..<4 {
            let before = chosen.count
            for c in spec.conditions
            where c.when.allSatisfy({ k, vs in chosen[k].map { v in vs.contains { matches($0, v) } } ?? false }) {
                for k in c.require ?? [] { include(k) }
                if let any = c.require_any, !any.contains(where: { chosen[$0] != nil }), let first = any.first {
                    include(first)
                }
            }
            if chosen.count == before { break }
        }
        let order = ["EXTNAME", "HDUCLASS", "HDUDOC", "HDUVERS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"]
        let names = order.filter { chosen[$0] != nil } + chosen.keys.filter { !order.contains($0) }.sorted()
        return names.map { n in
            HeaderCard(n, chosen[n]!, comment: spec.keywords[n]?.description.map { String($0.prefix(40)) } ?? "")
        }
    }

    static func matches(_ allowed: String, _ v: HeaderValue) -> Bool {
        if case .string(let s) = v { return s.uppercased() == allowed.uppercased() }
        return false
    }

    /// A value the rule accepts.
    static func value(_ name: String, _ rule: KeywordRule, _ spec: Spec) -> HeaderValue {
        if name == "HDUVERS", rule.values == nil { return .string(spec.dialect.hduvers.first ?? spec.version) }
        if let v = rule.values?.first ?? rule.example ?? rule.default { return typed(v, rule.type) }
        let lo = rule.range?.first ?? nil
        let hi = rule.range?.last ?? nil
        switch rule.type {
        case "int":
            // 1, moved into the range.
            var v = 1.0
            if let lo { v = max(v, lo) }
            if let hi { v = min(v, hi) }
            return .int(Int64(v))
        case "float":
            if let lo, let hi { return .double((lo + hi) / 2) }
            return .double(lo.map { $0 + 1 } ?? hi.map { $0 - 1 } ?? 0)
        case "bool": return .bool(false)
        default: return .string("TEMPLATE")
        }
    }

    static func typed(_ text: String, _ type: String?) -> HeaderValue {
        switch type {
        case "int": return Int64(text).map { .int($0) } ?? .string(text)
        case "float": return Double(text).map { .double($0) } ?? .string(text)
        case "bool": return .bool(["T", "TRUE", "YES"].contains(text.uppercased()))
        default: return .string(text)
        }
    }

    /// The columns: axis edges (two contiguous bins from 1), data cells shaped by their axes, and
    /// one row; index and grouping tables, whose rows would name files, have none.
    static func columns(_ spec: Spec, rows: Int? = nil, including extra: Set<String> = []) throws -> (
        [ColumnSpec], [ColumnData]
    ) {
        let linking: Set<String> = ["index-links", "obs-ids-match-obs-index", "grouping-members"]
        let rows = rows ?? (spec.fileChecks.contains { linking.contains($0.check) } ? 0 : 1)
        var names = Set(
            spec.columns.filter {
                $0.value.level == .required || $0.value.level == .recommended || $0.value.gammapy == .required
            }.map(\.key)
        )
        .union(extra.filter { spec.columns[$0] != nil })
        // An edge column comes with its partner.
        for n in names where n.hasSuffix("_LO") || n.hasSuffix("_HI") {
            let other = String(n.dropLast(3)) + (n.hasSuffix("_LO") ? "_HI" : "_LO")
            if spec.columns[other] != nil { names.insert(other) }
        }
        // The axes a shape names come with it, whatever their level.
        for n in names {
            for axis in spec.columns[n]?.shape ?? [] where spec.columns[axis + "_LO"] != nil {
                names.formUnion([axis + "_LO", axis + "_HI"])
            }
        }
        // A cell of ndim axes without a shape (VODF's IRFs, whose spatial axis is one of several
        // optional ones) takes the spec's axes in their order: the required ones, then optional ones
        // until there are ndim of them.
        let ordered = spec.axes.map { String($0.lo.dropLast(3)) }
        var cellAxes: [String] = ordered.filter { names.contains($0 + "_LO") }
        if let n = names.compactMap({ spec.columns[$0].flatMap { $0.shape == nil ? $0.ndim : nil } }).filter({ $0 > 1 })
            .max()
        {
            for axis in ordered
            where cellAxes.count < n && !cellAxes.contains(axis) && spec.columns[axis + "_LO"] != nil {
                cellAxes.append(axis)
                names.formUnion([axis + "_LO", axis + "_HI"])
            }
            cellAxes = ordered.filter { cellAxes.contains($0) }
        }
        // Axis lengths: in the order the spec's axis rules list them, then by name.
        let axes = names.filter { $0.hasSuffix("_LO") }.map { String($0.dropLast(3)) }
            .sorted { (ordered.firstIndex(of: $0) ?? 99, $0) < (ordered.firstIndex(of: $1) ?? 99, $1) }
        let length = Dictionary(uniqueKeysWithValues: axes.enumerated().map { ($1, bins + $0) })
        var specs: [ColumnSpec] = []
        var data: [ColumnData] = []
        for name in names.sorted(by: columnOrder) {
            let rule = spec.columns[name]!
            let isEdge = name.hasSuffix("_LO") || name.hasSuffix("_HI")
            let dims: [Int]
            if isEdge {
                dims = [length[String(name.dropLast(3))] ?? bins]
            } else if let shape = rule.shape {
                dims = shape.map { length[$0] ?? bins }
            } else if let n = rule.ndim, n > 1, cellAxes.count == n {
                dims = cellAxes.map { length[$0] ?? bins }
            } else {
                dims = Array(repeating: bins, count: rule.ndim ?? 0)
            }
            let cells = dims.reduce(1, *)
            let unit = rule.unit.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            var values = Array(repeating: 1.0, count: cells)
            if isEdge { values = (0..<cells).map { Double($0 + (name.hasSuffix("_HI") ? 2 : 1)) } }
            if let n = spec.normalisation, n.column == name {
                values = values.map { _ in 1 / density(n, bins: length[String(n.lo.dropLast(3))] ?? bins) }
            }
            let n = values.count * rows
            let all = (0..<n).map { values[$0 % max(values.count, 1)] }
            let (columnSpec, column) = typed(
                name, rule.type, values: all, cells: cells, dims: dims, rows: rows, unit: unit)
            specs.append(columnSpec)
            data.append(column)
        }
        return (specs, data)
    }

    /// One template column of the spec's type, filled with `values`.
    static func typed(
        _ name: String, _ type: String?, values all: [Double], cells: Int, dims: [Int], rows: Int, unit: String?
    ) -> (ColumnSpec, ColumnData) {
        let shape = dims.count > 1 ? dims : nil
        switch type {
        case "string":
            return (
                ColumnSpec(name, .string, repeatCount: 8, unit: unit),
                .string(Array(repeating: "TEMPLATE", count: rows))
            )
        case "int":
            return (
                ColumnSpec(name, .int64, repeatCount: cells, unit: unit, dims: shape), .int64(all.map { Int64($0) })
            )
        case "bits":
            return (ColumnSpec(name, .bits, repeatCount: 8, unit: unit), .bits(Array(repeating: 0, count: rows)))
        case "float64":
            return (ColumnSpec(name, .float64, repeatCount: cells, unit: unit, dims: shape), .float64(all))
        default:
            return (
                ColumnSpec(name, .float32, repeatCount: cells, unit: unit, dims: shape), .float32(all.map { Float($0) })
            )
        }
    }

    /// Axis edges first (LO before HI), then the others by name, so the table reads as the specs list them.
    static func columnOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ s: String) -> Int { s.hasSuffix("_LO") ? 0 : s.hasSuffix("_HI") ? 1 : 2 }
        let (ka, kb) = (rank(a) < 2 ? String(a.dropLast(3)) : a, rank(b) < 2 ? String(b.dropLast(3)) : b)
        return (rank(a) == 2 ? 1 : 0, ka, rank(a)) < (rank(b) == 2 ? 1 : 0, kb, rank(b))
    }

    /// The integral of a density of 1 over the template's bins of the normalisation axis.
    static func density(_ n: NormalisationRule, bins: Int) -> Double {
        (0..<bins).reduce(0.0) { $0 + n.binMeasure(lo: Double($1 + 1), hi: Double($1 + 2)) }
    }
}
