/// A value read by the streamer-driven reader.
public indirect enum RValue {
    case null
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case ints([Int64])
    case doubles([Double])
    case array([RValue])
    case map([(RValue, RValue)])
    case object(RObject)

    public var int: Int? {
        switch self {
        case .int(let v): return Int(v)
        case .uint(let v): return Int(truncatingIfNeeded: v)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    public var object: RObject? {
        if case .object(let o) = self { return o }
        return nil
    }
    public var array: [RValue]? {
        switch self {
        case .array(let a): return a
        case .ints(let v): return v.map { .int($0) }
        case .doubles(let v): return v.map { .double($0) }
        default: return nil
        }
    }
    public var ints: [Int64]? {
        switch self {
        case .ints(let v): return v
        case .array(let a): return a.compactMap { $0.int.map(Int64.init) }
        default: return nil
        }
    }
}

/// An object read from a ROOT file: its class, version, members (in stream order) and bases.
public final class RObject {
    public let className: String
    public var version: Int
    public private(set) var members: [(String, RValue)] = []
    /// Set on TStreamerInfo / TStreamer* records read by the bootstrap reader.
    public internal(set) var streamerInfo: StreamerInfo?
    public internal(set) var streamerElement: StreamerElement?

    init(className: String, version: Int) {
        self.className = className
        self.version = version
    }

    func set(_ name: String, _ value: RValue) { members.append((name, value)) }

    /// A member by name, searching base-class members too (they are stored flattened).
    public subscript(_ name: String) -> RValue? {
        members.first { $0.0 == name }?.1
    }
}
