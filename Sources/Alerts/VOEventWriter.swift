import Foundation
import Model
import XMLIO

/// A neutrino alert as an IVOA VOEvent (2.0 or 2.1): WhereWhen holds the alert's position, error
/// circle and time (UTC, ISO 8601, in UTC-ICRS-TOPO); What holds the alert's parameters and one
/// Group per event (energy, topology, cos-zenith); How and a provenance Group say what it was made
/// from. The tree is serialised by libxml2; `AlertOutput` checks it against the XSD before writing.
public enum VOEventWriter {
    public static let coordinateSystem = "UTC-ICRS-TOPO"

    public static func document(_ alert: NeutrinoAlert, version: VOEventVersion, authority: String) -> XMLDocument {
        let ivorn = authority.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/alerts#" + alert.name
        var root = XMLElement(
            "VOEvent",
            [
                "ivorn": ivorn, "role": alert.role, "version": version.rawValue,
                "xsi:schemaLocation": version.schemaLocation,
            ])
        root.children = [
            who(alert, authority: authority), what(alert), whereWhen(alert.localization, version: version), how(alert),
        ]
        if let d = alert.description { root.children.append(XMLElement("Description", text: d)) }
        return XMLDocument(
            root: root, rootNamespace: .init(prefix: "voe", uri: version.namespace), namespaces: [XMLDocument.xsi])
    }

    static func who(_ a: NeutrinoAlert, authority: String) -> XMLElement {
        XMLElement(
            "Who",
            children: [
                XMLElement("AuthorIVORN", text: authority),
                XMLElement("Date", text: a.issued.iso(digits: 3).replacingOccurrences(of: "Z", with: "")),
                XMLElement("Author", children: [XMLElement("shortName", text: a.telescope)]),
            ])
    }

    static func what(_ a: NeutrinoAlert) -> XMLElement {
        typealias P = VOEventParams
        var children = [
            param(P.eventID, a.name, ucd: "meta.id"),
            param(P.instrument, a.instrument, ucd: "meta.id;instr"),
            param(P.alertType, a.alertType, ucd: "meta.code"),
            param(P.recordNumber, String(a.recordNumber), type: "int", ucd: "meta.number"),
        ]
        if let p = a.pipeline { children.append(param(P.pipeline, p, ucd: "meta.code")) }
        if let c = a.localization.errorContainment {
            children.append(param(P.errorContainment, number(c), type: "float", ucd: "stat.confidenceLevel"))
        }
        if let far = a.farPerYear {
            children.append(param(P.far, number(far), type: "float", unit: "yr-1", ucd: "stat.probability"))
        }
        for e in a.events { children.append(group(e)) }
        if !a.provenance.isEmpty {
            children.append(
                XMLElement(
                    "Group", ["name": "provenance", "type": P.provenanceGroup],
                    children: a.provenance.enumerated().map {
                        param("source\($0.offset + 1)", $0.element, ucd: "meta.bib")
                    }))
        }
        return XMLElement("What", children: children)
    }

    /// One event: its identity, time, position, error, energy and topology.
    static func group(_ e: AlertEvent) -> XMLElement {
        typealias P = VOEventParams
        var params = [
            param("id", e.id, ucd: "meta.id"),
            param("time", e.time.iso(), ucd: "time.epoch"),
            param("ra", number(e.raDeg), type: "float", unit: "deg", ucd: "pos.eq.ra"),
            param("dec", number(e.decDeg), type: "float", unit: "deg", ucd: "pos.eq.dec"),
        ]
        if let r = e.errorRadiusDeg {
            params.append(param("error_radius", number(r), type: "float", unit: "deg", ucd: "stat.error;pos.eq"))
        }
        if let g = e.energyGeV {
            params.append(param(P.energy, number(g), type: "float", unit: "GeV", ucd: "phys.energy"))
        }
        if let t = e.topology { params.append(param(P.topology, t.rawValue, ucd: "meta.code.class")) }
        if let c = e.cosZenithDown {
            var p = param(P.cosZenith, number(-c), type: "float", ucd: "pos.az.zd")
            p.children = [
                XMLElement(
                    "Description",
                    text:
                        "cosine of the zenith angle of the event direction: 1 = up-going, -1 = down-going (GCN notice convention)"
                )
            ]
            params.append(p)
        }
        return XMLElement("Group", ["name": e.id, "type": P.eventGroup], children: params)
    }

    static func whereWhen(_ l: AlertEvent, version: VOEventVersion) -> XMLElement {
        var position = XMLElement(
            "Position2D", ["unit": "deg"],
            children: [
                XMLElement("Name1", text: "RA"), XMLElement("Name2", text: "Dec"),
                XMLElement(
                    "Value2",
                    children: [XMLElement("C1", text: number(l.raDeg)), XMLElement("C2", text: number(l.decDeg))]),
            ])
        if let r = l.errorRadiusDeg { position.children.append(XMLElement("Error2Radius", text: number(r))) }
        let coords = XMLElement(
            "AstroCoords", ["coord_system_id": coordinateSystem],
            children: [
                XMLElement(
                    "Time", ["unit": "s"],
                    children: [
                        XMLElement(
                            "TimeInstant",
                            children: [
                                XMLElement("ISOTime", text: l.time.iso().replacingOccurrences(of: "Z", with: ""))
                            ])
                    ]),
                position,
            ])
        let location = XMLElement(
            "ObservationLocation", children: [XMLElement("AstroCoordSystem", ["id": coordinateSystem]), coords])
        let observatory = XMLElement("ObservatoryLocation", ["id": "GEOLUN"])
        return XMLElement("WhereWhen", children: [XMLElement("ObsDataLocation", children: [observatory, location])])
    }

    static func how(_ a: NeutrinoAlert) -> XMLElement {
        XMLElement(
            "How",
            children: [
                XMLElement(
                    "Description",
                    text: (a.telescope == a.instrument ? a.telescope : "\(a.telescope) \(a.instrument)")
                        + (a.pipeline.map { ", pipeline \($0)" } ?? "") + "; written by vodfkit")
            ])
    }

    static func param(_ name: String, _ value: String, type: String? = nil, unit: String? = nil, ucd: String? = nil)
        -> XMLElement
    {
        XMLElement("Param", ["name": name, "value": value, "dataType": type, "unit": unit, "ucd": ucd])
    }

    /// The shortest text that reads back as the same Double.
    static func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
}
