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

    /// Validates: at least one bin, finite, strictly increasing, unit of the right dimension.
    public init(name: String, edges: [Double], unit: Unit, scale: AxisScale, meaning: AxisMeaning) throws {
        guard edges.count >= 2 else { throw ModelError.invalidAxis(name, reason: "needs at least 2 edges, got \(edges.count)") }
        for (i, e) in edges.enumerated() where !e.isFinite {
            throw ModelError.invalidAxis(name, reason: "edge \(i) is not finite")
        }
        for i in 1..<edges.count where !(edges[i] > edges[i - 1]) {
            throw ModelError.invalidAxis(name, reason: "edges not strictly increasing at index \(i) (\(edges[i - 1]) then \(edges[i]))")
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

    /// Builds an axis from per-bin (low, high) pairs, checking that the bins are contiguous.
    public init(name: String, lowHigh: [(Double, Double)], unit: Unit, scale: AxisScale, meaning: AxisMeaning,
                tolerance: Double = 1e-9) throws {
        guard let first = lowHigh.first else { throw ModelError.invalidAxis(name, reason: "no bins") }
        var edges = [first.0]
        for (i, (lo, hi)) in lowHigh.enumerated() {
            if i > 0 {
                let prev = lowHigh[i - 1].1
                guard abs(lo - prev) <= tolerance * max(1, abs(prev)) else {
                    throw ModelError.invalidAxis(name, reason: "bin \(i) starts at \(lo) but bin \(i - 1) ends at \(prev) (not contiguous)")
                }
            }
            edges.append(hi)
        }
        try self.init(name: name, edges: edges, unit: unit, scale: scale, meaning: meaning)
    }

    public var binCount: Int { edges.count - 1 }
    public var lows: [Double] { Array(edges.dropLast()) }
    public var highs: [Double] { Array(edges.dropFirst()) }

    /// Bin centres: arithmetic for linear axes, geometric for log axes (as gammapy does).
    public var centers: [Double] {
        (0..<binCount).map { (i: Int) -> Double in
            let lo = edges[i], hi = edges[i + 1]
            return scale == .log ? (lo * hi).squareRoot() : 0.5 * (lo + hi)
        }
    }

    /// The same axis in another unit of the same dimension.
    public func converted(to other: Unit) throws -> Axis {
        try Axis(name: name, edges: try unit.convert(edges, to: other), unit: other, scale: scale, meaning: meaning)
    }
}
