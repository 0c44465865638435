import Diagnostics

/// A problem with an input file, located as precisely as we can: file, line, column.
public struct InputError: Error, CategorizedError, CustomStringConvertible, Equatable, Sendable {
    /// Raised while reading an input.
    public var category: ErrorCategory { .badInput }
    public var file: String
    public var line: Int?
    public var column: String?
    /// The HDU or branch, e.g. "HDU 3 (AEFF)", for inputs that have them.
    public var part: String?
    public var reason: String
    /// Set when the file is sound but none of its events has a track of the chosen
    /// reconstruction: for a release, that channel is empty in this run, not a failure.
    public var noUsableTrack = false

    public init(file: String, line: Int? = nil, column: String? = nil, part: String? = nil, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.part = part
        self.reason = reason
    }

    /// One line: `file:line: HDU n (NAME): column 'X': reason`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let part { s += "\(part): " }
        if let column { s += "column '\(column)': " }
        return s + reason
    }
}
