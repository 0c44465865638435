import CERFA
import Model

public enum TimeScaleError: Error, CustomStringConvertible, Equatable {
    case unacceptableDate(String)
    public var description: String {
        switch self {
        case .unacceptableDate(let s): return "date out of range for time-scale conversion: \(s)"
        }
    }
}

/// Time-scale conversions through ERFA. ERFA's built-in leap-second table is used; no IERS download.
public enum TimeScales {
    /// Seconds since `ref` (which must be in TT or TAI) of an instant given as an MJD in UTC.
    /// Leap seconds are honoured: MJD in UTC -> TAI (ERFA eraUtctai) -> TT (eraTaitt).
    public static func seconds(sinceReference ref: TimeReference, utcMJD mjd: Double) throws -> Double {
        guard mjd.isFinite else { throw TimeScaleError.unacceptableDate("MJD \(mjd)") }
        var tai1 = 0.0
        var tai2 = 0.0
        // ERFA returns +1 for a "dubious year" (outside its leap-second table's validity by a few
        // years); the result is still the best available, so only negative codes are errors.
        if eraUtctai(2400000.5, mjd, &tai1, &tai2) < 0 { throw TimeScaleError.unacceptableDate("MJD \(mjd) UTC") }
        var t1 = tai1
        var t2 = tai2
        switch ref.system {
        case .tt:
            if eraTaitt(tai1, tai2, &t1, &t2) != 0 { throw TimeScaleError.unacceptableDate("MJD \(mjd) TAI->TT") }
        case .tai:
            break
        case .utc:
            // UTC references make "seconds since" ambiguous across leap seconds; callers use TT.
            throw TimeScaleError.unacceptableDate("a UTC time reference is not supported for writing; use TT")
        }
        // t1 is 2400000.5 exactly, so the subtraction below keeps the full precision of t2.
        let days = ((t1 - 2400000.5) - Double(ref.mjdInt)) + (t2 - ref.mjdFrac)
        return days * 86400
    }

    /// Seconds since `ref` (TT or TAI) of a UTC instant given as Unix seconds (which, like UTC
    /// calendar days, leave leap seconds out). The day and the second of day are kept apart so
    /// the result keeps sub-microsecond precision.
    public static func seconds(sinceReference ref: TimeReference, unixSeconds: Double) throws -> Double {
        guard unixSeconds.isFinite else { throw TimeScaleError.unacceptableDate("Unix time \(unixSeconds)") }
        let day = (unixSeconds / 86400).rounded(.down)
        let utc1 = 2_440_587.5 + day
        let utc2 = (unixSeconds - day * 86400) / 86400
        var tai1 = 0.0
        var tai2 = 0.0
        if eraUtctai(utc1, utc2, &tai1, &tai2) < 0 { throw TimeScaleError.unacceptableDate("Unix time \(unixSeconds)") }
        var t1 = tai1
        var t2 = tai2
        switch ref.system {
        case .tt: _ = eraTaitt(tai1, tai2, &t1, &t2)
        case .tai: break
        case .utc: throw TimeScaleError.unacceptableDate("a UTC time reference is not supported for writing; use TT")
        }
        // t1 is the UTC day's JD (exact); subtract the reference in two parts to keep precision.
        let days = ((t1 - 2_400_000.5) - Double(ref.mjdInt)) + (t2 - ref.mjdFrac)
        return days * 86400
    }

    /// ISO-8601 date (yyyy-mm-ddThh:mm:ss.sss) in the reference's own time scale.
    public static func isoDate(reference ref: TimeReference, seconds: Double) throws -> String {
        let jd1 = 2400000.5 + Double(ref.mjdInt)
        let jd2 = ref.mjdFrac + seconds / 86400
        var iy: Int32 = 0
        var im: Int32 = 0
        var id: Int32 = 0
        var ihmsf = [Int32](repeating: 0, count: 4)
        if eraD2dtf(ref.system.rawValue, 3, jd1, jd2, &iy, &im, &id, &ihmsf) < 0 {
            throw TimeScaleError.unacceptableDate("\(seconds) s after MJD \(ref.mjdInt)+\(ref.mjdFrac)")
        }
        func pad(_ v: Int32, _ n: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return
            "\(pad(iy, 4))-\(pad(im, 2))-\(pad(id, 2))T\(pad(ihmsf[0], 2)):\(pad(ihmsf[1], 2)):\(pad(ihmsf[2], 2)).\(pad(ihmsf[3], 3))"
    }
}

extension TimeScales {
    /// Unix seconds (UTC) of an instant given as seconds since a TT reference (TT -> TAI -> UTC).
    public static func unixSeconds(reference ref: TimeReference, seconds: Double) throws -> Double {
        guard ref.system == .tt else { throw TimeScaleError.unacceptableDate("only TT references convert to UTC here") }
        let tt1 = 2_400_000.5 + Double(ref.mjdInt)
        let tt2 = ref.mjdFrac + seconds / 86400
        var tai1 = 0.0
        var tai2 = 0.0
        var u1 = 0.0
        var u2 = 0.0
        guard eraTttai(tt1, tt2, &tai1, &tai2) == 0, eraTaiutc(tai1, tai2, &u1, &u2) >= 0 else {
            throw TimeScaleError.unacceptableDate("\(seconds) s after MJD \(ref.mjdInt)+\(ref.mjdFrac) TT")
        }
        return ((u1 - 2_440_587.5) + u2) * 86400
    }

    /// ISO-8601 date in UTC of an instant given as seconds since a TT or UTC reference (VODF's
    /// DATE-OBS is "in UTC and ISO format").
    public static func isoDateUTC(reference ref: TimeReference, seconds: Double) throws -> String {
        if ref.system == .utc { return try isoDate(reference: ref, seconds: seconds) }
        guard ref.system == .tt else {
            throw TimeScaleError.unacceptableDate("only TT or UTC references convert to a UTC date here")
        }
        let tt1 = 2_400_000.5 + Double(ref.mjdInt)
        let tt2 = ref.mjdFrac + seconds / 86400
        var tai1 = 0.0
        var tai2 = 0.0
        var u1 = 0.0
        var u2 = 0.0
        guard eraTttai(tt1, tt2, &tai1, &tai2) == 0, eraTaiutc(tai1, tai2, &u1, &u2) >= 0 else {
            throw TimeScaleError.unacceptableDate("\(seconds) s after MJD \(ref.mjdInt)+\(ref.mjdFrac) TT")
        }
        var iy: Int32 = 0
        var im: Int32 = 0
        var id: Int32 = 0
        var ihmsf = [Int32](repeating: 0, count: 4)
        guard eraD2dtf("UTC", 3, u1, u2, &iy, &im, &id, &ihmsf) >= 0 else {
            throw TimeScaleError.unacceptableDate("\(seconds) s after MJD \(ref.mjdInt)+\(ref.mjdFrac) TT")
        }
        func pad(_ v: Int32, _ n: Int) -> String {
            String(repeating: "0", count: max(0, n - String(v).count)) + String(v)
        }
        return
            "\(pad(iy, 4))-\(pad(im, 2))-\(pad(id, 2))T\(pad(ihmsf[0], 2)):\(pad(ihmsf[1], 2)):\(pad(ihmsf[2], 2)).\(pad(ihmsf[3], 3))"
    }
}
