import Foundation
import JSONIO
import Model
import Readers

/// Reads a GCN neutrino alert notice (JSON: KM3NeT's, or IceCube's with its `nu_energy`) into a
/// neutrino alert. The notice's `cos_zenith` (1 =
/// up-going) becomes the model's ARCA230 convention (1 = down-going); `far` in Hz becomes per year.
public enum GCNNoticeReader {
    typealias F = GCNNoticeFormat.Field
    typealias E = GCNNoticeFormat.EventField

    public static func read(path: String) throws -> NeutrinoAlert {
        let doc: JSONNode
        do { doc = try JSONNode.read(path: path) } catch let e as JSONError {
            throw InputError(file: path, line: e.line, reason: e.reason)
        }
        return try read(doc, file: path)
    }

    public static func read(_ doc: JSONNode, file: String) throws -> NeutrinoAlert {
        guard doc.members != nil else {
            throw InputError(file: file, line: doc.line, reason: "the notice is not a JSON object")
        }
        func text(_ n: JSONNode, _ key: String) -> String? {
            if let s = n[key]?.string { return s }
            return n[key]?.array?.first?.string // event_name and id may be arrays of names
        }
        func time(_ n: JSONNode, _ key: String, required: Bool) throws -> UTCInstant? {
            guard let v = n[key] else {
                if required {
                    throw InputError(file: file, line: n.line, part: key, reason: "missing: the alert has no time")
                }
                return nil
            }
            guard let s = v.string, let t = UTCInstant(iso: s) else {
                throw InputError(
                    file: file, line: v.line, part: key, reason: "'\(v.string ?? "")' is not an ISO 8601 date and time")
            }
            return t
        }
        func number(_ n: JSONNode, _ key: String, required: Bool = false) throws -> Double? {
            guard let v = n[key] else {
                if required { throw InputError(file: file, line: n.line, part: key, reason: "missing") }
                return nil
            }
            // An ellipse: its semi-major axis.
            if key == E.ra_dec_error.rawValue, let first = v.array?.first?.number { return first }
            guard let d = v.number else {
                throw InputError(file: file, line: v.line, part: key, reason: "is not a number")
            }
            return d
        }
        func event(_ n: JSONNode, id: String, fallbackTime: UTCInstant?) throws -> AlertEvent {
            guard let t = try time(n, E.trigger_time.rawValue, required: fallbackTime == nil) ?? fallbackTime else {
                throw InputError(file: file, line: n.line, part: E.trigger_time.rawValue, reason: "missing")
            }
            return AlertEvent(
                id: text(n, E.id.rawValue) ?? id, time: t, raDeg: try number(n, E.ra.rawValue, required: true)!,
                decDeg: try number(n, E.dec.rawValue, required: true)!,
                errorRadiusDeg: try number(n, E.ra_dec_error.rawValue),
                errorContainment: try number(n, E.containment_probability.rawValue),
                energyGeV: try number(n, E.energy_measured.rawValue),
                topology: n[E.prob_evt_topology.rawValue]?.string.flatMap(EventTopology.init(rawValue:)),
                cosZenithDown: try number(n, E.cos_zenith.rawValue).map(GCNNoticeFormat.cosZenith))
        }
        let name = text(doc, F.event_name.rawValue) ?? text(doc, F.id.rawValue) ?? "alert"
        var localization = try event(doc, id: name, fallbackTime: nil)
        // IceCube's notices give the most probable neutrino energy, in TeV.
        if localization.energyGeV == nil, let e = try number(doc, "nu_energy") { localization.energyGeV = e * 1000 }
        if localization.errorContainment == nil, localization.errorRadiusDeg != nil {
            localization.errorContainment = 0.9
        } // the schema's default
        var events = try (doc[F.event_details.rawValue]?.array ?? []).enumerated().map { i, n in
            try event(n, id: "\(name)-\(i + 1)", fallbackTime: localization.time)
        }
        if events.isEmpty {
            var e = localization
            if doc[F.alert_topology.rawValue]?.string == "Shower" {
                e.topology = .shower
            } else if doc[F.alert_topology.rawValue]?.string == "Track" {
                e.topology = .track
            }
            events = [e]
        }
        return NeutrinoAlert(
            name: name, id: text(doc, F.id.rawValue) ?? name, telescope: doc[F.mission.rawValue]?.string ?? "KM3NeT",
            instrument: doc[F.instrument.rawValue]?.string ?? "unknown",
            pipeline: doc[F.pipeline.rawValue]?.string, alertType: doc[F.alert_type.rawValue]?.string ?? "initial",
            recordNumber: Int(try number(doc, F.record_number.rawValue) ?? 1),
            issued: try time(doc, F.alert_datetime.rawValue, required: false) ?? localization.time,
            role: doc[F.alert_tense.rawValue]?.string == "test" ? "test" : "observation",
            tense: doc[F.alert_tense.rawValue]?.string ?? "current",
            localization: localization, events: events,
            farPerYear: try number(doc, F.far.rawValue).map { $0 * GCNNoticeFormat.secondsPerYear },
            provenance: ["GCN notice: \((file as NSString).lastPathComponent)"],
            description: doc[F.additional_info.rawValue]?.string)
    }
}
