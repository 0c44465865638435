import Astrometry
import FITSIO
import Foundation
import Model

/// The time mistakes users of DL3 tools keep reporting (gammapy#5256, cta-lstchain#986): a zero or
/// implausible MJDREF, and DATE-OBS (or DATE-BEG) that disagrees with MJDREF + TSTART, notably by a
/// whole number of leap seconds, the mark of Unix time stored as seconds since MJDREF. gammapy reads
/// such files; the times are wrong.
enum TimeChecks {
    /// Observations of the instruments this validator meets lie after 1985-01-01 (MJD 46066) and no
    /// later than a year from now; a reference time that puts TSTART outside is wrong.
    static let earliestMJD = 46066.0
    static var latestMJD: Double { Date().timeIntervalSince1970 / 86400 + 40587 + 365 }

    struct Reference {
        let mjd: Double // MJDREFI + MJDREFF, in `system`
        let mjdInt: Int
        let mjdFrac: Double
        let system: String // TIMESYS, upper-case (TT by default, as gammapy assumes)
    }

    static func reference(_ header: [HeaderCard]) -> Reference? {
        let i = header[key: "MJDREFI"]?.doubleValue
        let f = header[key: "MJDREFF"]?.doubleValue
        let whole = header[key: "MJDREF"]?.doubleValue
        guard i != nil || whole != nil else { return nil }
        let mjdInt = i.map { Int($0) } ?? Int(whole!.rounded(.down))
        let mjdFrac = i != nil ? (f ?? 0) : whole! - Double(mjdInt)
        let system = (header[key: "TIMESYS"]?.stringValue ?? "TT").trimmedBlanks.uppercased()
        return Reference(mjd: Double(mjdInt) + mjdFrac, mjdInt: mjdInt, mjdFrac: mjdFrac, system: system)
    }

    /// MJDREF zero, or an observation start (MJDREF + TSTART) outside the plausible era.
    static func mjdrefPlausible(_ header: [HeaderCard]) -> [(String?, String)] {
        guard let ref = reference(header) else { return [] }
        if ref.mjdInt == 0 && ref.mjd < 1 {
            return [
                (
                    "MJDREFI",
                    "MJDREFI is 0 (1858-11-17): the times are seconds since the MJD epoch, not since a reference near the data; TSTART then says \(date(ref.mjd + (header[key: "TSTART"]?.doubleValue ?? 0) / 86400))"
                )
            ]
        }
        guard let tstart = header[key: "TSTART"]?.doubleValue else { return [] }
        let start = ref.mjd + tstart / 86400
        // A simulation (SIMULATD = T) whose clock starts at the Unix epoch (MJD 40587) has
        // placeholder times, as KM3NeT's Monte Carlo files do; that is not a wrong reference.
        if header[key: "SIMULATD"]?.description == "T", start >= 40587, start < 40588 { return [] }
        if start < earliestMJD || start > latestMJD {
            return [
                (
                    "MJDREFI",
                    "MJDREF \(ref.mjd) + TSTART \(tstart) s puts the observation at \(date(start)), implausible for this instrument"
                )
            ]
        }
        return []
    }

    /// DATE-OBS/TIME-OBS (or DATE-BEG) against MJDREF + TSTART, and DATE-END/TIME-END against TSTOP.
    /// The date is accepted in TIMESYS (the FITS rule) or in UTC (what many writers use); with
    /// TIMESYS = UTC, seconds since MJDREF may or may not count leap seconds.
    static func datesMatch(_ header: [HeaderCard], tolerance: Double) -> [(String?, String)] {
        guard let ref = reference(header) else { return [] }
        var out: [(String?, String)] = []
        for (dateKey, timeKey, altKey, secondsKey) in [
            ("DATE-OBS", "TIME-OBS", "DATE-BEG", "TSTART"), ("DATE-END", "TIME-END", nil, "TSTOP"),
        ] {
            let key =
                header[key: dateKey] != nil
                ? dateKey : (altKey.flatMap { header[key: $0] != nil ? $0 : nil } ?? dateKey)
            guard let text = header[key: key]?.stringValue, let seconds = header[key: secondsKey]?.doubleValue,
                var calendar = calendarMJD(text)
            else { continue }
            if !text.contains("T"), key == dateKey, let t = header[key: timeKey]?.stringValue, let s = secondOfDay(t) {
                calendar += s / 86400
            }
            guard let offsets = offsets(ref: ref, seconds: seconds, calendarMJD: calendar),
                !offsets.contains(where: { abs($0) <= tolerance })
            else { continue }
            let withTime = key == dateKey && !text.contains("T") ? header[key: timeKey]?.stringValue : nil
            let label = withTime != nil ? "\(dateKey)/\(timeKey) = '\(text)' '\(withTime!)'" : "\(key) = '\(text)'"
            // A whole number of leap seconds (18 to 37 s) under some reading of the date.
            if let n = offsets.lazy.map({ abs($0).rounded() }).enumerated().first(where: {
                (18...37).contains($0.element) && abs(abs(offsets[$0.offset]) - $0.element) <= 0.05
            })?.element {
                out.append(
                    (
                        key,
                        "\(label) and MJDREF + \(secondsKey) differ by \(Int(n)) s, a whole number of leap seconds: the times look like Unix time (which leaves leap seconds out) stored as seconds since MJDREF"
                    ))
            } else {
                out.append(
                    (
                        key,
                        "\(label) disagrees with MJDREF + \(secondsKey) (\(date(ref.mjd + seconds / 86400)) \(ref.system)) by \(String(format: "%.6g", offsets[0])) s"
                    ))
            }
        }
        return out
    }

    /// (MJDREF + seconds) − date, in seconds, under each accepted reading of the date.
    static func offsets(ref: Reference, seconds: Double, calendarMJD: Double) -> [Double]? {
        // Days and fractions apart, so that microseconds survive.
        let inScale = ((Double(ref.mjdInt) - calendarMJD) + ref.mjdFrac) * 86400 + seconds
        switch ref.system {
        case "TT", "TAI":
            // The date read as UTC: its TT (or TAI) instant is later by TT−UTC (TAI−UTC).
            guard let ttMinusUTC = ttMinusUTC(calendarMJD) else { return [inScale] }
            return [inScale, inScale - ttMinusUTC + (ref.system == "TAI" ? 32.184 : 0)]
        case "UTC":
            // Seconds since a UTC reference: with or without the leap seconds in between.
            guard let a = ttMinusUTC(calendarMJD), let b = ttMinusUTC(ref.mjd) else { return [inScale] }
            return [inScale, inScale - (a - b)]
        default:
            return [inScale]
        }
    }

    static func ttMinusUTC(_ utcMJD: Double) -> Double? {
        let day = utcMJD.rounded(.down)
        return try? TimeScales.seconds(
            sinceReference: TimeReference(mjdInt: Int(day), mjdFrac: 0, system: .tt), utcMJD: utcMJD) - (utcMJD - day)
            * 86400
    }

    /// The MJD of an ISO date 'yyyy-mm-dd' or 'yyyy-mm-ddThh:mm:ss[.fff]' (or the old 'dd/mm/yy'),
    /// as a calendar reading, with no time scale applied.
    static func calendarMJD(_ text: String) -> Double? {
        let t = text.trimmedBlanks
        let parts = t.split(separator: "T", maxSplits: 1)
        guard let day = parts.first else { return nil }
        let ymd = day.split(separator: "-").compactMap { Int($0) }
        guard ymd.count == 3, (1...12).contains(ymd[1]), (1...31).contains(ymd[2]) else { return nil }
        // Fliegel & Van Flandern's day number, minus the MJD offset.
        let (y, m, d) = (ymd[0], ymd[1], ymd[2])
        let a = (14 - m) / 12
        let yy = y + 4800 - a
        let mm = m + 12 * a - 3
        let jdn = d + (153 * mm + 2) / 5 + 365 * yy + yy / 4 - yy / 100 + yy / 400 - 32045
        var mjd = Double(jdn) - 2_400_001
        if parts.count == 2 {
            guard let s = secondOfDay(String(parts[1])) else { return nil }
            mjd += s / 86400
        }
        return mjd
    }

    static func secondOfDay(_ text: String) -> Double? {
        let hms = text.trimmedBlanks.split(separator: ":").map(String.init)
        guard hms.count == 3, let h = Double(hms[0]), let m = Double(hms[1]), let s = Double(hms[2]) else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// An MJD as 'yyyy-mm-dd hh:mm:ss' for messages.
    static func date(_ mjd: Double) -> String {
        guard mjd.isFinite, abs(mjd) < 1e7 else { return "MJD \(mjd)" }
        let jdn = Int((mjd + 2_400_001).rounded(.down))
        let a = jdn + 32044
        let b = (4 * a + 3) / 146097
        let c = a - 146097 * b / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        let day = e - (153 * m + 2) / 5 + 1
        let month = m + 3 - 12 * (m / 10)
        let year = 100 * b + d - 4800 + m / 10
        let s = Int(((mjd - mjd.rounded(.down)) * 86400).rounded())
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", year, month, day, s / 3600, s / 60 % 60, s % 60)
    }
}
