import Astrometry
import FITSIO
import Foundation
import GADF
import KM3NeT
import Model
import Readers

/// Alerts and event lists, both ways: a VOEvent or GCN notice becomes an EVENTS file (one row per
/// event, with its GTI: KM3NeT's "Level 4", single events), and one row of an EVENTS file becomes
/// an alert.
public enum AlertConversion {
    /// The events of an alert as an observation. An alert states no livetime: the GTI is the span
    /// of its event times (of zero length for one event), and the header says so.
    public static func observation(_ a: NeutrinoAlert, obsID: String?, creator: String, source: String) throws
        -> Observation
    {
        let ref = TimeReference.j2000TT
        let times = try a.events.map { try TimeScales.seconds(sinceReference: ref, unixSeconds: $0.time.unixSeconds) }
        guard let t0 = times.min(), let t1 = times.max() else {
            throw ConversionError("alert \(a.name) holds no event", .badInput)
        }
        var columns = [
            EventColumn(
                name: "EVENT_ID", values: .int64(a.events.indices.map { Int64($0 + 1) }), level: .required,
                description: "position of the event in the alert (1-based)"),
            EventColumn(
                name: "TIME", values: .double(times), unit: .second, level: .required,
                description: "event time, seconds since MJDREF (TT), from the alert's UTC time"),
            EventColumn(
                name: "RA", values: .double(a.events.map(\.raDeg)), unit: .degree, level: .required,
                description: "right ascension of the event (ICRS)"),
            EventColumn(
                name: "DEC", values: .double(a.events.map(\.decDeg)), unit: .degree, level: .required,
                description: "declination of the event (ICRS)"),
            EventColumn(
                name: "ENERGY", values: .double(a.events.map { ($0.energyGeV ?? .nan) / 1000 }),
                unit: try Unit.parse("TeV"), level: .required,
                description: "reconstructed energy of the event (NaN when the alert gives none)"),
        ]
        if a.events.contains(where: { $0.errorRadiusDeg != nil }) {
            columns.append(
                EventColumn(
                    name: "DIR_ERR", values: .double(a.events.map { $0.errorRadiusDeg ?? .nan }), unit: .degree,
                    level: .optional,
                    description: "radius of the alert's error circle for the event"))
        }
        if a.events.contains(where: { $0.cosZenithDown != nil }) {
            // ALT of the arrival direction: cos(zenith) = sin(altitude); down-going events come from above.
            columns.append(
                EventColumn(
                    name: "ALT",
                    values: .double(
                        a.events.map { $0.cosZenithDown.map { asin(max(-1, min(1, $0))) * 180 / .pi } ?? .nan }),
                    unit: .degree, level: .optional,
                    description: "altitude of the event's arrival direction (from the alert's cos-zenith)"))
        }
        columns.append(
            EventColumn(
                name: "ALERT_ID", values: .string(a.events.map(\.id)), level: .instrument,
                description: "the event's identifier in the alert"))
        if a.events.contains(where: { $0.topology != nil }) {
            columns.append(
                EventColumn(
                    name: "TOPOLOGY", values: .string(a.events.map { $0.topology?.rawValue ?? "" }), level: .instrument,
                    description: "reconstructed topology (track, starting track, shower)"))
        }
        let site = DetectorSites.of(instrument: a.instrument).map(\.site)
        var meta = ObservationMetadata(
            obsID: obsID ?? (Int(a.id) != nil ? a.id : "1"), timeRef: ref, tstart: t0, tstop: t1, ontime: t1 - t0,
            livetime: t1 - t0,
            coverageSource: .eventSpan, site: site, mode: .driftZenith, object: a.name, telescope: a.telescope,
            instrument: a.instrument,
            origin: a.telescope, creator: creator, provenance: [source] + a.provenance,
            notes: [
                "An alert: no livetime or run information; TSTART/TSTOP, ONTIME, LIVETIME and the GTI are the span of its event times."
            ])
        meta.instrumentKeywords = alertKeywords(a)
        return Observation(meta: meta, events: try EventList(columns: columns), gti: try GTI(start: [t0], stop: [t1]))
    }

    /// What the alert says beyond its events, kept as header keywords (read back by `alert(from:)`).
    static func alertKeywords(_ a: NeutrinoAlert) -> [CarriedKeyword] {
        var k = [
            CarriedKeyword("ALERTID", .string(a.id), comment: "vodfkit: identifier of the alert"),
            CarriedKeyword(
                "ALERTTYP", .string(a.alertType), comment: "vodfkit: alert type (initial, update, retraction)"),
            CarriedKeyword("ALERTREC", .int(Int64(a.recordNumber)), comment: "vodfkit: record number of the alert"),
            CarriedKeyword("ALERTDAT", .string(a.issued.iso()), comment: "vodfkit: when the alert was issued (UTC)"),
        ]
        if let p = a.pipeline {
            k.append(CarriedKeyword("PIPELINE", .string(p), comment: "vodfkit: pipeline that issued the alert"))
        }
        if let c = a.localization.errorContainment {
            k.append(CarriedKeyword("DIR_CONT", .double(c), comment: "vodfkit: containment probability of DIR_ERR"))
        }
        if let f = a.farPerYear {
            k.append(CarriedKeyword("FAR", .double(f), comment: "[yr-1] vodfkit: false-alarm rate of the alert"))
        }
        return k
    }
}

/// What an alert made from an event row needs that the event list may not say.
public struct AlertOptions: Sendable {
    /// `KM3-240901A`; nil makes `KM3-YYMMDDA` from the event's date.
    public var name: String?
    /// The error-circle radius (deg) when the file has no DIR_ERR column, or to override it.
    public var errorRadiusDeg: Double?
    /// The probability the circle contains the source (0.9 unless told).
    public var containment = 0.9
    public var topology: EventTopology?
    public var pipeline: String?
    public var issued = UTCInstant(unixSeconds: Date().timeIntervalSince1970)
    public var creator = "vodfkit"
    public init() {}
}

extension AlertConversion {
    /// The alert of one event of an event list, found by its EVENT_ID.
    public static func alert(fromEvents path: String, eventID: Int64, options o: AlertOptions) throws -> NeutrinoAlert {
        try alert(from: try GADFFile.observation(path: path), file: path, eventID: eventID, options: o)
    }

    /// The alert of one event of an observation read from `path`, found by its EVENT_ID.
    public static func alert(from obs: Observation, file path: String, eventID: Int64, options o: AlertOptions) throws
        -> NeutrinoAlert
    {
        let ev = obs.events
        guard let ids = ev["EVENT_ID"]?.values.doubles else {
            throw ConversionError("\(path): EVENTS has no EVENT_ID column", .badInput)
        }
        guard let row = ids.firstIndex(of: Double(eventID)) else {
            throw ConversionError(
                "\(path): EVENTS has no event with EVENT_ID \(eventID) (\(ids.count) events, EVENT_ID \(Int64(ids.min() ?? 0))...\(Int64(ids.max() ?? 0)))",
                .badInput)
        }
        func value(_ name: String) -> Double? {
            ev[name]?.values.doubles.map { $0[row] }.flatMap { $0.isFinite ? $0 : nil }
        }
        guard let t = value("TIME"), let ra = value("RA"), let dec = value("DEC") else {
            throw ConversionError("\(path): event \(eventID) lacks a finite TIME, RA or DEC", .badInput)
        }
        let unix: Double
        do { unix = try TimeScales.unixSeconds(reference: obs.meta.timeRef, seconds: t) } catch {
            throw ConversionError("\(path): event \(eventID): \(error)", .badInput)
        }
        guard let radius = o.errorRadiusDeg ?? value("DIR_ERR") else {
            throw ConversionError(
                "\(path): EVENTS has no DIR_ERR column for the error circle: pass --error-radius DEG", .usage)
        }
        let energyUnit = ev["ENERGY"]?.unit ?? Unit.TeV
        let energy = value("ENERGY").map { $0 * energyUnit.scale / Unit.GeV.scale }
        let time = UTCInstant(unixSeconds: unix)
        let event = AlertEvent(
            id: "\(obs.meta.obsID).\(eventID)", time: time, raDeg: ra, decDeg: dec, errorRadiusDeg: radius,
            errorContainment: o.containment, energyGeV: energy, topology: o.topology ?? topology(obs, row: row),
            cosZenithDown: value("ALT").map { sin($0 * .pi / 180) })
        let name = o.name ?? defaultName(time, telescope: obs.meta.telescope)
        var provenance = [
            "events: \((path as NSString).lastPathComponent), OBS_ID \(obs.meta.obsID), EVENT_ID \(eventID)"
        ]
        // A reader names the file it read last in the provenance; the first line names it already.
        provenance += obs.meta.provenance.filter { $0 != (path as NSString).lastPathComponent }.map { "input: \($0)" }
        provenance.append("made by \(o.creator) from a file by \(obs.meta.creator)")
        return NeutrinoAlert(
            name: name, id: "\(obs.meta.obsID).\(eventID)", telescope: obs.meta.telescope,
            instrument: obs.meta.instrument,
            pipeline: o.pipeline, issued: o.issued, role: "observation", tense: "archival", localization: event,
            events: [event],
            provenance: provenance,
            description:
                "\(obs.meta.telescope) event \(eventID) of observation \(obs.meta.obsID), made into an alert afterwards."
        )
    }

    /// The topology of an event: its TOPOLOGY column, its EVT_TYPE's channel, or the file's channel.
    static func topology(_ obs: Observation, row: Int) -> EventTopology? {
        if case .string(let v)? = obs.events["TOPOLOGY"]?.values, let t = EventTopology(rawValue: v[row]) { return t }
        if let types = obs.events["EVT_TYPE"]?.values.doubles,
            let c = obs.meta.channels.first(where: { Double($0.number) == types[row] })
        {
            return EventTopology(channelName: c.name)
        }
        return obs.meta.channels.count == 1 ? EventTopology(channelName: obs.meta.channels[0].name) : nil
    }

    /// KM3NeT's naming of alerts, KM3-YYMMDDA from the event's UTC date (ANT- for ANTARES events).
    static func defaultName(_ t: UTCInstant, telescope: String) -> String {
        let iso = t.iso(digits: 0)
        let prefix =
            telescope.uppercased().hasPrefix("ANTARES")
            ? "ANT" : (telescope.uppercased().hasPrefix("KM3") ? "KM3" : telescope.uppercased())
        return prefix + "-" + iso.dropFirst(2).prefix(8).replacingOccurrences(of: "-", with: "") + "A"
    }
}
