import Foundation
import Model
import Readers
import XMLIO

/// Reads a VOEvent (2.0 or 2.1, vodfkit's or another producer's: AMON, ANTARES, KM3NeT) into a
/// neutrino alert. WhereWhen gives the position, error circle and time; What's Params and event
/// Groups give the rest. Errors name the element and its line.
public enum VOEventReader {
    public struct Reading: Sendable {
        public var alert: NeutrinoAlert
        public var version: VOEventVersion?
        public var coordinateSystem: String?
    }

    public static func read(path: String) throws -> Reading {
        let doc: XMLDocument
        do { doc = try XMLDocument.read(path: path) } catch let e as XMLError {
            throw InputError(file: path, line: e.line, reason: e.reason)
        }
        return try read(doc, file: path)
    }

    public static func read(_ doc: XMLDocument, file: String) throws -> Reading {
        let root = doc.root
        guard root.name == "VOEvent" else {
            throw InputError(file: file, line: root.line, reason: "the root element is <\(root.name)>, not <VOEvent>")
        }
        let version =
            doc.rootNamespace.flatMap { VOEventVersion(namespace: $0.uri) }
            ?? root.attribute("version").flatMap(VOEventVersion.init(rawValue:))
        guard let location = root.find(["WhereWhen", "ObsDataLocation", "ObservationLocation"]) else {
            throw InputError(
                file: file, line: root.line, part: "WhereWhen",
                reason: "no WhereWhen/ObsDataLocation/ObservationLocation: the alert has no position")
        }
        let system =
            location.child("AstroCoordSystem")?.attribute("id")
            ?? location.child("AstroCoords")?.attribute("coord_system_id")
        let l = try localization(location, file: file, name: root)
        let params = (root.child("What")?.children(named: "Param") ?? []).reduce(into: [String: XMLElement]()) {
            $0[$1.attribute("name") ?? ""] = $1
        }
        typealias P = VOEventParams
        let name =
            params[P.eventID]?.attribute("value") ?? root.attribute("ivorn").flatMap {
                $0.split(separator: "#").last.map(String.init)
            } ?? "alert"
        var events = try (root.child("What")?.children(named: "Group") ?? []).filter {
            $0.attribute("type") == P.eventGroup
        }
        .map { try event($0, file: file, fallback: l) }
        if events.isEmpty {
            // Another producer's single-event alert: the event is the localization, with the
            // energy and topology of the top-level Params (AMON's IceCube alerts: energy in TeV).
            var e = l
            e.id = name
            if let p = params[P.energy] { e.energyGeV = try energyGeV(p, file: file) }
            e.topology = params[P.topology]?.attribute("value").flatMap(EventTopology.init(channelName:))
            events = [e]
        }
        let who = root.child("Who")
        let issued = who?.child("Date")?.trimmedText.flatMap(UTCInstant.init(iso:)) ?? l.time
        let alert = NeutrinoAlert(
            name: name, id: name, telescope: who?.find(["Author", "shortName"])?.trimmedText ?? "unknown",
            instrument: params[P.instrument]?.attribute("value") ?? "unknown",
            pipeline: params[P.pipeline]?.attribute("value"),
            alertType: params[P.alertType]?.attribute("value") ?? "initial",
            recordNumber: params[P.recordNumber]?.attribute("value").flatMap { Int($0) } ?? 1, issued: issued,
            role: root.attribute("role") ?? "observation",
            tense: root.attribute("role") == "test" ? "test" : "archival",
            localization: l, events: events, farPerYear: params[P.far]?.attribute("value").flatMap(Double.init),
            provenance: (root.child("What")?.children(named: "Group") ?? []).filter {
                $0.attribute("type") == P.provenanceGroup
            }
            .flatMap { $0.children(named: "Param").compactMap { $0.attribute("value") } },
            description: root.child("Description")?.trimmedText)
        return Reading(alert: alert, version: version, coordinateSystem: system)
    }

    /// The position, error circle and time of WhereWhen's ObservationLocation.
    static func localization(_ location: XMLElement, file: String, name root: XMLElement) throws -> AlertEvent {
        guard let coords = location.child("AstroCoords") else {
            throw InputError(
                file: file, line: location.line, part: "ObservationLocation", reason: "no AstroCoords element")
        }
        guard let position = coords.child("Position2D") else {
            throw InputError(
                file: file, line: coords.line, part: "AstroCoords",
                reason: "no Position2D element: the alert has no sky position")
        }
        let unit = position.attribute("unit") ?? "deg"
        let scale: Double
        switch unit.lowercased() {
        case "deg", "degree", "degrees": scale = 1
        case "rad", "radian", "radians": scale = 180 / .pi
        default:
            throw InputError(
                file: file, line: position.line, part: "Position2D",
                reason: "unit '\(unit)' is not an angle unit (deg or rad)")
        }
        func coordinate(_ path: [String]) throws -> Double {
            guard let e = position.find(path) else {
                throw InputError(
                    file: file, line: position.line, part: "Position2D",
                    reason: "no \(path.joined(separator: "/")) element")
            }
            guard let text = e.trimmedText, let d = Double(text), d.isFinite else {
                throw InputError(
                    file: file, line: e.line, part: path.last, reason: "'\(e.trimmedText ?? "")' is not a number")
            }
            return d * scale
        }
        guard let isoElement = coords.find(["Time", "TimeInstant", "ISOTime"]), let iso = isoElement.trimmedText else {
            throw InputError(
                file: file, line: coords.line, part: "AstroCoords",
                reason: "no Time/TimeInstant/ISOTime element: the alert has no time")
        }
        guard let time = UTCInstant(iso: iso) else {
            throw InputError(
                file: file, line: isoElement.line, part: "ISOTime", reason: "'\(iso)' is not an ISO 8601 date and time")
        }
        var error: Double?
        if position.child("Error2Radius") != nil { error = try coordinate(["Error2Radius"]) }
        return AlertEvent(
            id: "", time: time, raDeg: try coordinate(["Value2", "C1"]), decDeg: try coordinate(["Value2", "C2"]),
            errorRadiusDeg: error)
    }

    /// One event Group as vodfkit writes it.
    static func event(_ g: XMLElement, file: String, fallback: AlertEvent) throws -> AlertEvent {
        let params = g.children(named: "Param").reduce(into: [String: XMLElement]()) {
            $0[$1.attribute("name") ?? ""] = $1
        }
        func number(_ name: String) throws -> Double? {
            guard let p = params[name] else { return nil }
            guard let v = p.attribute("value"), let d = Double(v), d.isFinite else {
                throw InputError(
                    file: file, line: p.line, part: "Param \(name)",
                    reason: "value '\(p.attribute("value") ?? "")' is not a number")
            }
            return d
        }
        var e = fallback
        e.id = params["id"]?.attribute("value") ?? g.attribute("name") ?? fallback.id
        if let t = params["time"] {
            guard let v = t.attribute("value"), let time = UTCInstant(iso: v) else {
                throw InputError(
                    file: file, line: t.line, part: "Param time",
                    reason: "'\(t.attribute("value") ?? "")' is not an ISO 8601 date and time")
            }
            e.time = time
        }
        e.raDeg = try number("ra") ?? fallback.raDeg
        e.decDeg = try number("dec") ?? fallback.decDeg
        e.errorRadiusDeg = try number("error_radius") ?? fallback.errorRadiusDeg
        if let p = params[VOEventParams.energy] { e.energyGeV = try energyGeV(p, file: file) }
        e.topology = params[VOEventParams.topology]?.attribute("value").flatMap(EventTopology.init(channelName:))
        e.cosZenithDown = try number(VOEventParams.cosZenith).map { -$0 }
        return e
    }

    /// An energy Param in GeV, from its unit (GeV when it has none).
    static func energyGeV(_ p: XMLElement, file: String) throws -> Double {
        guard let v = p.attribute("value"), let d = Double(v), d.isFinite else {
            throw InputError(
                file: file, line: p.line, part: "Param energy",
                reason: "value '\(p.attribute("value") ?? "")' is not a number")
        }
        let factors: [String: Double] = [
            "ev": 1e-9, "kev": 1e-6, "mev": 1e-3, "gev": 1, "tev": 1e3, "pev": 1e6, "eev": 1e9,
        ]
        let unit = (p.attribute("unit") ?? "GeV").lowercased()
        guard let f = factors[unit] else {
            throw InputError(
                file: file, line: p.line, part: "Param energy", reason: "unit '\(unit)' is not an energy unit")
        }
        return d * f
    }
}
