import Foundation

/// An instant in UTC, held as Unix seconds (which, like the calendar, leave leap seconds out),
/// and read or written as ISO 8601 (`2024-09-01T01:16:47.000000Z`). Alerts carry UTC.
public struct UTCInstant: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var unixSeconds: Double

    public init(unixSeconds: Double) { self.unixSeconds = unixSeconds }

    public static func < (a: UTCInstant, b: UTCInstant) -> Bool { a.unixSeconds < b.unixSeconds }

    /// Reads `YYYY-MM-DDThh:mm:ss[.fff...][Z|±hh:mm]` (a space may stand for the T; no zone means
    /// UTC). Nil when the text is no such date or a field is out of range.
    public init?(iso text: String) {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= s.count else { return nil }
            var v = 0
            for b in s[at..<at + n] {
                guard b >= 48, b <= 57 else { return nil }
                v = v * 10 + Int(b - 48)
            }
            return v
        }
        guard s.count >= 19, let y = digits(0, 4), s[4] == 45, let mo = digits(5, 2), s[7] == 45, let d = digits(8, 2),
            s[10] == 84 || s[10] == 32 || s[10] == 116, let h = digits(11, 2), s[13] == 58, let mi = digits(14, 2),
            s[16] == 58,
            let sec = digits(17, 2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= Self.daysIn(month: mo, year: y), h <= 23, mi <= 59, sec <= 60 else {
            return nil
        }
        var i = 19
        var fraction = 0.0
        if i < s.count, s[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < s.count, s[i] >= 48, s[i] <= 57 {
                fraction += Double(s[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset = 0
        if i < s.count {
            if s[i] == 90 || s[i] == 122 {
                i += 1
            } else if s[i] == 43 || s[i] == 45, let oh = digits(i + 1, 2) {
                let sign = s[i] == 45 ? -1 : 1
                var om = 0
                if i + 3 < s.count, s[i + 3] == 58, let m = digits(i + 4, 2) {
                    om = m
                    i += 6
                } else if let m = digits(i + 3, 2) {
                    om = m
                    i += 5
                } else {
                    i += 3
                }
                offset = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        guard i == s.count else { return nil }
        let days = Self.daysFromCivil(y, mo, d)
        unixSeconds = Double(days * 86400 + h * 3600 + mi * 60 + sec - offset) + fraction
    }

    /// ISO 8601 in UTC with `digits` decimals of the second and a closing Z.
    public func iso(digits: Int = 6) -> String {
        let scale = Double(Int(pow10(digits)))
        let total = (unixSeconds * scale).rounded()
        var whole = Int((total / scale).rounded(.down))
        var frac = Int(total - Double(whole) * scale)
        if frac < 0 {
            frac += Int(scale)
            whole -= 1
        }
        let days = Int((Double(whole) / 86400).rounded(.down))
        let secOfDay = whole - days * 86400
        let (y, m, d) = Self.civil(fromDays: days)
        func pad(_ v: Int, _ n: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, n - t.count)) + t
        }
        var out =
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))"
        if digits > 0 { out += "." + pad(frac, digits) }
        return out + "Z"
    }

    public var description: String { iso() }

    /// The MJD of the instant (UTC).
    public var mjd: Double { unixSeconds / 86400 + 40587 }

    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }

    static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil-days algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
