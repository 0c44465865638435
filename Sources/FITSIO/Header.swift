/// A typed FITS header value.
public enum HeaderValue: Equatable, Sendable, CustomStringConvertible {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    public var description: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "T" : "F"
        }
    }

    /// Numeric view; integers widen to Double (the FITS standard lets readers do this).
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }

    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// One header record. COMMENT and HISTORY records have no value; their text is in `comment`.
public struct HeaderCard: Equatable, Sendable {
    public var name: String
    public var value: HeaderValue?
    public var comment: String

    public init(_ name: String, _ value: HeaderValue?, comment: String = "") {
        self.name = name
        self.value = value
        self.comment = comment
    }

    public static func comment(_ text: String) -> HeaderCard { HeaderCard("COMMENT", nil, comment: text) }
    public static func history(_ text: String) -> HeaderCard { HeaderCard("HISTORY", nil, comment: text) }
}

extension Array where Element == HeaderCard {
    /// The first card with this keyword (FITS keywords are case-insensitive).
    public subscript(key key: String) -> HeaderValue? {
        let k = key.uppercased()
        return first { $0.name == k && $0.value != nil }?.value
    }
}

extension StringProtocol {
    /// Without leading and trailing blanks (space, tab). Header text is ASCII; Foundation's
    /// `trimmingCharacters(in: .whitespaces)` bridges through NSString and was a tenth of the time
    /// `vodf validate` spent outside inflating a release.
    public var trimmedBlanks: String {
        let s = Substring(self)
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = s.firstIndex(where: { !blank($0) }), let last = s.lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return String(s[first...last])
    }
}
