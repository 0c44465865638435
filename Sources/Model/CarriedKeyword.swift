/// A header keyword carried as it is, typed, with its comment: an IRF's format keywords (RAD_MAX of
/// point-like IRFs, FOVALIGN of BKG_3D, LO_THRES/HI_THRES, OBS_ID), and the keywords of an
/// instrument or producer that no format field holds (a DAQ livetime; H.E.S.S.'s N_TELS, TELPAT).
public struct CarriedKeyword: Equatable, Sendable {
    public enum Value: Equatable, Sendable {
        case double(Double)
        case int(Int64)
        case string(String)
        case bool(Bool)
    }
    public var name: String
    public var value: Value
    public var comment: String
    public init(_ name: String, _ value: Value, comment: String = "") {
        self.name = name
        self.value = value
        self.comment = comment
    }
    /// The IRF keywords readers keep (the rest of an IRF header is the format's own, rewritten by the writer).
    public static let names: Set<String> = ["RAD_MAX", "FOVALIGN", "LO_THRES", "HI_THRES", "OBS_ID", "NEGCLIP"]
}
