import YAMLIO

/// Builds spec files straight from YAML nodes (`YAMLNode`). Decoding through `YAMLDecoder` (Codable)
/// took about two thirds of spec loading, and spec loading was the largest part of a short `vodf
/// validate` run. A field of the wrong type is an error here too; `vodf spec lint` explains such
/// errors in detail. Scalars are read as text, and each mapping is turned into a dictionary once.
enum SpecNodes {
    struct Bad: Error, CustomStringConvertible {
        let description: String
    }

    static func scalar(_ n: YAMLNode?, _ what: String) throws -> String? {
        guard let n else { return nil }
        guard let s = n.text else { throw Bad(description: "\(what) must be a scalar") }
        return s
    }
    static func required(_ n: YAMLNode?, _ what: String) throws -> String {
        guard let s = try scalar(n, what) else { throw Bad(description: "missing \(what)") }
        return s
    }
    static func convert<T>(_ n: YAMLNode?, _ what: String, _ f: (String) -> T?) throws -> T? {
        guard let s = try scalar(n, what) else { return nil }
        guard let v = f(s) else { throw Bad(description: "\(what): cannot read '\(s)'") }
        return v
    }
    static func bool(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
    static func isNull(_ s: String) -> Bool { s.isEmpty || s == "~" || s.lowercased() == "null" }

    static func list<T>(_ n: YAMLNode?, _ what: String, _ f: (YAMLNode) throws -> T) throws -> [T]? {
        guard let n else { return nil }
        guard let seq = n.items else { throw Bad(description: "\(what) must be a list") }
        return try seq.map(f)
    }
    static func strings(_ n: YAMLNode?, _ what: String) throws -> [String]? {
        try list(n, what) { try required($0, what) }
    }
    static func map<T>(_ n: YAMLNode?, _ what: String, _ f: (String, YAMLNode) throws -> T) throws -> [String: T]? {
        guard let n else { return nil }
        guard let m = n.pairs else { throw Bad(description: "\(what) must be a mapping") }
        var out: [String: T] = [:]
        for (k, v) in m {
            let key = try required(k, "a key of \(what)")
            out[key] = try f(key, v)
        }
        return out
    }
    static func stringLists(_ n: YAMLNode?, _ what: String) throws -> [String: [String]]? {
        try map(n, what) { k, v in try strings(v, "\(what).\(k)") ?? [] }
    }

    /// The fields of a mapping, by key.
    static func fields(_ n: YAMLNode, _ what: String) throws -> [String: YAMLNode] {
        guard let m = n.pairs else { throw Bad(description: "\(what) must be a mapping") }
        var out: [String: YAMLNode] = [:]
        for (k, v) in m { out[try required(k, "a key of \(what)")] = v }
        return out
    }

    static func keyword(_ node: YAMLNode, _ at: String) throws -> KeywordRule {
        let n = try fields(node, at)
        guard let level = try convert(n["level"], "\(at).level", Level.init(rawValue:)) else {
            throw Bad(description: "missing \(at).level")
        }
        let range = try list(n["range"], "\(at).range") { v -> Double? in
            let s = try required(v, "\(at).range")
            if isNull(s) { return nil }
            guard let d = Double(s) else { throw Bad(description: "\(at).range: cannot read '\(s)'") }
            return d
        }
        return KeywordRule(
            level: level, gammapy: try convert(n["gammapy"], "\(at).gammapy", GammapyUse.init(rawValue:)),
            aliases: try strings(n["aliases"], "\(at).aliases"),
            type: try scalar(n["type"], "\(at).type"), values: try strings(n["values"], "\(at).values"),
            case: try scalar(n["case"], "\(at).case"), range: range, unit: try scalar(n["unit"], "\(at).unit"),
            description: try scalar(n["description"], "\(at).description"),
            reference: try scalar(n["reference"], "\(at).reference"),
            ucd: try scalar(n["ucd"], "\(at).ucd"), default: try scalar(n["default"], "\(at).default"),
            example: try scalar(n["example"], "\(at).example"),
            severity: try convert(n["severity"], "\(at).severity", Severity.init(rawValue:)))
    }

    static func column(_ node: YAMLNode, _ at: String) throws -> ColumnRule {
        let n = try fields(node, at)
        guard let level = try convert(n["level"], "\(at).level", Level.init(rawValue:)) else {
            throw Bad(description: "missing \(at).level")
        }
        return ColumnRule(
            level: level, gammapy: try convert(n["gammapy"], "\(at).gammapy", GammapyUse.init(rawValue:)),
            type: try scalar(n["type"], "\(at).type"), unit: try scalar(n["unit"], "\(at).unit"),
            ndim: try convert(n["ndim"], "\(at).ndim") { Int($0) }, shape: try strings(n["shape"], "\(at).shape"),
            accepted_shapes: try list(n["accepted_shapes"], "\(at).accepted_shapes") {
                try strings($0, "\(at).accepted_shapes") ?? []
            },
            aliases: try strings(n["aliases"], "\(at).aliases"),
            description: try scalar(n["description"], "\(at).description"),
            reference: try scalar(n["reference"], "\(at).reference"))
    }

    static func specFile(_ node: YAMLNode) throws -> SpecFile {
        let n = try fields(node, "a spec")
        guard let select = try stringLists(n["select"], "select") else { throw Bad(description: "missing select") }
        return SpecFile(
            id: try required(n["id"], "id"), title: try scalar(n["title"], "title"),
            extends: try scalar(n["extends"], "extends"),
            reference: try scalar(n["reference"], "reference"), select: select,
            recognize_by_columns: try strings(n["recognize_by_columns"], "recognize_by_columns"),
            recognize_by_any_column: try strings(n["recognize_by_any_column"], "recognize_by_any_column"),
            legacy_select: try stringLists(n["legacy_select"], "legacy_select"),
            gammapy: try n["gammapy"].map { node in
                let g = try fields(node, "gammapy")
                let by: String = try required(g["reads_by"], "gammapy.reads_by")
                guard by == "class" || by == "extname" else {
                    throw Bad(description: "gammapy.reads_by must be class or extname, not '\(by)'")
                }
                return GammapyReading(reads_by: by, extname: try scalar(g["extname"], "gammapy.extname"))
            },
            groups: try strings(n["groups"], "groups"),
            keywords: try map(n["keywords"], "keywords") { k, v in try keyword(v, "keywords.\(k)") },
            remove_keywords: try strings(n["remove_keywords"], "remove_keywords"),
            columns: try map(n["columns"], "columns") { k, v in try column(v, "columns.\(k)") },
            conditions: try list(n["conditions"], "conditions") { node in
                let c = try fields(node, "conditions")
                return ConditionRule(
                    id: try required(c["id"], "conditions.id"),
                    when: try stringLists(c["when"], "conditions.when") ?? [:],
                    require: try strings(c["require"], "conditions.require"),
                    require_any: try strings(c["require_any"], "conditions.require_any"),
                    or_hdu: try scalar(c["or_hdu"], "conditions.or_hdu"),
                    reference: try scalar(c["reference"], "conditions.reference"))
            },
            file_checks: try list(n["file_checks"], "file_checks") { node in
                let c = try fields(node, "file_checks")
                return FileCheckRule(
                    id: try required(c["id"], "file_checks.id"), check: try required(c["check"], "file_checks.check"),
                    severity: try convert(c["severity"], "file_checks.severity", Severity.init(rawValue:)),
                    strict_severity: try convert(
                        c["strict_severity"], "file_checks.strict_severity", Severity.init(rawValue:)),
                    tolerance: try convert(c["tolerance"], "file_checks.tolerance") { Double($0) },
                    reference: try scalar(c["reference"], "file_checks.reference"))
            },
            axes: try list(n["axes"], "axes") { node in
                let a = try fields(node, "axes")
                return AxisRule(
                    lo: try required(a["lo"], "axes.lo"), hi: try required(a["hi"], "axes.hi"),
                    positive: try convert(a["positive"], "axes.positive", bool),
                    gaps: try convert(a["gaps"], "axes.gaps", bool),
                    tolerance: try convert(a["tolerance"], "axes.tolerance") { Double($0) },
                    reference: try scalar(a["reference"], "axes.reference"))
            },
            normalisation: try n["normalisation"].map { node in
                let m = try fields(node, "normalisation")
                return NormalisationRule(
                    column: try required(m["column"], "normalisation.column"),
                    lo: try required(m["lo"], "normalisation.lo"),
                    hi: try required(m["hi"], "normalisation.hi"),
                    measure: try required(m["measure"], "normalisation.measure"),
                    max: try convert(m["max"], "normalisation.max") { Double($0) }
                        ?? { throw Bad(description: "missing normalisation.max") }(),
                    min: try convert(m["min"], "normalisation.min") { Double($0) },
                    tdim_position: try convert(m["tdim_position"], "normalisation.tdim_position") { Int($0) }
                        ?? { throw Bad(description: "missing normalisation.tdim_position") }(),
                    reference: try scalar(m["reference"], "normalisation.reference"))
            })
    }

    static func dialectFile(_ node: YAMLNode) throws -> Dialect {
        let n = try fields(node, "a dialect file")
        func choice(_ key: String, _ allowed: [String]) throws -> String {
            let v = try scalar(n[key], key) ?? allowed[0]
            guard allowed.contains(v) else {
                throw Bad(description: "\(key) must be one of \(allowed.joined(separator: ", ")), not '\(v)'")
            }
            return v
        }
        return Dialect(
            title: try scalar(n["title"], "title"), hduvers: try strings(n["hduvers"], "hduvers") ?? [],
            sources: try strings(n["sources"], "sources") ?? [],
            keywordTypes: try choice("keyword_types", ["coerce", "exact"]),
            columnTypes: try choice("column_types", ["exact", "castable"]),
            valueCase: try choice("value_case", ["sensitive", "insensitive"]))
    }

    static func groupsFile(_ node: YAMLNode) throws -> GroupsFile {
        let n = try fields(node, "a groups file")
        guard
            let groups = try map(
                n["groups"], "groups",
                { g, v in
                    GroupDef(
                        keywords: try map(try fields(v, "groups.\(g)")["keywords"], "groups.\(g).keywords") { k, kv in
                            try keyword(kv, "groups.\(g).keywords.\(k)")
                        } ?? [:])
                })
        else { throw Bad(description: "missing groups") }
        return GroupsFile(groups: groups)
    }
}
