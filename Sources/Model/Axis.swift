import Foundation

/// What an axis measures. Formats name axes differently; the meaning is what stays true.
public enum AxisMeaning: String, Sendable, CaseIterable, Codable {
    case trueEnergy = "ENERGY_TRUE"
    case recoEnergy = "ENERGY_RECO"
    case fovOffset = "FOV_OFFSET"
    /// Zenith angle of the true arrival direction (0 = from overhead).
    case zenithAngle = "ZENITH"
    /// cos(zenith); 1 = from overhead (down-going).
    case cosZenith = "COS_ZENITH"
    case declination = "DEC"
    case sinDeclination = "SIN_DEC"
    /// E_reco / E_true.
    case migration = "MIGRATION"
    /// Angular distance to the true source position (PSF).
    case rad = "RAD"
    case fovLon = "FOV_LON"
    case fovLat = "FOV_LAT"

    /// The dimension an axis of this meaning must have.
    public var dimension: Unit.Dimension {
        switch self {
        case .trueEnergy, .recoEnergy: return Unit.Dimension(energy: 1)
        case .fovOffset, .zenithAngle, .declination, .rad, .fovLon, .fovLat: return Unit.Dimension(angle: 1)
        case .cosZenith, .sinDeclination, .migration: return .none
        }
    }
}

public enum AxisScale: String, Sendable, Codable { case linear, log }

public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidAxis(String, reason: String)
    case shapeMismatch(String, expected: Int, got: Int)
    case invalidValue(String, reason: String)

    public var description: String {
        switch self {
        case .invalidAxis(let n, let r): return "axis \(n): \(r)"
        case .shapeMismatch(let n, let e, let g): return "\(n): expected \(e) values for the axes, got \(g)"
        case .invalidValue(let n, let r): return "\(n): \(r)"
        }
    }
}

/// A binned axis: edges in a unit, a scale used for bin centres, and a declared meaning.
public struct Axis: Equatable, Sendable {
    public var name: String
    public var edges: [Double]
    public var unit: Unit
    public var scale: AxisScale
    public var meaning: AxisMeaning
    /// Set when the axis is given by node values rather than bins (GADF files with LO == HI, which
    /// gammapy reads as nodes). `edges` then bracket the nodes so the axis stays valid, and writers
    /// write the nodes back as LO = HI.
    public var nodes: [Double]?

    /// Validates: at least one bin, finite, strictly increasing, unit of the right dimension.
    public init(name: String, edges: [Double], unit: Unit, scale: AxisScale, meaning: AxisMeaning) throws {
        guard edges.count >= 2 else {
            throw ModelError.invalidAxis(name, reason: "needs at least 2 edges, got \(edges.count)")
        }
        for (i, e) in edges.enumerated() where !e.isFinite {
            throw ModelError.invalidAxis(name, reason: "edge \(i) is not finite")
        }
        for i in 1..<edges.count where !(edges[i] > edges[i - 1]) {
            throw ModelError.invalidAxis(
                name, reason: "edges not strictly increasing at index \(i) (\(edges[i - 1]) then \(edges[i]))")
        }
        guard unit.dimension == meaning.dimension else {
            throw ModelError.invalidAxis(name, reason: "unit '\(unit.symbol)' does not fit meaning \(meaning.rawValue)")
        }
        if scale == .log, edges[0] <= 0 {
            throw ModelError.invalidAxis(name, reason: "log axis needs positive edges")
        }
        self.name = name
        self.edges = edges
        self.unit = unit
        self.scale = scale
        self.meaning = meaning
    }

    /// Builds an axis from per-bin (low, high) pairs, checking that the bins are contiguous within
    /// `tolerance` times the narrower bin's width (round-off in a stored edge is not a gap).
    public init(
        name: String, lowHigh: [(Double, Double)], unit: Unit, scale: AxisScale, meaning: AxisMeaning,
        tolerance: Double = 1e-9
    ) throws {
        guard let first = lowHigh.first else { throw ModelError.invalidAxis(name, reason: "no bins") }
        var edges = [first.0]
        for (i, (lo, hi)) in lowHigh.enumerated() {
            if i > 0 {
                let prev = lowHigh[i - 1].1
                let width = min(abs(hi - lo), abs(prev - lowHigh[i - 1].0))
                guard abs(lo - prev) <= tolerance * width else {
                    throw ModelError.invalidAxis(
                        name, reason: "bin \(i) starts at \(lo) but bin \(i - 1) ends at \(prev) (not contiguous)")
                }
            }
            edges.append(hi)
        }
        try self.init(name: name, edges: edges, unit: unit, scale: scale, meaning: meaning)
    }

    /// An axis of node values (increasing). Edges are placed halfway between nodes and as far
    /// outside the first and last node as the neighbouring half step (in log for log axes).
    public init(name: String, nodes: [Double], unit: Unit, scale: AxisScale, meaning: AxisMeaning) throws {
        guard !nodes.isEmpty else { throw ModelError.invalidAxis(name, reason: "no nodes") }
        let t: (Double) -> Double = scale == .log ? { log($0) } : { $0 }
        let inv: (Double) -> Double = scale == .log ? { exp($0) } : { $0 }
        let x = nodes.map(t)
        var e: [Double]
        if x.count == 1 {
            e = scale == .log ? [nodes[0] / 2, nodes[0] * 2] : [nodes[0] - 0.5, nodes[0] + 0.5]
        } else {
            let mids = zip(x, x.dropFirst()).map { inv(0.5 * ($0 + $1)) }
            e =
                [inv(x[0] - 0.5 * (x[1] - x[0]))] + mids + [
                    inv(x[x.count - 1] + 0.5 * (x[x.count - 1] - x[x.count - 2]))
                ]
        }
        try self.init(name: name, edges: e, unit: unit, scale: scale, meaning: meaning)
        self.nodes = nodes
    }

    public var binCount: Int { edges.count - 1 }
    public var lows: [Double] { Array(edges.dropLast()) }
    public var highs: [Double] { Array(edges.dropFirst()) }

    /// Bin centres: geometric for log axes (as gammapy does), arithmetic for linear axes and for
    /// a log-axis bin that starts at zero (which has no geometric centre).
    public var centers: [Double] {
        (0..<binCount).map { (i: Int) -> Double in
            let lo = edges[i]
            let hi = edges[i + 1]
            return scale == .log && lo > 0 ? (lo * hi).squareRoot() : 0.5 * (lo + hi)
        }
    }

    /// The same axis in another unit of the same dimension.
    public func converted(to other: Unit) throws -> Axis {
        if let nodes {
            return try Axis(
                name: name, nodes: try unit.convert(nodes, to: other), unit: other, scale: scale, meaning: meaning)
        }
        return try Axis(
            name: name, edges: try unit.convert(edges, to: other), unit: other, scale: scale, meaning: meaning)
    }
}
