/// The topology of a neutrino event, as KM3NeT's alerts name it.
public enum EventTopology: String, Sendable, CaseIterable {
    case track
    case startingTrack = "starting track"
    case shower

    /// The topology of an event channel's name (track, shower, cascade), if it names one.
    public init?(channelName: String) {
        switch channelName.lowercased() {
        case "track", "tracks": self = .track
        case "starting track", "starting_track", "startingtrack": self = .startingTrack
        case "shower", "showers", "cascade", "cascades": self = .shower
        default: return nil
        }
    }
}

/// One neutrino event of an alert: where and when it was seen, how well, and how bright.
public struct AlertEvent: Sendable, Equatable {
    public var id: String
    public var time: UTCInstant
    public var raDeg: Double
    public var decDeg: Double
    /// The radius of the error circle, in degrees, and the probability it contains the source.
    public var errorRadiusDeg: Double?
    public var errorContainment: Double?
    /// The reconstructed energy of the event (for a track, of the muon), in GeV.
    public var energyGeV: Double?
    public var topology: EventTopology?
    /// The cosine of the zenith angle of the direction the event comes from: 1 = it comes from
    /// straight overhead (down-going), as in the ARCA230 tables. GCN notices use the opposite sign.
    public var cosZenithDown: Double?

    public init(
        id: String, time: UTCInstant, raDeg: Double, decDeg: Double, errorRadiusDeg: Double? = nil,
        errorContainment: Double? = nil, energyGeV: Double? = nil, topology: EventTopology? = nil,
        cosZenithDown: Double? = nil
    ) {
        self.id = id
        self.time = time
        self.raDeg = raDeg
        self.decDeg = decDeg
        self.errorRadiusDeg = errorRadiusDeg
        self.errorContainment = errorContainment
        self.energyGeV = energyGeV
        self.topology = topology
        self.cosZenithDown = cosZenithDown
    }
}

/// A neutrino alert: one event (or a multiplet) as VOEvents and GCN notices announce it, and
/// what it was made from.
public struct NeutrinoAlert: Sendable, Equatable {
    /// `KM3-240901A`; the VOEvent's IVORN ends with it.
    public var name: String
    public var id: String
    public var telescope: String
    public var instrument: String
    public var pipeline: String?
    /// initial, update or retraction.
    public var alertType: String
    public var recordNumber: Int
    /// When the alert was issued.
    public var issued: UTCInstant
    /// observation, test, ... (VOEvent's role).
    public var role: String
    /// current, archival, test, ... (the GCN notice's alert_tense): an alert made afterwards from
    /// a release's event is archival.
    public var tense: String
    /// Where and when the alert places its source: the event itself for a single event, the
    /// combined position of a multiplet.
    public var localization: AlertEvent
    public var events: [AlertEvent]
    /// The false-alarm rate, per year.
    public var farPerYear: Double?
    /// Where the alert comes from: files, OBS_ID, the release and the tool that made it.
    public var provenance: [String]
    public var description: String?

    public init(
        name: String, id: String, telescope: String, instrument: String, pipeline: String? = nil,
        alertType: String = "initial",
        recordNumber: Int = 1, issued: UTCInstant, role: String = "observation", tense: String = "archival",
        localization: AlertEvent? = nil, events: [AlertEvent],
        farPerYear: Double? = nil, provenance: [String] = [], description: String? = nil
    ) {
        self.name = name
        self.id = id
        self.telescope = telescope
        self.instrument = instrument
        self.pipeline = pipeline
        self.alertType = alertType
        self.recordNumber = recordNumber
        self.issued = issued
        self.role = role
        self.tense = tense
        self.localization = localization ?? events.first ?? AlertEvent(id: id, time: issued, raDeg: .nan, decDeg: .nan)
        self.events = events
        self.farPerYear = farPerYear
        self.provenance = provenance
        self.description = description
    }
}
