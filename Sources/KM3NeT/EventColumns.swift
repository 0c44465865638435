import Astrometry
import Foundation
import Model

/// The best track of one event, as both KM3NeT readers see it.
struct TrackRecord {
    var dx, dy, dz, energyGeV, lik: Double
    var recType: Int32
    /// JGandalf beta0 (angular error, rad) and hit count, when the fit defines them.
    var beta0Rad, nhit: Double?
    /// Track time in ns after the event time.
    var tNs: Double
}

/// Output columns of a KM3NeT event list, filled event by event (ROOT and HDF5 readers alike).
struct Columns {
    var eventID_: [Int64] = [], time: [Double] = [], ra: [Double] = [], dec: [Double] = [], energy: [Double] = []
    var alt: [Double] = [], az: [Double] = [], lik: [Double] = [], dirErr: [Double] = [], nhit: [Int32] = []
    var recType: [Int32] = [], run: [Int64] = [], unix: [Double] = []
    var weights: [[Double]] = [[], [], []]
    var mcEnergy: [Double] = [], mcRA: [Double] = [], mcDec: [Double] = [], mcType: [Int32] = []
    var bdt: [[Double]] = []

    /// Adds the event's row, or returns why the event is rejected.
    mutating func append(
        eventID: Int64, run: Int64, eventUnix: Double, track t: TrackRecord, sky: SkyTransform,
        cache: inout PrecessionCache, ref: TimeReference, reco: Reconstruction
    ) throws -> String? {
        let norm = (t.dx * t.dx + t.dy * t.dy + t.dz * t.dz).squareRoot()
        guard t.dx.isFinite, t.dy.isFinite, t.dz.isFinite, norm > 0.5, norm < 1.5 else {
            return "direction not finite or not a unit vector"
        }
        let unix = eventUnix + t.tNs * 1e-9
        // 1900..2200: ERFA's leap-second table and the precession cache are defined there, and a
        // time outside it is a damaged timestamp, not an event.
        guard unix.isFinite, unix > -2.2e9, unix < 7.3e9 else { return "time not finite or outside 1900-2200" }
        let hor = sky.sourceHorizontal(dx: t.dx / norm, dy: t.dy / norm, dz: t.dz / norm)
        let (ra, dec) = sky.equatorial(alt: hor.alt, az: hor.az, unixSeconds: unix, cache: &cache)
        eventID_.append(eventID)
        time.append(try TimeScales.seconds(sinceReference: ref, unixSeconds: unix))
        self.ra.append(ra * 180 / .pi)
        self.dec.append(dec * 180 / .pi)
        // GeV -> TeV by division, which is exact to the last bit of the quotient.
        energy.append(t.energyGeV / 1000)
        alt.append(hor.alt * 180 / .pi)
        az.append(hor.az * 180 / .pi)
        lik.append(t.lik)
        recType.append(t.recType)
        // beta0 and the hit count are JMuon (JGandalf) quantities.
        let jmuon = reco == .jmuon
        dirErr.append(jmuon ? (t.beta0Rad ?? .nan) * 180 / .pi : .nan)
        nhit.append(jmuon ? t.nhit.flatMap { Int32(exactly: $0.rounded(.towardZero)) } ?? -1 : -1)
        self.run.append(run)
        self.unix.append(unix)
        return nil
    }

    func eventList(isMC: Bool, bdtNames: [String], hasWeights: Bool) throws -> EventList {
        var cols: [EventColumn] = [
            EventColumn(name: "EVENT_ID", values: .int64(eventID_), level: .required, description: "Evt.id"),
            EventColumn(
                name: "TIME", values: .double(time), unit: .second, level: .required,
                description: "event time, s since MJDREF (TT): Evt.t + track t"),
            EventColumn(
                name: "RA", values: .double(ra), unit: .degree, level: .required,
                description: "reconstructed right ascension of the source direction"),
            EventColumn(
                name: "DEC", values: .double(dec), unit: .degree, level: .required,
                description: "reconstructed declination of the source direction"),
            EventColumn(
                name: "ENERGY", values: .double(energy), unit: .TeV, level: .required,
                description: "reconstructed energy of the best track (trk.E / 1000)"),
            EventColumn(
                name: "ALT", values: .double(alt), unit: .degree, level: .optional,
                description: "source altitude (true north frame)"),
            EventColumn(
                name: "AZ", values: .double(az), unit: .degree, level: .optional,
                description: "source azimuth, from north through east"),
            EventColumn(
                name: "DIR_ERR", values: .double(dirErr), unit: .degree, level: .optional,
                description: "angular error estimate: JGandalf beta0 (fitinf[0]); NaN when not defined"),
            EventColumn(
                name: "LIKELIHOOD", values: .double(lik), level: .instrument,
                description: "track fit likelihood (trk.lik)"),
            EventColumn(
                name: "NHIT", values: .int32(nhit), level: .instrument,
                description: "hits used by the fit (fitinf[3]); -1 when not defined"),
            EventColumn(
                name: "RECO_TYPE", values: .int32(recType), level: .instrument, description: "trk.rec_type (4000 = Jpp)"
            ),
        ]
        for (j, name) in bdtNames.enumerated() where j < bdt.count {
            let width = eventID_.isEmpty ? 0 : bdt[j].count / eventID_.count
            for w in 0..<width {
                cols.append(
                    EventColumn(
                        name: "\(name)_\(w)",
                        values: .double(stride(from: w, to: bdt[j].count, by: width).map { bdt[j][$0] }),
                        level: .instrument, description: "dst T/\(name.lowercased())[\(w)] quality variable"))
            }
        }
        if isMC {
            if !mcEnergy.isEmpty {
                cols += [
                    EventColumn(
                        name: "MC_ENERGY", values: .double(mcEnergy), unit: .TeV, level: .instrument,
                        description: "true energy of the primary (mc_trks[0].E / 1000)", isTruth: true),
                    EventColumn(
                        name: "MC_RA", values: .double(mcRA), unit: .degree, level: .instrument,
                        description: "true source right ascension (mc_trks[0])", isTruth: true),
                    EventColumn(
                        name: "MC_DEC", values: .double(mcDec), unit: .degree, level: .instrument,
                        description: "true source declination (mc_trks[0])", isTruth: true),
                    EventColumn(
                        name: "MC_PDGID", values: .int32(mcType), level: .instrument,
                        description: "PDG id of the primary (mc_trks[0].type)", isTruth: true),
                ]
            }
            if hasWeights {
                for j in 0..<3 {
                    cols.append(
                        EventColumn(
                            name: "MC_W\(j + 1)", values: .double(weights[j]), level: .instrument,
                            description: [
                                "w1: generation volume [m3]", "w2: generation weight [GeV m2 sr s]",
                                "w3: event rate [1/s]",
                            ][j], isTruth: true))
                }
            }
        }
        return try EventList(columns: cols)
    }
}
