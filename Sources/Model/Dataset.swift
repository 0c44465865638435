/// What one input holds, in the model: the currency between a reader and a writer. A reader
/// returns everything the input holds, so that a writer (or a command) can say what it leaves out
/// instead of losing it silently.
public struct Dataset: Sendable {
    public var observations: [Observation] = []
    public var responses: [Response] = []
    /// Alerts the input is (a VOEvent, a GCN notice); their events are also an observation.
    public var alerts: [NeutrinoAlert] = []
    /// Who the output's primary header names, when the input says (ORIGIN, TELESCOP).
    public var origin: String?
    public var telescope: String?
    /// Keywords of the input's primary header that no format field holds, carried as read.
    public var fileKeywords: [CarriedKeyword] = []
    /// COMMENT and HISTORY texts of the primary header, in order.
    public var fileComments: [String] = []
    public var fileHistory: [String] = []
    /// What of the input the model does not hold (HDUs no reader knows, a second event list).
    public var omissions: [Omission] = []
    /// Parts that could not be read and were skipped on request (`--skip-damaged`).
    public var skipped: [Omission] = []
    /// One line per fact worth telling the user (counts, rejections, cross-checks).
    public var summary: [String] = []
    public init() {}
}

/// One instrument response (any IRF kind) with where it came from and what it is for.
public struct Response: Sendable {
    public var component: any IRFComponent
    public var kind: any IRFComponent.Type { type(of: component) }
    /// The name it had in its source (a GADF EXTNAME): an index may point at it by that name, so a
    /// writer keeps it; nil lets the writer name it.
    public var name: String?
    public var telescope: String
    public var instrument: String
    public var origin: String
    /// The event channel it is for, and the detector period it describes.
    public var channel: EventChannel?
    public var period: String?
    /// Where in its input it was ("HDU 2 (AEFF)"), for messages.
    public var source: String?
    /// Inputs it was made from, oldest first ("file.fits HDU 2 (AEFF)").
    public var provenance: [String]
    /// Its reader normalised each slice, so an empty slice is expected (a KM3NeT PSF table).
    public var normalisedByReader = false
    public init(
        component: any IRFComponent, name: String? = nil, telescope: String, instrument: String, origin: String,
        channel: EventChannel? = nil, period: String? = nil, source: String? = nil, provenance: [String] = []
    ) {
        self.source = source
        self.component = component
        self.name = name
        self.telescope = telescope
        self.instrument = instrument
        self.origin = origin
        self.channel = channel
        self.period = period
        self.provenance = provenance
    }
}
