import Foundation
import JSONIO
import Model
import Readers
import XMLIO

/// Alerts written only once they pass their schema: a VOEvent is checked against the XSD of its
/// version, a GCN notice against the KM3NeT notice schema; a document that fails is not written,
/// and the error names each violation and its line. The write is all-or-nothing.
public enum AlertOutput {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// The VOEvent document, checked against the version's XSD.
    public static func voevent(_ alert: NeutrinoAlert, version: VOEventVersion, authority: String, standards: Standards)
        throws -> Data
    {
        try checkPosition(alert)
        let data = try VOEventWriter.document(alert, version: version, authority: authority).serialized()
        let violations = try standards.schema(version).violations(of: data, file: "alert.xml")
        guard violations.isEmpty else {
            throw Invalid(
                description: "the VOEvent \(version.rawValue) written for \(alert.name) fails \(version.schemaFile): "
                    + violations.map { $0.message }.joined(separator: "; "))
        }
        return data
    }

    /// The GCN notice document, checked against the KM3NeT alert schema.
    public static func gcnNotice(_ alert: NeutrinoAlert, standards: Standards) throws -> Data {
        try checkPosition(alert)
        let data = try GCNNoticeWriter.encode(alert)
        let violations = try standards.gcnSchema().violations(of: try JSONNode.parse(data, file: "notice.json"))
        guard violations.isEmpty else {
            throw Invalid(
                description: "the GCN notice written for \(alert.name) fails \(GCNNoticeFormat.schemaFile): "
                    + violations.map(\.description).joined(separator: "; "))
        }
        return data
    }

    /// The writers put numbers in the documents as they are; a NaN position never goes out.
    static func checkPosition(_ a: NeutrinoAlert) throws {
        for e in [a.localization] + a.events {
            guard e.raDeg.isFinite, e.decDeg.isFinite, (-90...90).contains(e.decDeg) else {
                throw Invalid(
                    description: "alert \(a.name): event \(e.id) has no valid position (RA \(e.raDeg), Dec \(e.decDeg))"
                )
            }
            if let r = e.errorRadiusDeg, !(r > 0) {
                throw Invalid(description: "alert \(a.name): event \(e.id): the error radius \(r) deg is not positive")
            }
        }
    }
}
