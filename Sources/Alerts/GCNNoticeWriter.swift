import Foundation
import Model

/// A neutrino alert as a GCN KM3NeT alert notice (JSON, nasa-gcn/gcn-schema `km3net/alert`).
/// Conventions of the schema that differ from vodfkit's model: `cos_zenith` is 1 for an up-going
/// event (the model's ARCA230 convention is 1 = down-going), energies are in GeV, the false-alarm
/// rate is in Hz and times are ISO 8601 UTC with a Z.
public enum GCNNoticeWriter {
    /// The notice's fields, in the schema's names.
    struct Notice: Encodable {
        var schema = GCNNoticeFormat.schemaID
        var messenger = "Neutrino"
        var mission: String
        var instrument: String
        var pipeline: String?
        var alert_tense: String
        var alert_type: String
        var record_number: Int
        var alert_datetime: String
        var additional_info: String?
        var id: String
        var event_name: String
        var trigger_time: String
        var ra: Double
        var dec: Double
        var ra_dec_error: Double?
        var containment_probability: Double?
        var far: Double?
        var alert_topology: String
        var number_of_events: Int
        var event_details: [Event]

        struct Event: Encodable {
            var id: String
            var trigger_time: String
            var ra: Double
            var dec: Double
            var ra_dec_error: Double?
            var containment_probability: Double?
            var cos_zenith: Double?
            var prob_evt_topology: String?
            var energy_measured: Double?
            typealias CodingKeys = GCNNoticeFormat.EventField
        }

        typealias CodingKeys = GCNNoticeFormat.Field
    }

    public static func encode(_ a: NeutrinoAlert) throws -> Data {
        let l = a.localization
        let topology: String
        if a.events.count > 1 {
            topology = "Multiplet"
        } else {
            topology = a.events.first?.topology == .shower ? "Shower" : "Track"
        }
        let notice = Notice(
            mission: a.telescope, instrument: a.instrument, pipeline: a.pipeline, alert_tense: a.tense,
            alert_type: a.alertType,
            record_number: a.recordNumber, alert_datetime: a.issued.iso(), additional_info: additionalInfo(a), id: a.id,
            event_name: a.name, trigger_time: l.time.iso(), ra: l.raDeg, dec: l.decDeg, ra_dec_error: l.errorRadiusDeg,
            containment_probability: l.errorContainment, far: a.farPerYear.map { $0 / GCNNoticeFormat.secondsPerYear },
            alert_topology: topology,
            number_of_events: a.events.count,
            event_details: a.events.map { e in
                Notice.Event(
                    id: e.id, trigger_time: e.time.iso(), ra: e.raDeg, dec: e.decDeg, ra_dec_error: e.errorRadiusDeg,
                    containment_probability: e.errorContainment,
                    cos_zenith: e.cosZenithDown.map(GCNNoticeFormat.cosZenith),
                    prob_evt_topology: e.topology?.rawValue, energy_measured: e.energyGeV)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(notice) + Data("\n".utf8)
    }

    /// The description and the provenance, in the notice's one free-text field.
    static func additionalInfo(_ a: NeutrinoAlert) -> String? {
        let parts = (a.description.map { [$0] } ?? []) + a.provenance.map { "Source: \($0)" }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }
}
