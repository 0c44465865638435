import Foundation

/// What changed between two spec versions (`vodf spec diff gadf-0.2 gadf-0.3`): HDU kinds added and
/// removed, and per kind the keywords, columns and conditions added, removed or changed, field by
/// field (level, type, unit, values, range, default; ndim for columns). For spec authors and for the
/// people who upgrade a writer.
public struct SpecDiff: Encodable, Sendable {
    public struct Change: Encodable, Sendable, Equatable {
        /// The HDU kind (the spec's name: events, rad_max_2d, ...).
        public var kind: String
        /// kind, keyword, column, condition or select.
        public var item: String
        public var name: String
        /// added, removed or changed.
        public var change: String
        /// For a change: "field: old -> new", one per field that differs.
        public var details: [String] = []
    }

    public var from: String
    public var to: String
    public var changes: [Change]

    public static func compare(_ library: SpecLibrary, _ a: String, _ b: String) throws -> SpecDiff {
        func specs(_ v: String) throws -> [String: Spec] {
            guard let (family, version) = SpecVersionName.split(v) else {
                throw SpecError(file: v, reason: "not a spec version (family-version, e.g. gadf-0.3)")
            }
            let list = library.specs(family, version)
            guard !list.isEmpty else {
                let known = Set(library.specs.keys.map { String($0.split(separator: "/")[0]) }).sorted().joined(
                    separator: ", ")
                throw SpecError(file: v, reason: "unknown spec version; known: \(known)")
            }
            return Dictionary(uniqueKeysWithValues: list.map { (String($0.id.split(separator: "/").last!), $0) })
        }
        let old = try specs(a)
        let new = try specs(b)
        var changes: [Change] = []
        for kind in Set(old.keys).union(new.keys).sorted() {
            switch (old[kind], new[kind]) {
            case (nil, let n?): changes.append(Change(kind: kind, item: "kind", name: n.title, change: "added"))
            case (let o?, nil): changes.append(Change(kind: kind, item: "kind", name: o.title, change: "removed"))
            case (let o?, let n?): changes += compare(kind, o, n)
            default: break
            }
        }
        return SpecDiff(from: a, to: b, changes: changes)
    }

    static func compare(_ kind: String, _ o: Spec, _ n: Spec) -> [Change] {
        var out: [Change] = []
        if o.select != n.select {
            out.append(
                Change(
                    kind: kind, item: "select", name: "HDUCLASn", change: "changed",
                    details: ["\(describe(o.select)) -> \(describe(n.select))"]))
        }
        out += items(kind, "keyword", o.keywords.mapValues(fields), n.keywords.mapValues(fields))
        out += items(kind, "column", o.columns.mapValues(fields), n.columns.mapValues(fields))
        let oc = Dictionary(o.conditions.map { ($0.id, fields($0)) }, uniquingKeysWith: { a, _ in a })
        let nc = Dictionary(n.conditions.map { ($0.id, fields($0)) }, uniquingKeysWith: { a, _ in a })
        out += items(kind, "condition", oc, nc)
        return out
    }

    static func items(_ kind: String, _ item: String, _ o: [String: [String: String]], _ n: [String: [String: String]])
        -> [Change]
    {
        Set(o.keys).union(n.keys).sorted().compactMap { name in
            switch (o[name], n[name]) {
            case (nil, let b?):
                return Change(
                    kind: kind, item: item, name: name, change: "added",
                    details: b.keys.sorted().map { "\($0): \(b[$0]!)" })
            case (_?, nil): return Change(kind: kind, item: item, name: name, change: "removed")
            case (let a?, let b?) where a != b:
                let d = Set(a.keys).union(b.keys).sorted().compactMap { f -> String? in
                    a[f] == b[f] ? nil : "\(f): \(a[f] ?? "-") -> \(b[f] ?? "-")"
                }
                return Change(kind: kind, item: item, name: name, change: "changed", details: d)
            default: return nil
            }
        }
    }

    static func describe(_ select: [String: [String]]) -> String {
        select.keys.sorted().map { "\($0)=\(select[$0]!.joined(separator: "|"))" }.joined(separator: " ")
    }

    static func fields(_ k: KeywordRule) -> [String: String] {
        var f = ["level": k.level.rawValue]
        if let v = k.type { f["type"] = v }
        if let v = k.unit { f["unit"] = v }
        if let v = k.values { f["values"] = v.joined(separator: "|") }
        if let v = k.range { f["range"] = v.map { $0.map { String($0) } ?? "-" }.joined(separator: "..") }
        if let v = k.default { f["default"] = v }
        return f
    }

    static func fields(_ c: ColumnRule) -> [String: String] {
        var f = ["level": c.level.rawValue]
        if let v = c.type { f["type"] = v }
        if let v = c.unit { f["unit"] = v }
        if let v = c.ndim { f["ndim"] = String(v) }
        return f
    }

    static func fields(_ c: ConditionRule) -> [String: String] {
        var f = [
            "when": c.when.keys.sorted().map { "\($0)=\(c.when[$0]!.joined(separator: "|"))" }.joined(separator: " ")
        ]
        if let r = c.require { f["require"] = r.joined(separator: ",") }
        if let r = c.require_any { f["require_any"] = r.joined(separator: ",") }
        return f
    }

    /// One line per change: `events: keyword TIMEREF changed (values: LOCAL -> TOPOCENTER|...)`.
    public var text: String {
        var lines = changes.map { c in
            "\(c.kind): \(c.item) \(c.name) \(c.change)"
                + (c.details.isEmpty ? "" : " (\(c.details.joined(separator: "; ")))")
        }
        lines.append(
            "\(from) -> \(to): \(changes.count) change(s): \(changes.filter { $0.change == "added" }.count) added, \(changes.filter { $0.change == "removed" }.count) removed, \(changes.filter { $0.change == "changed" }.count) changed"
        )
        return lines.joined(separator: "\n")
    }
}
