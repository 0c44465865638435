import Astrometry
import Foundation
import Model

/// The panels of an event list: the events on the sky (Hammer-Aitoff, equatorial or galactic),
/// the reconstructed-energy histogram, and the events over time with the GTIs shaded.
public enum EventPictures {
    public enum Frame: String, Sendable, CaseIterable { case equatorial, galactic }

    public static let pointLimit = 2000

    public static func panels(_ obs: Observation, frame: Frame = .equatorial) throws -> [Panel] {
        [sky(obs.events, frame: frame), energy(obs), timeline(obs)].compactMap { $0 }
    }

    public static func sky(_ events: EventList, frame: Frame) -> Panel {
        let ra = events["RA"]?.values.doubles ?? []
        let dec = events["DEC"]?.values.doubles ?? []
        var lon = ra
        var lat = dec
        if frame == .galactic {
            let g = zip(ra, dec).map { GalacticCoordinates.from(raDeg: $0, decDeg: $1) }
            (lon, lat) = (g.map(\.l), g.map(\.b))
        }
        let names = frame == .galactic ? ("l", "b") : ("RA", "Dec")
        // Up to `pointLimit` events as points; more as counts in 2-degree cells (a page holds a
        // few thousand marks, not a million).
        if lon.count > pointLimit {
            return Panel(
                kind: .sky, title: "\(events.count) events, \(frame.rawValue) (Hammer-Aitoff, counts in 2 deg cells)",
                x: PlotAxis(names.0, unit: "deg"), y: PlotAxis(names.1, unit: "deg"),
                map: HeatMap.skyCounts(lon: lon, lat: lat, step: 2, label: "events"), frame: frame.rawValue)
        }
        return Panel(
            kind: .sky, title: "\(events.count) events, \(frame.rawValue) (Hammer-Aitoff)",
            x: PlotAxis(names.0, unit: "deg"), y: PlotAxis(names.1, unit: "deg"),
            curves: [Curve(label: "", x: lon, y: lat, style: .points)], frame: frame.rawValue)
    }

    /// Counts in 10 logarithmic bins per decade of reconstructed energy; nil without energies.
    static func energy(_ obs: Observation) -> Panel? {
        guard let column = obs.events["ENERGY"], let raw = column.values.doubles else { return nil }
        let scale = ((try? (column.unit ?? .TeV).factor(to: .TeV)) ?? 1)
        let e = raw.map { $0 * scale }.filter { $0.isFinite && $0 > 0 }
        guard let lo = e.min(), let hi = e.max() else { return nil }
        let a = (log10(lo) * 10).rounded(.down) / 10
        let b = max(a + 0.1, (log10(hi) * 10).rounded(.up) / 10)
        let n = max(1, Int(((b - a) * 10).rounded()))
        let edges = (0...n).map { pow(10, a + Double($0) * (b - a) / Double(n)) }
        var counts = [Double](repeating: 0, count: n)
        for v in e { counts[min(n - 1, max(0, Int(((log10(v) - a) / (b - a) * Double(n)).rounded(.down))))] += 1 }
        return Panel(
            kind: .curves, title: "reconstructed energy (\(e.count) events with an energy)",
            x: PlotAxis("reconstructed energy", unit: "TeV", log: true),
            y: PlotAxis("events per bin", log: counts.max()! > 30),
            curves: [Curve(label: "", x: edges, y: counts, style: .steps)])
    }

    /// The cumulative number of events against time since TSTART, GTIs shaded.
    static func timeline(_ obs: Observation) -> Panel? {
        guard let t = obs.events["TIME"]?.values.doubles?.filter(\.isFinite).sorted(), !t.isEmpty else { return nil }
        let t0 = obs.meta.tstart
        let span = max(obs.meta.tstop - t0, (t.last ?? t0) - t0)
        let (scale, unit) = span > 5 * 86400 ? (86400.0, "d") : (span > 3 * 3600 ? (3600.0, "h") : (1.0, "s"))
        // The cumulative count at up to 400 events spread over the list (the last included): the
        // line a page can hold, the same line to the eye.
        let step = max(1, t.count / 400)
        let picks =
            Array(stride(from: 0, to: t.count, by: step)) + (t.count % step == 1 || step == 1 ? [] : [t.count - 1])
        let x = picks.map { (t[$0] - t0) / scale }
        return Panel(
            kind: .curves, title: "events over time (GTIs shaded)", x: PlotAxis("time since TSTART", unit: unit),
            y: PlotAxis("events so far"), curves: [Curve(label: "", x: x, y: picks.map { Double($0 + 1) })],
            bands: zip(obs.gti.start, obs.gti.stop).map { [($0 - t0) / scale, ($1 - t0) / scale] })
    }
}
