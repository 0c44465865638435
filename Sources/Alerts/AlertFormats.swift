import Foundation

/// The VOEvent versions alerts are written in and read from (IVOA VOEvent 2.0, REC; 2.1, draft).
/// The schema files are standards read in place: `voevent/VOEvent-v2.0.xsd` under a standards
/// directory (docs/alerts.md says where vodf looks).
public enum VOEventVersion: String, Sendable, CaseIterable {
    case v2_0 = "2.0"
    case v2_1 = "2.1"

    public var namespace: String { "http://www.ivoa.net/xml/VOEvent/v\(rawValue)" }
    public var schemaFile: String { "voevent/VOEvent-v\(rawValue).xsd" }
    public var schemaLocation: String { "\(namespace) http://www.ivoa.net/xml/VOEvent/VOEvent-v\(rawValue).xsd" }

    /// The version a namespace URI names (either scheme: some producers write https).
    public init?(namespace: String) {
        let n = namespace.replacingOccurrences(of: "https://", with: "http://")
        guard let v = Self.allCases.first(where: { $0.namespace == n }) else { return nil }
        self = v
    }

    /// The coordinate systems VOEvent 2.0 enumerates for AstroCoordSystem (2.1 leaves it free,
    /// and the semantic check keeps to these).
    public static let coordinateSystems: Set<String> = [
        "TT-ICRS-TOPO", "UTC-ICRS-TOPO", "TT-FK5-TOPO", "UTC-FK5-TOPO", "GPS-ICRS-TOPO", "GPS-FK5-TOPO", "TT-ICRS-GEO",
        "UTC-ICRS-GEO", "TT-FK5-GEO", "UTC-FK5-GEO", "GPS-ICRS-GEO", "GPS-FK5-GEO", "TDB-ICRS-BARY", "TDB-FK5-BARY",
        "UTC-GEOD-TOPO",
    ]
}

/// The GCN notice schema of KM3NeT alerts (nasa-gcn/gcn-schema), under a standards directory.
public enum GCNNoticeFormat {
    public static let schemaFile = "gcn/notices/km3net/alert.schema.json"
    public static let schemaID = "https://gcn.nasa.gov/schema/main/gcn/notices/km3net/alert.schema.json"
    /// neutrino/Alert.schema.json's alert_topology values.
    public static let alertTopologies = ["Track", "Shower", "Multiplet"]

    /// The notice's fields, in the schema's names: what `GCNNoticeWriter` writes (its CodingKeys)
    /// and `GCNNoticeReader` reads.
    enum Field: String, CodingKey {
        case schema = "$schema", messenger, mission, instrument, pipeline, alert_tense, alert_type, record_number,
            alert_datetime, additional_info, id, event_name, trigger_time, ra, dec, ra_dec_error,
            containment_probability, far, alert_topology, number_of_events, event_details
    }

    /// The fields of one entry of event_details.
    enum EventField: String, CodingKey {
        case id, trigger_time, ra, dec, ra_dec_error, containment_probability, cos_zenith, prob_evt_topology,
            energy_measured
    }

    /// The notice's cos_zenith is 1 for an up-going event; the model's (the ARCA230 tables')
    /// is 1 for a down-going one. The same sign flip both ways.
    static func cosZenith(_ other: Double) -> Double { -other }

    /// The notice's false-alarm rate is per second; the model's per year.
    static let secondsPerYear = 365.25 * 86400
}

/// The names of the What/Param elements vodfkit writes in a VOEvent and reads back, one place.
public enum VOEventParams {
    public static let eventID = "event_id"
    public static let energy = "energy"
    public static let topology = "topology"
    public static let cosZenith = "cos_zenith"
    public static let errorContainment = "error_containment"
    public static let far = "far"
    public static let pipeline = "pipeline"
    public static let instrument = "instrument"
    public static let alertType = "alert_type"
    public static let recordNumber = "record_number"
    /// The Group type of one event of the alert.
    public static let eventGroup = "event"
    public static let provenanceGroup = "provenance"
}
