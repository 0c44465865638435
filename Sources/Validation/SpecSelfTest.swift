import FITSIO
import Foundation
import Model

/// `vodf spec test`: every rule of every spec run against fixtures. The passing fixture of a spec is
/// its template (`SpecTemplate`), which must give no finding in strict; each rule's failing fixture
/// is that template broken in the one way the rule forbids (a required keyword removed, a value not
/// allowed, an axis reversed, an event outside the GTI, ...), which must make that rule fire. A rule
/// for which no failing fixture can be made is reported, so a spec author sees which rules nothing
/// proves. The fixtures are derived from the rules themselves, so a new rule gets its fixtures with it.
public enum SpecSelfTest {
    /// One fixture: the tables of its file (the HDU under test first), other files beside it, and
    /// the rule ids any of which must fire (none for the passing fixture).
    struct Fixture {
        var rule: String?
        var tables: [Table]
        var beside: [(name: String, tables: [Table])] = []
        var fires: [String] = []
    }

    public struct Outcome: Codable, Sendable, Equatable {
        public var spec: String
        /// The rule, or nil for the passing fixture.
        public var rule: String?
        public var passed: Bool
        public var detail: String
    }

    public struct Result: Codable, Sendable {
        public var outcomes: [Outcome]
        /// Rules with no failing fixture: "spec-id:rule: why".
        public var uncovered: [String]
        public var passed: Bool { outcomes.allSatisfy(\.passed) && uncovered.isEmpty }
        public var rules: Int { outcomes.filter { $0.rule != nil }.count + uncovered.count }
    }

    /// Runs every spec of `library` (or those whose id starts with `only`), writing fixtures under `scratch`.
    public static func run(
        _ library: SpecLibrary, scratch: String, only: String? = nil, progress: (String) -> Void = { _ in }
    ) throws -> Result {
        var outcomes: [Outcome] = []
        var uncovered: [String] = []
        for spec in library.specs.values.sorted(by: { $0.id < $1.id }) where only.map({ spec.id.hasPrefix($0) }) ?? true
        {
            progress(spec.id)
            let dir = (scratch as NSString).appendingPathComponent(spec.id.replacingOccurrences(of: "/", with: "_"))
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let template = try SpecTemplate.table(spec)
            outcomes.append(
                try check(Fixture(rule: nil, tables: [template]), spec: spec, library: library, dir: dir, n: 0))
            for (i, rule) in rules(spec).enumerated() {
                switch fixture(rule, spec: spec, library: library, template: template) {
                case .success(let f): outcomes.append(try check(f, spec: spec, library: library, dir: dir, n: i + 1))
                case .failure(let why): uncovered.append("\(spec.id):\(rule): \(why.description)")
                }
            }
        }
        return Result(outcomes: outcomes, uncovered: uncovered)
    }

    /// The rule ids (without the spec id) a spec can give, as `RuleChecks`, the axis and
    /// normalisation checks and the file checks name them.
    static func rules(_ spec: Spec) -> [String] {
        var out: [String] = []
        for (k, r) in spec.keywords.sorted(by: { $0.key < $1.key }) {
            if r.level == .required || r.level == .recommended { out.append("keyword:\(k):missing") }
            if r.level == .deprecated { out.append("keyword:\(k):deprecated") }
            if r.type != nil { out.append("keyword:\(k):type") }
            if r.values != nil { out.append("keyword:\(k):value") }
            if r.range != nil { out.append("keyword:\(k):range") }
        }
        for (c, r) in spec.columns.sorted(by: { $0.key < $1.key }) {
            if r.level == .required { out.append("column:\(c):missing") }
            if r.type != nil { out.append("column:\(c):type") }
            if let u = r.unit, !u.trimmedBlanks.isEmpty { out.append("column:\(c):unit") }
            if (r.shape?.count ?? 0) > 1 {
                out.append("column:\(c):shape")
            } else if r.ndim != nil, r.shape == nil {
                out.append("column:\(c):ndim")
            }
            if r.aliases?.isEmpty == false { out.append("column:\(c):legacy-name") }
        }
        out += spec.conditions.map { "condition:\($0.id)" }
        out += spec.axes.map { "axis:\($0.lo)" }
        if let n = spec.normalisation { out.append("normalisation:\(n.column)") }
        out += spec.fileChecks.map { "check:\($0.id)" }
        return out
    }

    struct NoFixture: Error, CustomStringConvertible { let description: String }

    /// The failing fixture of one rule.
    static func fixture(_ rule: String, spec: Spec, library: SpecLibrary, template: Table)
        -> Swift.Result<Fixture, NoFixture>
    {
        let parts = rule.split(separator: ":").map(String.init)
        var t = template
        var f = Fixture(rule: rule, tables: [], fires: ["\(spec.id):\(rule)"])
        // A class keyword or a recognising column broken: the HDU is then not this kind, and a spec:
        // finding (class-missing, class-mismatch, no-match, nothing-checked) is what says so.
        let selecting = Set(spec.select.keys).union(["HDUCLASS"]).union(
            spec.select.isEmpty ? Set(spec.recognizeByColumns + spec.recognizeByAnyColumn) : [])
        if parts.count == 3, selecting.contains(parts[1]), ["missing", "value", "type"].contains(parts[2]) {
            f.fires += ["spec:class-missing", "spec:class-mismatch", "spec:no-match", "spec:nothing-checked"]
        }
        switch parts[0] {
        case "keyword":
            if let missing = breakKeyword(parts[1], parts[2], spec: spec, in: &t) { return .failure(missing) }
        case "column":
            if let missing = breakColumn(parts[1], parts[2], spec: spec, in: &t, fixture: &f) {
                return .failure(missing)
            }
        case "condition":
            guard let c = spec.conditions.first(where: { $0.id == parts[1] }) else {
                return .failure(NoFixture(description: "no such condition"))
            }
            for (k, values) in c.when { t.set(k, .string(values[0])) }
            for k in (c.require ?? []) + (c.require_any ?? []) { t.header.removeAll { $0.name == k } }
        case "axis":
            if t.index(parts[1]) == nil, let with = try? SpecTemplate.table(spec, including: [parts[1]]) { t = with }
            guard let a = spec.axes.first(where: { $0.lo == parts[1] }), let lo = t.index(a.lo), let hi = t.index(a.hi)
            else {
                return .failure(NoFixture(description: "no template with \(parts[1])"))
            }
            t.data.swapAt(lo, hi) // every bin then has LO > HI
        case "normalisation":
            guard let i = t.index(parts[1]) else {
                return .failure(NoFixture(description: "the template has no \(parts[1])"))
            }
            t.data[i] = t.data[i].scaled(10)
        case "check":
            guard let rule = spec.fileChecks.first(where: { $0.id == parts[1] }) else {
                return .failure(NoFixture(description: "no such check"))
            }
            return checkFixture(rule, spec: spec, library: library, template: t, f)
        default:
            return .failure(NoFixture(description: "unknown rule"))
        }
        f.tables = [t]
        return .success(f)
    }

    /// A header keyword broken the way its rule forbids; nil when done, else why it cannot be.
    static func breakKeyword(_ k: String, _ what: String, spec: Spec, in t: inout Table) -> NoFixture? {
        let r = spec.keywords[k]!
        switch what {
        case "missing":
            if k == "EXTNAME" { t.name = "" } else { t.header.removeAll { $0.name == k } }
        case "deprecated": t.set(k, SpecTemplate.value(k, r, spec))
        case "type":
            if k == "EXTNAME" { t.name = "" } // the writer's EXTNAME (text) would come first
            t.set(k, r.type == "string" ? .int(7) : .string("not a number"))
        case "value":
            let bad: HeaderValue =
                r.type == "int" ? .int(-987) : r.type == "float" ? .double(-987.5) : .string("NOT-AN-ALLOWED-VALUE")
            if k == "EXTNAME", case .string(let s) = bad { t.name = s } else { t.set(k, bad) }
        case "range":
            guard let range = r.range, let bound = range.compactMap({ $0 }).first else {
                return NoFixture(description: "an empty range")
            }
            let v = range[0] != nil ? bound - 1 : bound + 1
            t.set(k, r.type == "int" ? .int(Int64(v.rounded(.down))) : .double(v))
        default: return NoFixture(description: "no such keyword rule")
        }
        return nil
    }

    /// A column broken the way its rule forbids (an optional one added first); nil when done.
    static func breakColumn(_ c: String, _ what: String, spec: Spec, in t: inout Table, fixture f: inout Fixture)
        -> NoFixture?
    {
        let r = spec.columns[c]!
        // An optional column is added (valid) first, then broken.
        if t.index(c) == nil, let with = try? SpecTemplate.table(spec, including: [c]) { t = with }
        guard let i = t.columns.firstIndex(where: { $0.name == c }) else {
            return NoFixture(description: "no template with \(c)")
        }
        switch what {
        case "missing":
            t.columns.remove(at: i)
            t.data.remove(at: i)
        case "type": t.retype(i, toText: r.type != "string")
        case "unit":
            // A unit every parser knows that does not convert: metres for times, seconds otherwise.
            let time =
                (try? Model.Unit.parse(r.unit ?? "")).map { u in
                    (try? Model.Unit.parse("s")).map { u.isConvertible(to: $0) } ?? false
                } ?? false
            t.columns[i].unit = time ? "m" : "s"
        case "shape":
            guard let dims = t.columns[i].dims, Set(dims).count == dims.count else {
                return NoFixture(description: "axes of equal length")
            }
            t.columns[i].dims = Array(dims.reversed())
        case "ndim": t.addDimension(i)
        case "legacy-name":
            t.columns[i].name = r.aliases![0]
            f.fires = ["\(spec.id):\(f.rule ?? "")"]
        default: return NoFixture(description: "no such column rule")
        }
        return nil
    }

    /// The failing fixture of a file check: what each check (FileChecks) compares, made to disagree.
    static func checkFixture(
        _ rule: FileCheckRule, spec: Spec, library: SpecLibrary, template: Table, _ fixture: Fixture
    ) -> Swift.Result<Fixture, NoFixture> {
        var f = fixture
        var t = template
        func gti(start: Double, stop: Double) -> Table? {
            guard let g = library.specs["\(spec.family)-\(spec.version)/gti"], var table = try? SpecTemplate.table(g)
            else { return nil }
            for name in ["START", "STOP"] {
                if let i = table.index(name) { table.data[i] = .float64([name == "START" ? start : stop]) }
            }
            return table
        }
        switch rule.check {
        case "mjdref-plausible":
            t.set("MJDREFI", .int(0))
            t.set("MJDREFF", .double(0))
        case "dates-match-times":
            let beg = spec.keywords["DATE-BEG"] != nil && spec.keywords["DATE-OBS"] == nil
            t.set(beg ? "DATE-BEG" : "DATE-OBS", .string("1990-01-01T00:00:00"))
            t.header.removeAll { $0.name == "TIME-OBS" }
        case "livetime-within-ontime":
            t.set("ONTIME", .double(1))
            t.set("LIVETIME", .double(1001))
        case "ontime-equals-gti", "times-within-gti", "tstart-tstop-cover-gti":
            guard let g = gti(start: 10, stop: 20) else {
                return .failure(NoFixture(description: "no gti spec in \(spec.family)-\(spec.version)"))
            }
            // ONTIME 1 s against a 10 s GTI; TIME 1 (the template's) outside [10, 20]; TSTART 15 after its start.
            if rule.check == "ontime-equals-gti" { t.set("ONTIME", .double(1)) }
            if rule.check == "tstart-tstop-cover-gti" {
                t.set("TSTART", .double(15))
                t.set("TSTOP", .double(20))
            }
            f.tables = [t, g]
            return .success(f)
        case "index-links", "grouping-members":
            // One row naming a file that does not exist.
            guard let one = try? SpecTemplate.table(spec, rows: 1) else {
                return .failure(NoFixture(description: "no template"))
            }
            t = one
        case "obs-ids-match-obs-index":
            guard let one = try? SpecTemplate.table(spec, rows: 1),
                let obs = library.specs["\(spec.family)-\(spec.version)/obs_index"],
                var other = try? SpecTemplate.table(obs, rows: 1), let i = other.index("OBS_ID")
            else {
                return .failure(NoFixture(description: "no obs_index spec beside it"))
            }
            other.data[i] = other.data[i].scaled(2) // OBS_ID 2 there, 1 here
            t = one
            f.beside = [("obs-index.fits", [other])]
        default:
            return .failure(NoFixture(description: "check '\(rule.check)' has no fixture maker"))
        }
        f.tables = [t]
        return .success(f)
    }

    /// Writes one fixture and validates it in strict against the spec's version.
    static func check(_ f: Fixture, spec: Spec, library: SpecLibrary, dir: String, n: Int) throws -> Outcome {
        let sub = (dir as NSString).appendingPathComponent(String(format: "%03d", n))
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        let path = (sub as NSString).appendingPathComponent("fixture.fits")
        for (name, tables) in f.beside {
            try FITSFile.write(tables, primary: [], to: (sub as NSString).appendingPathComponent(name), durable: false)
        }
        try FITSFile.write(f.tables, primary: [], to: path, durable: false)
        let findings = try Validator(library: library, profile: .strict, forcedSpec: "\(spec.family)-\(spec.version)")
            .validate(path: path)
            .filter { $0.severity != .info }
        guard let rule = f.rule else {
            return Outcome(
                spec: spec.id, rule: nil, passed: findings.isEmpty,
                detail: findings.isEmpty
                    ? "template: no finding"
                    : "template: \(findings.count) finding(s): "
                        + findings.prefix(3).map { "[\($0.rule)] \($0.message)" }.joined(separator: "; "))
        }
        let fired = findings.first { f.fires.contains($0.rule) }
        return Outcome(
            spec: spec.id, rule: rule, passed: fired != nil,
            detail: fired.map { "fires: [\($0.rule)] \($0.message)" }
                ?? "did not fire; found "
                + (findings.isEmpty ? "nothing" : findings.prefix(3).map { "[\($0.rule)]" }.joined(separator: " ")))
    }
}

extension Table {
    func index(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// Sets (or adds) a header card.
    mutating func set(_ name: String, _ value: HeaderValue) {
        if let i = header.firstIndex(where: { $0.name == name }) {
            header[i] = HeaderCard(name, value)
        } else {
            header.append(HeaderCard(name, value))
        }
    }

    /// The column as text (`toText`) or as doubles, one value per row.
    mutating func retype(_ i: Int, toText: Bool) {
        let rows = rowCount
        if toText {
            columns[i] = ColumnSpec(columns[i].name, .string, repeatCount: 4, unit: columns[i].unit)
            data[i] = .string(Array(repeating: "text", count: rows))
        } else {
            columns[i] = ColumnSpec(columns[i].name, .float64, unit: columns[i].unit)
            data[i] = .float64(Array(repeating: 1, count: rows))
        }
    }

    /// One more axis of 2 for the column's cells (a scalar becomes a 2-vector, a vector a 2-column matrix).
    mutating func addDimension(_ i: Int) {
        let c = columns[i]
        let rows = rowCount // before the column's repeat changes

        let dims = (c.dims ?? (c.repeatCount > 1 ? [c.repeatCount] : [])) + [2]
        columns[i].dims = dims.count > 1 ? dims : nil
        columns[i].repeatCount = c.repeatCount * 2
        // Each row's cells twice over (rows 0, 0, 1, 1, ...).
        data[i] = data[i].selecting(rows: (0..<rows).flatMap { [$0, $0] }, perRow: c.repeatCount)
    }
}

extension ColumnData {
    func scaled(_ k: Double) -> ColumnData {
        switch self {
        case .float64(let v): return .float64(v.map { $0 * k })
        case .float32(let v): return .float32(v.map { $0 * Float(k) })
        case .int64(let v): return .int64(v.map { $0 * Int64(k) })
        case .int32(let v): return .int32(v.map { $0 * Int32(k) })
        default: return self
        }
    }
}
