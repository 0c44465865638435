import Diagnostics

/// An error reading a ROOT file: which file, which object or branch, where, and why.
public struct ROOTError: Error, CategorizedError, CustomStringConvertible, Sendable, Equatable {
    /// Raised while reading an input.
    public var category: ErrorCategory { .badInput }
    public var file: String
    /// The object, key or branch being read, e.g. "key E;1" or "branch Evt/trks/trks.E".
    public var object: String
    /// Byte offset in the file, or in a decompressed object when `inObject` is set.
    public var offset: Int
    /// Set when `offset` counts inside a decompressed object rather than the file.
    public var inObject: Bool
    public var reason: String

    public init(file: String, object: String, offset: Int, inObject: Bool = false, reason: String) {
        self.file = file
        self.object = object
        self.offset = offset
        self.inObject = inObject
        self.reason = reason
    }

    public var description: String {
        "\(file): \(object): at \(inObject ? "object byte" : "file offset") \(offset): \(reason)"
    }
}
