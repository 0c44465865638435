import Foundation

/// A small deterministic generator, so fuzz failures reproduce.
public struct SplitMix {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Angular separation in degrees.
public func separationDeg(_ r1: Double, _ d1: Double, _ r2: Double, _ d2: Double) -> Double {
    let c = sin(d1) * sin(d2) + cos(d1) * cos(d2) * cos(r1 - r2)
    return acos(max(-1, min(1, c))) * 180 / .pi
}

public func unixSeconds(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Double) -> Double {
    var c = DateComponents()
    (c.year, c.month, c.day, c.hour, c.minute) = (y, mo, d, h, mi)
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(identifier: "UTC")!
    return cal.date(from: c)!.timeIntervalSince1970 + s
}
