/// Something of the source that the upgraded release does not hold, and why.
public struct Omission: Hashable, Sendable {
    /// The file, relative to the release ("" for the release as a whole).
    public var file: String
    /// "EVENTS keyword TELAPSE", "HDU_INDEX column SIZE".
    public var what: String
    public var value: String
    public var why: String
    public init(file: String, what: String, value: String = "", why: String) {
        self.file = file
        self.what = what
        self.value = value
        self.why = why
    }
}
