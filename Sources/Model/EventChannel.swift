/// An event channel: one event selection with its own IRFs (KM3NeT's track and shower
/// selections). GADF has no event types, so a channel is written as keywords and an EXTNAME
/// suffix, and a GADF release has one index per channel; VODF gives each event its `EVT_TYPE`.
/// docs/formats.md lists the keywords.
public struct EventChannel: Sendable, Hashable, Codable {
    /// A lower-case word: `track`, `shower`.
    public var name: String
    /// The event type: `EVT_TYPE` of the channel's events, `EVTTYPE` of its HDUs (1-based, in
    /// the order a release declares its channels).
    public var number: Int
    /// The neutrino flavour the IRFs were made for (`numu`, `nue`, `nutau`, `anumu`, ...), if known.
    public var flavour: String?
    /// `CC` or `NC`, if known.
    public var interaction: String?

    public init(name: String, number: Int, flavour: String? = nil, interaction: String? = nil) {
        self.name = name
        self.number = number
        self.flavour = flavour
        self.interaction = interaction
    }

    /// The EXTNAME suffix that keeps the HDUs of two channels apart in one file (`TRACK`).
    public var extnameSuffix: String { name.uppercased() }

    /// Channel words that KM3NeT table names end with (`aeff_coszen_allnumuCC_track.csv`).
    public static let knownNames = ["track", "shower", "cascade"]

    /// What a file name in the ARCA230 layout says: the channel (its last word, when it is one of
    /// `knownNames`) and the flavour and interaction (a word such as `allnumuCC` or `nueNC`).
    public static func described(byFileName fileName: String) -> (
        channel: String?, flavour: String?, interaction: String?
    ) {
        var stem = Substring(fileName)
        if let dot = stem.firstIndex(of: ".") { stem = stem[..<dot] }
        let words = stem.split(separator: "_").map(String.init)
        let channel = words.last.map { $0.lowercased() }.flatMap { knownNames.contains($0) ? $0 : nil }
        for w in words {
            var rest = Substring(w)
            if rest.hasPrefix("all") { rest = rest.dropFirst(3) }
            var anti = ""
            if rest.hasPrefix("anti") {
                rest = rest.dropFirst(4)
                anti = "a"
            } else if rest.hasPrefix("anu") {
                rest = rest.dropFirst()
                anti = "a"
            }
            for f in ["nutau", "numu", "nue"] where rest.hasPrefix(f) {
                let tail = rest.dropFirst(f.count)
                guard tail.isEmpty || tail == "CC" || tail == "NC" else { continue }
                return (channel, anti + f, tail.isEmpty ? nil : String(tail))
            }
        }
        return (channel, nil, nil)
    }
}
