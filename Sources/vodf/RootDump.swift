import ArgumentParser
import FITSIO
import Foundation
import ROOTIO

struct RootDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print a branch's values (or every branch of a tree).",
        discussion: """
            Values are printed one entry per line; jagged entries as [..] lists. With --json the output is one JSON document. Floats are written in their shortest exact form, so they round-trip bit for bit; NaN and infinities, which JSON lacks, are written as the strings "NaN", "Infinity" and "-Infinity". Without BRANCH, every branch that has data of its own is dumped.

            Examples:
              vodf root dump file.root E Evt/trks/trks.E --entries 0:3
              vodf root dump file.root E trks.rec_stages --json
              vodf root dump file.root T --json > all.json
            """)

    @Argument(help: "ROOT file.")
    var file: String
    @Argument(help: "Tree name (e.g. E or T), or another key (Head, MultiHead, Header) to print that object as JSON.")
    var tree: String
    @Argument(help: "Branch paths (Evt/trks/trks.E) or names (trks.E). Omit for all branches.")
    var branches: [String] = []
    @Option(help: "Entry range a:b (half-open; either side may be omitted).")
    var entries: String?
    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print per branch only the entry count, the element count and the sum of the values.")
    var summary = false

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        do {
            let f = try ROOTFile(path: file)
            if let key = f.root.key(tree), key.className != "TTree" {
                // Not a tree: print the keyed object itself (e.g. Head, MultiHead, Header).
                var out = JSONOut()
                out.value(try f.object(tree))
                out.raw("\n")
                out.flush()
                return
            }
            let t = try f.tree(tree)
            let reader = BranchReader(tree: t)
            if summary {
                try dumpSummary(t, reader)
            } else if branches.count == 1 {
                try dumpOne(t, reader)
            } else {
                try dumpAll(t, reader)
            }
        } catch let e as ROOTError {
            throw Failure(message: e.description, code: Exit.badInput)
        } catch let e as Interpretation.Unsupported {
            throw Failure(message: "\(file): \(e)", code: Exit.badInput)
        }
    }

    /// The branches asked for (all of the tree's when none), each found or a one-line error.
    func selected(_ t: Tree) throws -> [Branch] {
        if branches.isEmpty { return t.allBranches }
        return try branches.map { name in
            guard let b = t.branch(name) else {
                throw Failure(message: "\(file): tree \(tree) has no branch '\(name)'", code: Exit.badInput)
            }
            return b
        }
    }

    /// --summary: per branch with data, its entry count, element count and sum.
    func dumpSummary(_ t: Tree, _ reader: BranchReader) throws {
        var out = JSONOut()
        for b in try selected(t) {
            if case .group = try reader.interpretation(b) { continue }
            let data = try reader.read(b, entries: try parseRange(b.entries))
            let (n, sum) = Self.elementsAndSum(data)
            out.raw("\(b.path)\tentries=\(data.count)\telements=\(n)\tsum=\(sum)\n")
        }
        out.flush()
    }

    /// One branch: one entry per line, or one JSON document with its type and range.
    func dumpOne(_ t: Tree, _ reader: BranchReader) throws {
        let b = try selected(t)[0]
        let range = try parseRange(b.entries)
        let data = try reader.read(b, entries: range)
        var out = JSONOut()
        if json {
            out.raw("{\"file\":")
            out.string(file)
            out.raw(",\"tree\":")
            out.string(tree)
            out.raw(",\"branch\":")
            out.string(b.path)
            out.raw(",\"type\":")
            out.string(try reader.interpretation(b).description)
            out.raw(",\"entries\":[\(range.lowerBound),\(range.upperBound)],\"values\":")
            out.data(data)
            out.raw("}\n")
        } else {
            for i in 0..<data.count {
                out.raw("\(range.lowerBound + i): ")
                out.element(data, i)
                out.raw("\n")
                if out.buffer.count > 1 << 20 { out.flush() }
            }
        }
        out.flush()
    }

    /// Several or all branches as one JSON document; a branch that cannot be read carries its error.
    func dumpAll(_ t: Tree, _ reader: BranchReader) throws {
        var out = JSONOut()
        out.raw("{\"file\":")
        out.string(file)
        out.raw(",\"tree\":")
        out.string(tree)
        out.raw(",\"entries\":\(t.entries),\"branches\":{")
        var first = true
        for b in try selected(t) {
            let interp: Interpretation
            do { interp = try reader.interpretation(b) } catch {
                if !first { out.raw(",") }
                first = false
                out.string(b.path)
                out.raw(":{\"error\":")
                out.string("\(error)")
                out.raw("}")
                continue
            }
            if case .group = interp { continue }
            if !first { out.raw(",") }
            first = false
            out.string(b.path)
            out.raw(":{\"type\":")
            out.string(interp.description)
            do {
                let data = try reader.read(b, entries: try parseRange(b.entries))
                out.raw(",\"values\":")
                out.data(data)
            } catch {
                out.raw(",\"error\":")
                out.string("\(error)")
            }
            out.raw("}")
            out.flush()
        }
        out.raw("}}\n")
        out.flush()
    }

    /// Innermost element count and the sum of numeric values (strings and objects count as elements).
    static func elementsAndSum(_ d: BranchData) -> (Int, Double) {
        switch d {
        case .numbers(let n), .fixed(let n, _): return (n.count, n.doubles.reduce(0, +))
        case .jagged(_, let inner): return elementsAndSum(inner)
        case .strings(let s): return (s.count, 0)
        case .values(let v): return (v.count, 0)
        }
    }

    func parseRange(_ n: Int) throws -> Range<Int> {
        guard let entries else { return 0..<n }
        let parts = entries.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw Failure(message: "--entries takes a:b, got '\(entries)'", code: Exit.usage)
        }
        let a = parts[0].isEmpty ? 0 : Int(parts[0])
        let b = parts[1].isEmpty ? n : Int(parts[1])
        guard let a, let b, a >= 0, a <= b, b <= n else {
            throw Failure(message: "--entries \(entries) is outside 0:\(n)", code: Exit.usage)
        }
        return a..<b
    }
}

/// A small buffered JSON writer for large numeric output (JSONSerialization is far slower).
struct JSONOut {
    var buffer: [UInt8] = []

    mutating func raw(_ s: String) { buffer.append(contentsOf: s.utf8) }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func string(_ s: String) {
        buffer.append(0x22)
        for u in s.unicodeScalars {
            switch u {
            case "\"": raw("\\\"")
            case "\\": raw("\\\\")
            case "\n": raw("\\n")
            case "\r": raw("\\r")
            case "\t": raw("\\t")
            default:
                if u.value < 0x20 {
                    raw(String(format: "\\u%04x", u.value))
                } else {
                    buffer.append(contentsOf: String(u).utf8)
                }
            }
        }
        buffer.append(0x22)
    }

    mutating func double(_ d: Double) {
        if d.isNaN {
            raw("\"\(FITSSummary.NonFinite.nan)\"")
        } else if d.isInfinite {
            raw("\"\(d > 0 ? FITSSummary.NonFinite.positiveInfinity : FITSSummary.NonFinite.negativeInfinity)\"")
        } else {
            raw(d.description)
        }
    }

    mutating func number(_ n: NumberArray, _ i: Int) {
        switch n {
        case .i8(let v): raw(String(v[i]))
        case .i16(let v): raw(String(v[i]))
        case .i32(let v): raw(String(v[i]))
        case .i64(let v): raw(String(v[i]))
        case .u8(let v): raw(String(v[i]))
        case .u16(let v): raw(String(v[i]))
        case .u32(let v): raw(String(v[i]))
        case .u64(let v): raw(String(v[i]))
        case .f32(let v): double(Double(v[i]))
        case .f64(let v): double(v[i])
        case .bool(let v): raw(v[i] ? "true" : "false")
        }
    }

    mutating func data(_ d: BranchData) {
        raw("[")
        for i in 0..<d.count {
            if i > 0 { raw(",") }
            element(d, i)
        }
        raw("]")
    }

    /// Element i of `d` (a number, a list, a string or an object).
    mutating func element(_ d: BranchData, _ i: Int) {
        switch d {
        case .numbers(let n): number(n, i)
        case .fixed(let n, let w):
            raw("[")
            for k in 0..<w {
                if k > 0 { raw(",") }
                number(n, i * w + k)
            }
            raw("]")
        case .jagged(let offs, let inner):
            raw("[")
            for k in offs[i]..<offs[i + 1] {
                if k > offs[i] { raw(",") }
                element(inner, k)
            }
            raw("]")
        case .strings(let s): string(s[i])
        case .values(let v): value(v[i])
        }
    }

    mutating func value(_ v: RValue) {
        switch v {
        case .null: raw("null")
        case .int(let i): raw(String(i))
        case .uint(let u): raw(String(u))
        case .double(let d): double(d)
        case .bool(let b): raw(b ? "true" : "false")
        case .string(let s): string(s)
        case .ints(let a):
            raw("[")
            for (k, x) in a.enumerated() {
                if k > 0 { raw(",") }
                raw(String(x))
            }
            raw("]")
        case .doubles(let a):
            raw("[")
            for (k, x) in a.enumerated() {
                if k > 0 { raw(",") }
                double(x)
            }
            raw("]")
        case .array(let a):
            raw("[")
            for (k, x) in a.enumerated() {
                if k > 0 { raw(",") }
                value(x)
            }
            raw("]")
        case .map(let pairs):
            raw("[")
            for (k, (a, b)) in pairs.enumerated() {
                if k > 0 { raw(",") }
                raw("[")
                value(a)
                raw(",")
                value(b)
                raw("]")
            }
            raw("]")
        case .object(let o):
            raw("{\"_class\":")
            string(o.className)
            for (k, x) in o.members {
                raw(",")
                string(k)
                raw(":")
                value(x)
            }
            raw("}")
        }
    }
}
