/// The values of one event column.
public enum EventValues: Equatable, Sendable {
    case double([Double])
    case float([Float])
    case int64([Int64])
    case int32([Int32])
    case string([String])

    public var count: Int {
        switch self {
        case .double(let v): return v.count
        case .float(let v): return v.count
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .string(let v): return v.count
        }
    }

    public var doubles: [Double]? {
        switch self {
        case .double(let v): return v
        case .float(let v): return v.map(Double.init)
        case .int64(let v): return v.map(Double.init)
        case .int32(let v): return v.map(Double.init)
        case .string: return nil
        }
    }
}

/// How a column stands in the formats: required by them, optional in them, or ours alone.
public enum ColumnLevel: String, Sendable { case required, optional, instrument }

/// One event column. `name` is the canonical (GADF-style) name; writers may rename per format.
public struct EventColumn: Equatable, Sendable {
    public var name: String
    public var values: EventValues
    public var unit: Unit?
    public var level: ColumnLevel
    public var description: String
    /// Simulation truth rather than a measurement.
    public var isTruth: Bool
    /// Set when the column stands in for reconstructed energy (e.g. the number of hits).
    public var isEnergyProxy: Bool

    public init(
        name: String, values: EventValues, unit: Unit? = nil, level: ColumnLevel, description: String,
        isTruth: Bool = false, isEnergyProxy: Bool = false
    ) {
        self.name = name
        self.values = values
        self.unit = unit
        self.level = level
        self.description = description
        self.isTruth = isTruth
        self.isEnergyProxy = isEnergyProxy
    }
}

/// A columnar list of events; every column has the same length.
public struct EventList: Equatable, Sendable {
    public private(set) var columns: [EventColumn] = []

    public init(columns: [EventColumn] = []) throws {
        for c in columns { try add(c) }
    }

    public var count: Int { columns.first?.values.count ?? 0 }

    public mutating func add(_ column: EventColumn) throws {
        if let first = columns.first, first.values.count != column.values.count {
            throw ModelError.shapeMismatch(
                "event column \(column.name)", expected: first.values.count, got: column.values.count)
        }
        if columns.contains(where: { $0.name == column.name }) {
            throw ModelError.invalidValue(column.name, reason: "duplicate event column")
        }
        columns.append(column)
    }

    public subscript(name: String) -> EventColumn? { columns.first { $0.name == name } }

    /// The column declared as the energy proxy, when there is no ENERGY.
    public var energyProxy: EventColumn? { columns.first { $0.isEnergyProxy } }
}

/// Good time intervals, in seconds since the observation's MJDREF.
public struct GTI: Equatable, Sendable {
    public var start: [Double]
    public var stop: [Double]

    public init(start: [Double], stop: [Double]) throws {
        guard start.count == stop.count, !start.isEmpty else {
            throw ModelError.invalidValue(
                "GTI", reason: "needs at least one interval with START and STOP of equal length")
        }
        for i in start.indices where !(stop[i] >= start[i]) {
            throw ModelError.invalidValue("GTI", reason: "interval \(i) has STOP < START")
        }
        self.start = start
        self.stop = stop
    }

    public var totalDuration: Double { zip(start, stop).reduce(0) { $0 + ($1.1 - $1.0) } }
}

extension EventValues {
    /// The values at `rows`, in that order.
    public func selecting(_ rows: [Int]) -> EventValues {
        switch self {
        case .double(let v): return .double(rows.map { v[$0] })
        case .float(let v): return .float(rows.map { v[$0] })
        case .int64(let v): return .int64(rows.map { v[$0] })
        case .int32(let v): return .int32(rows.map { v[$0] })
        case .string(let v): return .string(rows.map { v[$0] })
        }
    }

    /// These values followed by `other`'s, when both are of one kind.
    public func appending(_ other: EventValues) -> EventValues? {
        switch (self, other) {
        case (.double(let a), .double(let b)): return .double(a + b)
        case (.float(let a), .float(let b)): return .float(a + b)
        case (.int64(let a), .int64(let b)): return .int64(a + b)
        case (.int32(let a), .int32(let b)): return .int32(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        default: return nil
        }
    }
}

extension EventList {
    static var empty: EventList { try! EventList(columns: []) }

    /// The events at `rows`, every column kept.
    public func selecting(_ rows: [Int]) -> EventList {
        var out = EventList.empty
        out.columns = columns.map {
            var c = $0
            c.values = $0.values.selecting(rows)
            return c
        }
        return out
    }

    /// The events of several lists one after the other; a column that some lists lack or hold
    /// in another type is dropped (it cannot be filled honestly). Column order is the first list's.
    public static func concatenating(_ lists: [EventList]) -> EventList {
        guard let first = lists.first else { return .empty }
        var out = EventList.empty
        for c in first.columns {
            var values: EventValues? = c.values
            for l in lists.dropFirst() { values = l[c.name].flatMap { values?.appending($0.values) } }
            if let values {
                var column = c
                column.values = values
                out.columns.append(column)
            }
        }
        return out
    }
}
