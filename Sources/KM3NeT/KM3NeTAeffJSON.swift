import Foundation
import JSONIO
import Model
import Readers

/// KM3NeT's published effective areas in JSON (the KM3-230213A data release: `effective_area_*_skyavg.json`):
/// a 1-D, sky-averaged area at true-energy bin centres, in cm², written by pandas as
/// `{"Energy [GeV]": {"0": ..., ...}, "Aeff [cm^2]": {"0": ..., ...}}` (a list per column is read too).
/// It becomes an AEFF_2D with one all-sky zenith bin. The file gives no bin edges: they are inferred
/// (halfway between centres in log energy, the outer ones half a step out), which the header states.
public enum KM3NeTAeffJSON {
    /// Whether parsed JSON is such a table: an object with an energy and an effective-area column.
    public static func isAeffTable(_ root: JSONNode) -> Bool {
        guard case .object(let fields) = root.value else { return false }
        return column(fields, energy: true) != nil && column(fields, energy: false) != nil
    }

    static func column(_ fields: [(key: String, value: JSONNode)], energy: Bool) -> (key: String, node: JSONNode)? {
        fields.first { f in
            let k = f.key.lowercased()
            return energy ? k.hasPrefix("energy") : (k.hasPrefix("aeff") || k.hasPrefix("effective area"))
        }.map { ($0.key, $0.value) }
    }

    public static func read(path: String) throws -> EffectiveArea {
        let root: JSONNode
        do { root = try JSONNode.read(path: path) } catch let e as JSONError {
            throw InputError(file: path, line: e.line, reason: e.reason)
        }
        guard case .object(let fields) = root.value, let e = column(fields, energy: true),
            let a = column(fields, energy: false)
        else {
            throw InputError(file: path, reason: "no 'Energy [GeV]' and 'Aeff [cm^2]' columns")
        }
        let energy = try numbers(e.node, column: e.key, path: path)
        let area = try numbers(a.node, column: a.key, path: path)
        guard energy.count == area.count, energy.count >= 2 else {
            throw InputError(
                file: path,
                reason: "\(energy.count) energies and \(area.count) areas: need two or more, as many of each")
        }
        let energyUnit = try unit(e.key, default: .GeV, path: path)
        let areaUnit = try unit(a.key, default: .squareMeter, path: path)
        let (edges, note) = try inferredEdges(energy, path: path)
        let axis = try Axis(name: "ENERG", edges: edges, unit: energyUnit, scale: .log, meaning: .trueEnergy)
        let sky = try Axis(
            name: "COSZEN", lowHigh: [(-1, 1)], unit: .dimensionless, scale: .linear, meaning: .cosZenith)
        let values = try areaUnit.convert(area, to: .squareMeter)
        guard values.allSatisfy({ $0.isFinite }) else { throw InputError(file: path, reason: "an area is not finite") }
        let table = try IRFTable(axes: [axis, sky], values: values, unit: .squareMeter)
        return try EffectiveArea(
            table: table,
            notes: [
                "Source: KM3NeT effective area \((path as NSString).lastPathComponent) (JSON: sky-averaged, at bin centres).",
                "Sky-averaged: one zenith bin covering the whole sky.",
                IRFNotes.assumed + note,
            ])
    }

    /// A column as numbers, in row order: pandas' {"0": v, "1": v, ...} (ordered by the row label) or a list.
    static func numbers(_ node: JSONNode, column: String, path: String) throws -> [Double] {
        func number(_ n: JSONNode) throws -> Double {
            guard case .number(let v) = n.value else {
                throw InputError(file: path, line: n.line, column: column, reason: "\(n.value.typeName), not a number")
            }
            return v
        }
        switch node.value {
        case .array(let items): return try items.map(number)
        case .object(let rows):
            let keyed = try rows.map { row -> (Int, Double) in
                guard let i = Int(row.key) else {
                    throw InputError(file: path, line: row.value.line, column: column, reason: "row label '\(row.key)'")
                }
                return (i, try number(row.value))
            }
            return keyed.sorted { $0.0 < $1.0 }.map(\.1)
        default:
            throw InputError(file: path, line: node.line, column: column, reason: "neither a list nor rows by label")
        }
    }

    /// The unit in a column title's brackets ("Aeff [cm^2]"), or `default` when it has none.
    static func unit(_ title: String, default d: Model.Unit, path: String) throws -> Model.Unit {
        guard let open = title.firstIndex(of: "["), let close = title.lastIndex(of: "]"), open < close else { return d }
        let text = String(title[title.index(after: open)..<close])
        do { return try Model.Unit.parse(text) } catch {
            throw InputError(file: path, column: title, reason: "unit '\(text)' is not understood")
        }
    }

    /// Bin edges for log-spaced centres: halfway between neighbours in log energy, and the outer edges
    /// half a step beyond the first and last centre.
    static func inferredEdges(_ centres: [Double], path: String) throws -> ([Double], String) {
        guard centres.allSatisfy({ $0 > 0 }), zip(centres, centres.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InputError(file: path, reason: "energies must be positive and increasing")
        }
        let logs = centres.map { log10($0) }
        let steps = zip(logs, logs.dropFirst()).map { $1 - $0 }
        var edges = [logs[0] - steps[0] / 2]
        edges += zip(logs, logs.dropFirst()).map { ($0 + $1) / 2 }
        edges.append(logs.last! + steps.last! / 2)
        let perDecade = 1 / (steps.reduce(0, +) / Double(steps.count))
        let even = steps.allSatisfy { abs($0 - steps[0]) < 1e-6 }
        let note =
            "the file gives bin centres only: energy edges inferred halfway between them in log10 E"
            + " (\(String(format: "%.4g", perDecade)) bins per decade\(even ? "" : " on average, unevenly")),"
            + " the outer edges half a step out."
        return (edges.map { pow(10, $0) }, note)
    }
}
