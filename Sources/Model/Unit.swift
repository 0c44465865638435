import Foundation

/// A physical unit: a scale to base units (eV, m, s, rad) and the exponents of those dimensions.
/// Solid angle is angle squared (1 sr = 1 rad²), as in astropy, so sr⁻¹ converts to deg⁻².
public struct Unit: Equatable, Hashable, Sendable, CustomStringConvertible {
    public struct Dimension: Equatable, Hashable, Sendable {
        public var energy = 0, length = 0, time = 0, angle = 0
        public static let none = Dimension()
        static func + (a: Dimension, b: Dimension) -> Dimension {
            Dimension(
                energy: a.energy + b.energy, length: a.length + b.length, time: a.time + b.time,
                angle: a.angle + b.angle)
        }
        static func * (a: Dimension, n: Int) -> Dimension {
            Dimension(energy: a.energy * n, length: a.length * n, time: a.time * n, angle: a.angle * n)
        }
    }

    /// The spelling written to files (FITS/OGIP style).
    public var symbol: String
    /// Multiply a value in this unit by `scale` to get base units.
    public var scale: Double
    public var dimension: Dimension

    public init(symbol: String, scale: Double, dimension: Dimension) {
        self.symbol = symbol
        self.scale = scale
        self.dimension = dimension
    }

    public var description: String { symbol.isEmpty ? "(dimensionless)" : symbol }

    public static func == (a: Unit, b: Unit) -> Bool { a.scale == b.scale && a.dimension == b.dimension }
    public func hash(into h: inout Hasher) {
        h.combine(scale)
        h.combine(dimension)
    }

    // The units the mission needs, spelled as the GADF spec spells them.
    public static let dimensionless = Unit(symbol: "", scale: 1, dimension: .none)
    public static let eV = Unit(symbol: "eV", scale: 1, dimension: Dimension(energy: 1))
    public static let keV = Unit(symbol: "keV", scale: 1e3, dimension: Dimension(energy: 1))
    public static let MeV = Unit(symbol: "MeV", scale: 1e6, dimension: Dimension(energy: 1))
    public static let GeV = Unit(symbol: "GeV", scale: 1e9, dimension: Dimension(energy: 1))
    public static let TeV = Unit(symbol: "TeV", scale: 1e12, dimension: Dimension(energy: 1))
    public static let PeV = Unit(symbol: "PeV", scale: 1e15, dimension: Dimension(energy: 1))
    public static let meter = Unit(symbol: "m", scale: 1, dimension: Dimension(length: 1))
    public static let centimeter = Unit(symbol: "cm", scale: 1e-2, dimension: Dimension(length: 1))
    public static let kilometer = Unit(symbol: "km", scale: 1e3, dimension: Dimension(length: 1))
    public static let squareMeter = Unit(symbol: "m2", scale: 1, dimension: Dimension(length: 2))
    public static let second = Unit(symbol: "s", scale: 1, dimension: Dimension(time: 1))
    public static let nanosecond = Unit(symbol: "ns", scale: 1e-9, dimension: Dimension(time: 1))
    public static let day = Unit(symbol: "d", scale: 86400, dimension: Dimension(time: 1))
    public static let radian = Unit(symbol: "rad", scale: 1, dimension: Dimension(angle: 1))
    public static let degree = Unit(symbol: "deg", scale: Double.pi / 180, dimension: Dimension(angle: 1))
    public static let steradian = Unit(symbol: "sr", scale: 1, dimension: Dimension(angle: 2))
    public static let perSteradian = Unit(symbol: "sr-1", scale: 1, dimension: Dimension(angle: -2))
    /// GADF background unit (note MeV, GADF issue #153).
    public static let backgroundRate = Unit(
        symbol: "s-1 MeV-1 sr-1", scale: 1e-6, dimension: Dimension(energy: -1, time: -1, angle: -2))

    /// True when values convert between the two units.
    public func isConvertible(to other: Unit) -> Bool { dimension == other.dimension }

    /// Factor f such that value_in_other = value_in_self * f.
    public func factor(to other: Unit) throws -> Double {
        guard isConvertible(to: other) else { throw UnitError.incompatible(from: symbol, to: other.symbol) }
        return scale / other.scale
    }

    func raised(to n: Int) -> Unit {
        Unit(symbol: symbol, scale: pow(scale, Double(n)), dimension: dimension * n)
    }

    func times(_ other: Unit) -> Unit {
        Unit(symbol: symbol, scale: scale * other.scale, dimension: dimension + other.dimension)
    }
}

public enum UnitError: Error, CustomStringConvertible, Equatable {
    case unknown(String, token: String)
    case incompatible(from: String, to: String)

    public var description: String {
        switch self {
        case .unknown(let s, let t): return "unknown unit '\(t)' in '\(s)'"
        case .incompatible(let a, let b): return "unit '\(a)' does not convert to '\(b)'"
        }
    }
}

extension Unit {
    private static let named: [String: Unit] = {
        var m: [String: Unit] = [:]
        for u in [
            eV, keV, MeV, GeV, TeV, PeV, meter, centimeter, kilometer, second, nanosecond, day, radian, degree,
            steradian,
        ] {
            m[u.symbol] = u
        }
        m["mm"] = Unit(symbol: "mm", scale: 1e-3, dimension: Dimension(length: 1))
        m["ms"] = Unit(symbol: "ms", scale: 1e-3, dimension: Dimension(time: 1))
        m["us"] = Unit(symbol: "us", scale: 1e-6, dimension: Dimension(time: 1))
        m["min"] = Unit(symbol: "min", scale: 60, dimension: Dimension(time: 1))
        m["h"] = Unit(symbol: "h", scale: 3600, dimension: Dimension(time: 1))
        m["yr"] = Unit(symbol: "yr", scale: 365.25 * 86400, dimension: Dimension(time: 1))
        m["Hz"] = Unit(symbol: "Hz", scale: 1, dimension: Dimension(time: -1))
        m["arcmin"] = Unit(symbol: "arcmin", scale: Double.pi / 180 / 60, dimension: Dimension(angle: 1))
        m["arcsec"] = Unit(symbol: "arcsec", scale: Double.pi / 180 / 3600, dimension: Dimension(angle: 1))
        m["erg"] = Unit(symbol: "erg", scale: 1e-7 / 1.602176634e-19, dimension: Dimension(energy: 1))
        m["J"] = Unit(symbol: "J", scale: 1 / 1.602176634e-19, dimension: Dimension(energy: 1))
        m["degree"] = degree
        m["deg2"] = degree.raised(to: 2)
        return m
    }()

    /// Parses the unit spellings seen in FITS files: `m2`, `m**2`, `m^2`, `sr^-1`, `sr-1`, `sr^(-1)`,
    /// `s^-1 MeV^-1 sr^-1`, `1/s/MeV/sr`, `MeV-1.s-1`, and the empty string (dimensionless).
    /// Parsed units by their text: a release repeats a handful of spellings thousands of times.
    private static let parsed = ParsedUnits()

    public static func parse(_ text: String) throws -> Unit {
        if let known = parsed.get(text) { return known }
        let unit = try parseText(text)
        parsed.set(text, unit)
        return unit
    }

    private static func parseText(_ text: String) throws -> Unit {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty || s == "1" || s.lowercased() == "dimensionless" || s.lowercased() == "none" {
            return .dimensionless
        }
        var result = Unit(symbol: s, scale: 1, dimension: .none)
        var chars = Array(s)
        var i = 0
        var divide = false
        func skipSeparators() {
            while i < chars.count,
                chars[i] == " " || chars[i] == "." || (chars[i] == "*" && !(i + 1 < chars.count && chars[i + 1] == "*"))
            {
                i += 1
            }
        }
        func readExponent() -> Int? {
            var j = i
            if j + 1 < chars.count, chars[j] == "*", chars[j + 1] == "*" {
                j += 2
            } else if j < chars.count, chars[j] == "^" {
                j += 1
            }
            var paren = false
            if j < chars.count, chars[j] == "(" {
                paren = true
                j += 1
            }
            var digits = ""
            if j < chars.count, chars[j] == "-" || chars[j] == "+" {
                digits.append(chars[j])
                j += 1
            }
            while j < chars.count, chars[j].isNumber {
                digits.append(chars[j])
                j += 1
            }
            if paren {
                guard j < chars.count, chars[j] == ")" else { return nil }
                j += 1
            }
            guard let n = Int(digits) else { return nil }
            i = j
            return n
        }
        chars = Array(s)
        skipSeparators()
        while i < chars.count {
            if chars[i] == "/" {
                divide = true
                i += 1
                skipSeparators()
                continue
            }
            var name = ""
            while i < chars.count, chars[i].isLetter {
                name.append(chars[i])
                i += 1
            }
            if name.isEmpty {
                // A bare "1" as in "1/s".
                if chars[i] == "1" {
                    i += 1
                    skipSeparators()
                    continue
                }
                throw UnitError.unknown(s, token: String(chars[i...]))
            }
            guard let base = named[name] else { throw UnitError.unknown(s, token: name) }
            var n = readExponent() ?? 1
            if divide {
                n = -n
                divide = false
            }
            result = result.times(base.raised(to: n))
            skipSeparators()
        }
        result.symbol = s
        return result
    }
}

/// A value with a unit.
public struct Quantity: Equatable, Sendable {
    public var value: Double
    public var unit: Unit
    public init(_ value: Double, _ unit: Unit) {
        self.value = value
        self.unit = unit
    }
    public func converted(to other: Unit) throws -> Quantity {
        Quantity(value * (try unit.factor(to: other)), other)
    }
}

extension Unit {
    /// Converts values from `self` to `other`. When the target unit is an exact integer multiple
    /// (GeV -> TeV is /1000), it divides, which is correctly rounded; multiplying by 0.001 is not.
    public func convert(_ values: [Double], to other: Unit) throws -> [Double] {
        _ = try factor(to: other)
        let inverse = other.scale / scale
        if inverse >= 1, inverse == inverse.rounded() { return values.map { $0 / inverse } }
        let f = scale / other.scale
        return values.map { $0 * f }
    }

    public func convert(_ value: Double, to other: Unit) throws -> Double {
        try convert([value], to: other)[0]
    }
}

/// The cache behind `Unit.parse`, shared by threads.
final class ParsedUnits: @unchecked Sendable {
    private var units: [String: Unit] = [:]
    private let lock = NSLock()
    func get(_ text: String) -> Unit? {
        lock.lock()
        defer { lock.unlock() }
        return units[text]
    }
    func set(_ text: String, _ unit: Unit) {
        lock.lock()
        if units.count < 4096 { units[text] = unit } // bounded: text comes from files
        lock.unlock()
    }
}
