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

    public init(name: String, values: EventValues, unit: Unit? = nil, level: ColumnLevel, description: String,
                isTruth: Bool = false, isEnergyProxy: Bool = false) {
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
            throw ModelError.shapeMismatch("event column \(column.name)", expected: first.values.count, got: column.values.count)
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
            throw ModelError.invalidValue("GTI", reason: "needs at least one interval with START and STOP of equal length")
        }
        for i in start.indices where !(stop[i] >= start[i]) {
            throw ModelError.invalidValue("GTI", reason: "interval \(i) has STOP < START")
        }
        self.start = start
        self.stop = stop
    }

    public var totalDuration: Double { zip(start, stop).reduce(0) { $0 + ($1.1 - $1.0) } }
}
