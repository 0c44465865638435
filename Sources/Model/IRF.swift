import Foundation

/// FULL-ENCLOSURE IRFs have no direction cut; POINT-LIKE ones were made after a RAD_MAX cut.
public enum Containment: String, Sendable {
    case fullEnclosure = "FULL-ENCLOSURE"
    case pointLike = "POINT-LIKE"
}

/// An N-dimensional array of values over binned axes. `axes[0]` varies fastest in `values`
/// (FITS TDIM order), so `values[i0 + n0 * (i1 + n1 * i2)]`.
public struct IRFTable: Equatable, Sendable {
    public private(set) var axes: [Axis]
    public private(set) var values: [Double]
    public var unit: Unit

    public init(axes: [Axis], values: [Double], unit: Unit) throws {
        let n = axes.reduce(1) { $0 * $1.binCount }
        guard n == values.count else { throw ModelError.shapeMismatch("IRF table", expected: n, got: values.count) }
        self.axes = axes
        self.values = values
        self.unit = unit
    }

    public var shape: [Int] { axes.map(\.binCount) }

    public func flatIndex(_ idx: [Int]) -> Int {
        var flat = 0
        var stride = 1
        for (i, a) in zip(idx, axes) {
            flat += i * stride
            stride *= a.binCount
        }
        return flat
    }

    public func value(at idx: [Int]) -> Double { values[flatIndex(idx)] }

    /// The same table with axis `k` replaced by `axis` and the bins along it reversed.
    /// Used when a coordinate change (cos θ -> θ) turns an increasing axis into a decreasing one.
    public func replacingAxisReversed(_ k: Int, with axis: Axis) throws -> IRFTable {
        guard axis.binCount == axes[k].binCount else {
            throw ModelError.invalidAxis(
                axis.name, reason: "replacement has \(axis.binCount) bins, expected \(axes[k].binCount)")
        }
        var newAxes = axes
        newAxes[k] = axis
        var out = values
        let n = shape
        var idx = [Int](repeating: 0, count: n.count)
        for flat in 0..<values.count {
            var rem = flat
            for d in 0..<n.count {
                idx[d] = rem % n[d]
                rem /= n[d]
            }
            var src = idx
            src[k] = n[k] - 1 - idx[k]
            out[flat] = values[flatIndex(src)]
        }
        return try IRFTable(axes: newAxes, values: out, unit: unit)
    }

    /// Re-expresses a cos-zenith axis as a zenith-angle axis in degrees (GADF has no cos zenith).
    /// cos θ increases while θ decreases, so that axis's bins are reversed; each bin keeps its value
    /// (a bin is the same set of directions), so nothing is interpolated.
    public func withZenithAngleAxis(name: String = "THETA") throws -> IRFTable {
        guard let k = axes.firstIndex(where: { $0.meaning == .cosZenith }) else { return self }
        let deg = axes[k].edges.reversed().map { acos(min(1, max(-1, $0))) * 180 / Double.pi }
        let axis = try Axis(name: name, edges: deg, unit: .degree, scale: .linear, meaning: .zenithAngle)
        return try replacingAxisReversed(k, with: axis)
    }

    /// Converts the data and every axis to the given units (axes looked up by meaning).
    public func converted(dataUnit: Unit, axisUnits: [AxisMeaning: Unit]) throws -> IRFTable {
        let newAxes = try axes.map { a in try axisUnits[a.meaning].map { try a.converted(to: $0) } ?? a }
        return try IRFTable(axes: newAxes, values: try unit.convert(values, to: dataUnit), unit: dataUnit)
    }
}

/// Something an IRF file can hold.
public protocol IRFComponent: Sendable {
    static var layout: IRFLayout { get }
    var table: IRFTable { get }
    var containment: Containment { get }
    /// Where it came from and how it was converted; written as COMMENT cards.
    var notes: [String] { get }
    /// The same component over a different table (used for unit and axis re-expression).
    func with(table: IRFTable, note: String?) throws -> Self
    /// Format keywords read with the IRF and written back unchanged.
    var carried: [CarriedKeyword] { get set }
    /// Further data columns over the same axes (parametric PSFs), with their spec units.
    var extraColumns: [(name: String, table: IRFTable, unit: Unit)] { get }
    /// The component from what a reader decoded: one table per `layout.dataColumns` entry, in
    /// that order. Each kind checks its own axes and units here.
    init(decoded: IRFParts) throws
}

/// What a reader hands a kind to build itself from (see `IRFComponent.init(decoded:)`).
public struct IRFParts: Sendable {
    public var tables: [(name: String, table: IRFTable)]
    public var containment: Containment
    public var notes: [String]
    public var carried: [CarriedKeyword]
    public init(
        tables: [(name: String, table: IRFTable)], containment: Containment, notes: [String], carried: [CarriedKeyword]
    ) {
        self.tables = tables
        self.containment = containment
        self.notes = notes
        self.carried = carried
    }
    /// The first (for most kinds the only) data table.
    public var table: IRFTable { tables[0].table }
}

extension IRFComponent {
    public var carried: [CarriedKeyword] { [] }
    public var extraColumns: [(name: String, table: IRFTable, unit: Unit)] { [] }
}

/// Bins that a physical response would not hold but real files do: negative values (smoothing
/// artefacts in H.E.S.S. DR1 effective areas and dispersions, tails of sampled PSFs) and NaN or
/// infinite ones. Readers carry them as they are, since gammapy reads them; the writer records the
/// count in the header and the converter warns once per HDU.
public struct ValueCensus: Equatable, Sendable {
    public var negative = 0
    public var nonFinite = 0
    /// The most negative value and its bin, if any value is negative.
    public var worstNegative: (bin: [Int], value: Double)?
    /// The first non-finite value and its bin.
    public var firstNonFinite: (bin: [Int], value: Double)?

    public var isClean: Bool { negative == 0 && nonFinite == 0 }

    public static func == (a: ValueCensus, b: ValueCensus) -> Bool {
        a.negative == b.negative && a.nonFinite == b.nonFinite && a.worstNegative?.bin == b.worstNegative?.bin
            && a.worstNegative?.value == b.worstNegative?.value && a.firstNonFinite?.bin == b.firstNonFinite?.bin
    }
}

extension IRFTable {
    /// Counts negative and non-finite values, with the worst bin of each kind.
    public var census: ValueCensus {
        var c = ValueCensus()
        // A count without branches first: it vectorises, and clean tables (most) stop there.
        let bad = values.withUnsafeBufferPointer { b in b.reduce(0) { $0 &+ ($1 >= 0 && $1 < .infinity ? 0 : 1) } }
        guard bad > 0 else { return c }
        var worst: Int? = nil
        for (i, v) in values.enumerated() {
            if !v.isFinite {
                c.nonFinite += 1
                if c.firstNonFinite == nil { c.firstNonFinite = (unflatten(i), v) }
            } else if v < 0 {
                c.negative += 1
                if worst.map({ v < values[$0] }) ?? true { worst = i }
            }
        }
        if let worst { c.worstNegative = (unflatten(worst), values[worst]) }
        return c
    }

    /// The same table with negative values set to 0, and how many there were.
    public func clippingNegatives() -> (table: IRFTable, clipped: Int) {
        var t = self
        var n = 0
        for i in t.values.indices where t.values[i] < 0 {
            t.values[i] = 0
            n += 1
        }
        return (t, n)
    }

    /// "ENERG bin 77, THETA bin 3" for a bin of this table.
    public func describe(bin: [Int]) -> String {
        zip(axes, bin).map { "\($0.name) bin \($1)" }.joined(separator: ", ")
    }

    /// Per-axis bin indices of a flat index (axis 0 fastest).
    public func unflatten(_ flat: Int) -> [Int] {
        var rem = flat
        return shape.map { n in
            defer { rem /= n }
            return rem % n
        }
    }
}

/// How a reader marks a note that records an assumption about the input, so that it is said as well.
public enum IRFNotes {
    public static let assumed = "Assumed: "
    /// A deviation of the producer's that the reader corrected (and says it did).
    public static let repaired = "Repaired: "
}

extension IRFComponent {
    /// Lines for the user about values carried as read: negative or non-finite bins, and with
    /// `emptySlices`, PSF slices with no probability at all (an empty band of a table the reader
    /// normalised; a GADF file's zero slices below threshold are only copied). Empty when all is well.
    public func valueWarnings(emptySlices: Bool = false) -> [String] {
        // What the reader had to assume (a unit the file lacks): a note in the output, and said.
        var out: [String] = notes.compactMap { note in
            [IRFNotes.assumed, IRFNotes.repaired].first { note.hasPrefix($0) }.map { String(note.dropFirst($0.count)) }
        }
        if let line = censusWarning() { out.append(line) }
        if emptySlices, let psf = self as? PSFTable, let first = psf.emptySlices.first {
            out.append(
                "\(psf.emptySlices.count) (energy, spatial) slice(s) hold no probability (first at \(table.describe(bin: first))); written as zeros"
            )
        }
        return out
    }

    private func censusWarning() -> String? {
        let c = table.census
        guard !c.isClean else { return nil }
        var parts: [String] = []
        if let w = c.worstNegative {
            parts.append("\(c.negative) negative value(s) (worst \(w.value) at \(table.describe(bin: w.bin)))")
        }
        if let f = c.firstNonFinite {
            parts.append("\(c.nonFinite) non-finite value(s) (first \(f.value) at \(table.describe(bin: f.bin)))")
        }
        return parts.joined(separator: " and ") + " carried as read"
            + (c.negative > 0 ? "; --clip-negative sets negatives to 0" : "")
    }

    /// The same component with negative values set to 0, recorded as a `NEGCLIP` keyword and a note.
    public func clippingNegatives() throws -> (component: Self, clipped: Int) {
        let (t, n) = table.clippingNegatives()
        guard n > 0 else { return (self, 0) }
        var c = try with(table: t, note: "\(n) negative value(s) set to 0 (--clip-negative).")
        c.carried = c.carried.filter { $0.name != "NEGCLIP" } + [CarriedKeyword("NEGCLIP", .int(Int64(n)))]
        return (c, n)
    }
}
