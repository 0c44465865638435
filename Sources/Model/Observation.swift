/// Time scales the formats allow for TIMESYS.
public enum TimeSystem: String, Sendable {
    case tt = "TT"
    case utc = "UTC"
    case tai = "TAI"
}

/// The reference of all times in an observation: TIME = seconds since MJDREF in `system`.
public struct TimeReference: Equatable, Sendable {
    public var mjdInt: Int
    public var mjdFrac: Double
    public var system: TimeSystem

    public init(mjdInt: Int, mjdFrac: Double, system: TimeSystem) {
        self.mjdInt = mjdInt
        self.mjdFrac = mjdFrac
        self.system = system
    }

    /// J2000.0 epoch in TT (MJD 51544.5): a common, leap-second-free reference.
    public static let j2000TT = TimeReference(mjdInt: 51544, mjdFrac: 0.5, system: .tt)
}

/// An observatory site (geodetic, WGS84), with where the numbers come from.
public struct Site: Equatable, Sendable {
    public var name: String
    public var longitudeDeg: Double
    public var latitudeDeg: Double
    /// Height above the WGS84 ellipsoid, metres (negative under the sea surface).
    public var heightM: Double
    public var reference: String

    public init(name: String, longitudeDeg: Double, latitudeDeg: Double, heightM: Double, reference: String) {
        self.name = name
        self.longitudeDeg = longitudeDeg
        self.latitudeDeg = latitudeDeg
        self.heightM = heightM
        self.reference = reference
    }
}

/// How the instrument observed the sky.
public enum ObservingMode: Equatable, Sendable {
    case pointing(raDeg: Double, decDeg: Double)
    /// Fixed in the local frame (neutrino telescopes, HAWC): the pointing is an alt/az.
    case drift(altDeg: Double, azDeg: Double)

    /// The zenith: the natural "pointing" of an all-sky detector fixed to the Earth.
    public static let driftZenith = ObservingMode.drift(altDeg: 90, azDeg: 0)
}

/// How TSTART/TSTOP/ONTIME/LIVETIME were obtained, so the header can say so.
public enum TimeCoverageSource: String, Sendable {
    case measured = "MEASURED"
    /// No livetime information in the input: the span of the event times stands in.
    case eventSpan = "EVENT_SPAN"
}

/// Everything about an observation that is not its events or IRFs.
public struct ObservationMetadata: Sendable {
    /// String, as VODF wants; GADF writers need it numeric.
    public var obsID: String
    public var timeRef: TimeReference
    public var tstart: Double
    public var tstop: Double
    public var ontime: Double
    public var livetime: Double
    public var coverageSource: TimeCoverageSource
    public var site: Site?
    public var mode: ObservingMode
    public var object: String?
    public var telescope: String
    public var instrument: String
    public var origin: String
    public var creator: String
    /// Input files and steps, in order.
    public var provenance: [String]
    public var isSimulated: Bool
    /// Free-text notes written as COMMENT cards (approximations, derivations).
    public var notes: [String]
    /// Events read from the input, and those left out with their reasons (n_in = n_out + sum).
    public var eventsIn: Int?
    public var rejections: [(reason: String, count: Int)] = []
    /// Keywords of the instrument or producer, written as they are (the DAQ livetime, or what a
    /// third-party file says that no format field holds: H.E.S.S.'s N_TELS, MUONEFF, ...).
    public var instrumentKeywords: [CarriedKeyword] = []
    /// OBS_MODE as the producer named a pointed mode (WOBBLE, SCAN, ...); nil writes POINTING or DRIFT.
    public var observingModeName: String?
    /// The celestial frame of RA/DEC (RADECSYS): ICRS for what vodfkit computes; FK5 in H.E.S.S. DR1.
    public var celestialFrame = "ICRS"
    /// DEADC as a producer stated it, when it is not recomputed from LIVETIME / ONTIME.
    public var statedDeadc: Double?
    /// The event channels the events belong to (one in a GADF release file; all of them in a VODF
    /// one, where the EVT_TYPE column says which); empty outside releases.
    public var channels: [EventChannel] = []
    /// The detector period whose IRFs apply (a release's name for it), if any.
    public var period: String?

    public init(
        obsID: String, timeRef: TimeReference, tstart: Double, tstop: Double, ontime: Double, livetime: Double,
        coverageSource: TimeCoverageSource, site: Site?, mode: ObservingMode, object: String? = nil,
        telescope: String, instrument: String, origin: String, creator: String,
        provenance: [String] = [], isSimulated: Bool = false, notes: [String] = []
    ) {
        self.obsID = obsID
        self.timeRef = timeRef
        self.tstart = tstart
        self.tstop = tstop
        self.ontime = ontime
        self.livetime = livetime
        self.coverageSource = coverageSource
        self.site = site
        self.mode = mode
        self.object = object
        self.telescope = telescope
        self.instrument = instrument
        self.origin = origin
        self.creator = creator
        self.provenance = provenance
        self.isSimulated = isSimulated
        self.notes = notes
    }

    /// LIVETIME / ONTIME (0 when ONTIME is 0, as GADF says), unless the producer stated its own.
    public var deadc: Double { statedDeadc ?? (ontime > 0 ? livetime / ontime : 0) }
}

/// An observation: metadata, events and their good time intervals.
public struct Observation: Sendable {
    public var meta: ObservationMetadata
    public var events: EventList
    public var gti: GTI

    public init(meta: ObservationMetadata, events: EventList, gti: GTI) {
        self.meta = meta
        self.events = events
        self.gti = gti
    }
}
