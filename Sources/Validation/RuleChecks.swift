import FITSIO
import Foundation
import Model

/// The rules of one spec run on one HDU: keywords (presence, type, values, range), conditions, and
/// columns (presence, type, shape, unit). Which spec applies is `SpecMatcher`'s business; axes,
/// normalisation and file checks, which read the data, are run by the validator's per-HDU scan.
struct RuleChecks {
    let spec: Spec
    let profile: Profile
    let header: [HeaderCard]
    let file: String
    let hdu: Int
    /// HDUCLAS4 of every HDU of the file (conditions that another HDU may satisfy).
    let classes4: Set<String>
    private(set) var out: [Finding] = []

    init(spec: Spec, profile: Profile, header: [HeaderCard], file: String, hdu: Int, classes4: Set<String>) {
        self.spec = spec
        self.profile = profile
        self.header = header
        self.file = file
        self.hdu = hdu
        self.classes4 = classes4
    }

    var extname: String? { header[key: "EXTNAME"]?.stringValue }

    /// The findings of `spec`'s keyword, condition and column rules on one HDU.
    static func run(
        _ spec: Spec, profile: Profile, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int,
        classes4: Set<String>
    ) -> [Finding] {
        var r = RuleChecks(spec: spec, profile: profile, header: header, file: file, hdu: hdu, classes4: classes4)
        r.gammapyName()
        r.keywords()
        r.conditions()
        r.columns(columns)
        return r.out
    }

    /// The errors alone of `spec`'s keyword, condition and column rules on one HDU, legacy column names
    /// resolved: what comparing specs on the same HDU (best-fitting version, other dialects) counts.
    static func errors(
        _ spec: Spec, profile: Profile, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int,
        classes4: Set<String> = []
    ) -> [Finding] {
        run(
            spec, profile: profile, header: header, columns: resolveAliases(spec, columns).0, file: file, hdu: hdu,
            classes4: classes4
        )
        .filter { $0.severity == .error }
    }

    /// In the gammapy profile an error is what gammapy fails on: a problem with something it does
    /// not read (or, when missing, assumes) is a warning there.
    mutating func add(
        _ sev: Severity, _ rule: String, _ target: String, _ msg: String, _ ref: String?, use: GammapyUse? = nil,
        missing: Bool = false,
        cap: Severity? = nil
    ) {
        var sev = cap.map { min(sev, $0) } ?? sev
        if profile == .gammapy, sev == .error,
            use == .ignored || (missing && (use == .defaulted || use == .typedIfPresent))
        {
            sev = .warning
        }
        if profile == .gammapy, sev == .error, unusedByGammapy(target) { sev = .warning }
        if profile == .gammapy, sev == .warning, textZeroFails(target) { sev = .error }
        out.append(
            Finding(
                severity: sev, rule: "\(spec.id):\(rule)", file: file, hdu: hdu, hduName: extname, target: target,
                message: msg, reference: ref ?? spec.reference))
    }

    /// Keywords gammapy 2.1 reads only for some observations (harness-measured on pointed runs, issue 27):
    /// ALT_PNT/AZ_PNT only for a DRIFT observation; OBS_MODE only to tell DRIFT from the pointed modes, so a
    /// wrong OBS_MODE on a run that states RA_PNT/DEC_PNT is read as pointed, as it is.
    func unusedByGammapy(_ keyword: String) -> Bool {
        guard spec.kindName == "events" else { return false }
        let mode = header[key: "OBS_MODE"]?.stringValue?.trimmedBlanks.uppercased() ?? ""
        switch keyword {
        case "ALT_PNT", "AZ_PNT": return mode != "DRIFT"
        case "OBS_MODE": return mode != "DRIFT" && header[key: "RA_PNT"] != nil && header[key: "DEC_PNT"] != nil
        default: return false
        }
    }

    /// gammapy 2.1 turns an event list's TSTART/TSTOP into a time only when it is truthy, and a text
    /// zero ('0.0') is: astropy then fails to parse it as a quantity (measured on gammapy's own files,
    /// whose TSTART is 0; other text values parse).
    func textZeroFails(_ keyword: String) -> Bool {
        guard spec.kindName == "events", keyword == "TSTART" || keyword == "TSTOP",
            case .string(let text)? = header[key: keyword]
        else { return false }
        return Double(text.trimmedBlanks) == 0
    }

    mutating func gammapyName() {
        // gammapy opens this kind by its EXTNAME (EventList.read(hdu="EVENTS")): another name is not found.
        if profile == .gammapy, spec.gammapy?.reads_by == "extname", let want = spec.gammapy?.extname,
            (extname ?? "").trimmedBlanks.uppercased() != want.uppercased()
        {
            out.append(
                Finding(
                    severity: .error, rule: "\(spec.id):gammapy:extname", file: file, hdu: hdu, hduName: extname,
                    target: "EXTNAME",
                    message:
                        "gammapy 2.1 opens this HDU by EXTNAME '\(want)'; it is \(extname.map { "'\($0)'" } ?? "missing")",
                    reference: spec.reference))
        }
    }

    mutating func keywords() {
        // An HDU found by its columns without HDUCLASS got one spec:class-missing finding for all of them.
        let classless = header[key: "HDUCLASS"] == nil
        let header = self.header
        for (name, rule) in spec.keywords.sorted(by: { $0.key < $1.key }) {
            guard let value = header[key: name] ?? rule.aliases?.lazy.compactMap({ header[key: $0] }).first else {
                if classless && (name.hasPrefix("HDUCLAS") || name == "HDUVERS" || name == "HDUDOC") { continue }
                switch rule.level {
                case .required:
                    add(
                        .error, "keyword:\(name):missing", name, "required keyword \(name) is missing", rule.reference,
                        use: rule.gammapy, missing: true)
                case .recommended, .optional, .deprecated:
                    if profile == .gammapy, rule.gammapy == .required {
                        add(
                            .error, "keyword:\(name):missing", name,
                            "keyword \(name) is missing, and gammapy 2.1 fails without it", rule.reference)
                    } else if rule.level == .recommended {
                        add(
                            profile == .strict ? .warning : .info, "keyword:\(name):missing", name,
                            "recommended keyword \(name) is missing" + (rule.default.map { " (default: \($0))" } ?? ""),
                            rule.reference)
                    }
                }
                continue
            }
            if rule.level == .deprecated {
                add(.warning, "keyword:\(name):deprecated", name, "\(name) is deprecated", rule.reference)
            }
            if let t = rule.type,
                let problem = Self.typeProblem(value, expected: t, exact: spec.dialect.keywordTypes == "exact")
            {
                // gammapy converts numbers stored as strings, except where it computes with the stored value.
                let tolerated =
                    problem.coercible && profile != .strict
                    && !(profile == .gammapy && problem.isString
                        && (rule.gammapy == .typed || rule.gammapy == .typedIfPresent))
                add(
                    tolerated ? .warning : .error, "keyword:\(name):type", name, problem.message, rule.reference,
                    use: rule.gammapy)
            }
            if let allowed = rule.values, let s = Self.comparable(value) {
                let insensitive = (rule.case ?? spec.dialect.valueCase) == "insensitive"
                let ok = allowed.contains { insensitive ? $0.uppercased() == s.uppercased() : $0 == s }
                if !ok {
                    // A case-only difference is a warning, not a wrong value, unless the rule says case matters.
                    let caseOnly = rule.case != "sensitive" && allowed.contains { $0.uppercased() == s.uppercased() }
                    add(
                        caseOnly ? .warning : .error, "keyword:\(name):value", name,
                        "\(name) = '\(s)' is not one of \(allowed.joined(separator: ", "))", rule.reference,
                        use: rule.gammapy, cap: rule.severity)
                }
            }
            if let range = rule.range, range.count == 2, let d = value.doubleValue {
                if let lo = range[0], d < lo {
                    add(
                        .error, "keyword:\(name):range", name, "\(name) = \(d) is below \(lo)", rule.reference,
                        use: rule.gammapy, cap: rule.severity)
                }
                if let hi = range[1], d > hi {
                    add(
                        .error, "keyword:\(name):range", name, "\(name) = \(d) is above \(hi)", rule.reference,
                        use: rule.gammapy, cap: rule.severity)
                }
            }
        }
    }

    mutating func conditions() {
        for c in spec.conditions {
            let applies = c.when.allSatisfy { key, values in
                guard let v = header[key: key]?.stringValue?.uppercased() else { return false }
                return values.map { $0.uppercased() }.contains(v)
            }
            guard applies else { continue }
            for k in c.require ?? [] where header[key: k] == nil {
                add(
                    .error, "condition:\(c.id)", k,
                    "\(k) is required when \(c.when.map { "\($0.key) = \($0.value.joined(separator: "|"))" }.joined(separator: ", "))",
                    c.reference,
                    use: spec.keywords[k]?.gammapy, missing: true)
            }
            if let any = c.require_any, !any.contains(where: { header[key: $0] != nil }),
                !(c.or_hdu.map { classes4.contains($0.uppercased()) } ?? false)
            {
                add(
                    .error, "condition:\(c.id)", any.joined(separator: "|"),
                    "one of \(any.joined(separator: ", "))\(c.or_hdu.map { " (or a \($0) HDU in the file)" } ?? "") is required",
                    c.reference)
            }
        }
    }

    mutating func columns(_ columns: [ColumnInfo]) {
        let byName = Dictionary(columns.map { ($0.spec.name.uppercased(), $0.spec) }, uniquingKeysWith: { a, _ in a })
        for (name, rule) in spec.columns.sorted(by: { $0.key < $1.key }) {
            guard let col = byName[name.uppercased()] else {
                if rule.level != .required, profile == .gammapy, rule.gammapy == .required {
                    add(
                        .error, "column:\(name):missing", name,
                        "column \(name) is missing, and gammapy 2.1 fails without it", rule.reference)
                }
                if rule.level == .required {
                    add(
                        .error, "column:\(name):missing", name, "required column \(name) is missing", rule.reference,
                        use: rule.gammapy, missing: true)
                }
                continue
            }
            let castable = spec.dialect.columnTypes == "castable"
            if let t = rule.type, !Self.columnTypeMatches(col.type, t, castable: castable) {
                // What a castable dialect's checker (fits_schema) lets through is still wrong, so a warning:
                // it skips the cast for text data (text passes a numeric column unless a unit makes it a
                // quantity), and numpy casts any number to text safely.
                let lax =
                    castable && col.type != .bits
                    && ((col.type == .string && (rule.unit ?? "").trimmedBlanks.isEmpty) || t == "string")
                // Integers where the spec has floats are read as floats by gammapy (astropy widens them):
                // measured on integer GTI bounds and axis edges (producers matrix, issue 27).
                let widened = profile == .gammapy && t.hasPrefix("float") && Self.columnTypeMatches(col.type, "int")
                add(
                    lax || widened ? .warning : .error, "column:\(name):type", name,
                    "column \(name) is \(col.tform), expected \(t)"
                        + (lax ? " (this dialect's checker lets it through; a reader expecting \(t) fails)" : "")
                        + (widened ? " (gammapy 2.1 reads the integers as floats)" : ""),
                    rule.reference, use: rule.gammapy)
            }
            // A text column's repeat (and TDIM's first length) is the string width, not an axis.
            let dims =
                col.type == .string
                ? (col.dims.map { Array($0.dropFirst()) }.flatMap { $0.isEmpty ? nil : $0 } ?? [1])
                : (col.dims ?? [col.repeatCount])
            if let shape = rule.shape {
                if let problem = Self.shapeProblem(
                    name, dims: dims, shape: shape, accepted: rule.accepted_shapes ?? [], byName: byName)
                {
                    add(
                        problem.accepted
                            ? (profile == .strict ? .error : profile == .gammapy ? .warning : .info) : .error,
                        "column:\(name):shape", name, problem.message, rule.reference)
                }
            } else if let n = rule.ndim, Self.rank(dims) > n {
                // Fewer dimensions than ndim is fine when the missing ones are single bins.
                add(
                    .error, "column:\(name):ndim", name,
                    "column \(name) has \(dims.count) dimensions (TDIM \(Self.dimText(dims))), expected \(n)",
                    rule.reference)
            }
            if let expected = rule.unit { unit(of: col, name, expected: expected, rule) }
        }
    }

    mutating func unit(of col: ColumnSpec, _ name: String, expected: String, _ rule: ColumnRule) {
        let unitText = col.unit ?? ""
        if unitText.isEmpty {
            // An empty TUNIT is how FITS writes "dimensionless"; only a dimensioned column must say its unit.
            if expected.trimmedBlanks.isEmpty { return }
            add(
                profile == .strict ? .warning : .info, "column:\(name):unit", name,
                "column \(name) has no unit (expected \(expected))", rule.reference)
        } else if let u = try? Model.Unit.parse(unitText), let e = try? Model.Unit.parse(expected) {
            if !u.isConvertible(to: e) {
                add(
                    .error, "column:\(name):unit", name,
                    "column \(name) unit '\(unitText)' does not convert to \(expected)", rule.reference,
                    use: rule.gammapy)
            }
        } else {
            // gammapy (astropy) cannot parse it either: the column's quantity is unusable there.
            add(
                profile == .gammapy ? .error : .warning, "column:\(name):unit", name,
                "column \(name) unit '\(unitText)' is not understood", rule.reference, use: rule.gammapy)
        }
    }

    struct TypeProblem {
        let message: String
        var coercible: Bool
        var isString = false
    }

    /// The columns with each legacy-named one renamed to the column it stands for (when that one is
    /// absent), and the (legacy name, spec name) pairs found. Reads go by column number, so the
    /// renamed entries read the same data.
    static func resolveAliases(_ spec: Spec, _ columns: [ColumnInfo]) -> ([ColumnInfo], [(String, String)]) {
        var out = columns
        var found: [(String, String)] = []
        let present = Set(columns.map { $0.spec.name.uppercased() })
        for (name, rule) in spec.columns.sorted(by: { $0.key < $1.key }) where !present.contains(name.uppercased()) {
            for alias in rule.aliases ?? [] {
                if let i = out.firstIndex(where: { $0.spec.name.uppercased() == alias.uppercased() }) {
                    found.append((out[i].spec.name, name))
                    out[i].spec.name = name
                    break
                }
            }
        }
        return (out, found)
    }

    static func dimText(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ",") + ")" }

    /// How many dimensions a cell has: a scalar (repeat 1) none, a vector one, TDIM's count without
    /// trailing single bins otherwise.
    static func rank(_ dims: [Int]) -> Int {
        let t = trimmedDims(dims)
        return t == [1] ? 0 : t.count
    }

    /// Dimensions without trailing single bins.
    static func trimmedDims(_ d: [Int]) -> [Int] {
        var d = d
        while d.count > 1 && d.last == 1 { d.removeLast() }
        return d
    }

    /// Compares a column's TDIM with the lengths of the axes named by the spec (trailing
    /// single-bin axes may be left out: MAGIC writes RAD_MAX as (20, 1), others as (20)).
    static func shapeProblem(
        _ name: String, dims: [Int], shape: [String], accepted: [[String]], byName: [String: ColumnSpec]
    ) -> (message: String, accepted: Bool)? {
        func lengths(_ axes: [String]) -> [Int]? {
            let l = axes.map { byName["\($0.uppercased())_LO"]?.repeatCount }
            return l.contains(where: { $0 == nil }) ? nil : l.map { $0! }
        }
        let trimmed = Self.trimmedDims
        // A missing axis column is reported by its own column rule.
        guard let expected = lengths(shape) else { return nil }
        if trimmed(dims) == trimmed(expected) { return nil }
        let names = "(" + shape.joined(separator: ", ") + ")"
        for alt in accepted {
            if let l = lengths(alt), trimmed(dims) == trimmed(l) {
                return (
                    "column \(name) has TDIM \(Self.dimText(dims)), axes in the order (\(alt.joined(separator: ", "))); gammapy 2.1 reads this order, the spec's is \(names)",
                    true
                )
            }
        }
        if dims.count == expected.count, dims.sorted() == expected.sorted() {
            let order = dims.map { d in shape.indices.first { expected[$0] == d }.map { shape[$0] } ?? "?" }
            return (
                "column \(name) has TDIM \(Self.dimText(dims)): the axes are in the order (\(order.joined(separator: ", "))), the spec's is \(names) \(Self.dimText(expected))",
                false
            )
        }
        return (
            "column \(name) has TDIM \(Self.dimText(dims)), but its axes \(names) have \(Self.dimText(expected)) bins",
            false
        )
    }

    /// Type check with a coercion policy: an int where a float is expected is fine; an integral
    /// float for an int, or a numeric string, can be read but deserves a warning.
    /// With `exact` (a dialect whose checker compares value types, fits_schema), nothing is coercible
    /// and an integer is not a float.
    static func typeProblem(_ v: HeaderValue, expected: String, exact: Bool = false) -> TypeProblem? {
        if exact, case .int(let i) = v, expected == "float" {
            return TypeProblem(message: "expected float, found the integer \(i) (write \(i).0)", coercible: false)
        }
        if exact, var p = typeProblem(v, expected: expected) {
            p.coercible = false
            return p
        }
        switch (expected, v) {
        case ("string", .string), ("int", .int), ("float", .double), ("float", .int), ("bool", .bool): return nil
        case ("int", .double(let d)) where d == d.rounded():
            return TypeProblem(message: "integer stored as a float (\(d))", coercible: true)
        case ("int", .string(let s)) where Int64(s.trimmedBlanks) != nil,
            ("float", .string(let s)) where Double(s.trimmedBlanks) != nil:
            return TypeProblem(message: "number stored as a string ('\(s)')", coercible: true, isString: true)
        default:
            return TypeProblem(message: "expected \(expected), found \(v)", coercible: false)
        }
    }

    static func comparable(_ v: HeaderValue) -> String? {
        switch v {
        case .string(let s): return s.trimmedBlanks
        case .double(let d): return String(d)
        case .int(let i): return String(i) + ".0" // so EQUINOX = 2000 compares as 2000.0
        case .bool: return nil
        }
    }

    /// With `castable`, a type that converts to the expected one without loss also matches (numpy's
    /// safe casting, as fits_schema checks: E, I, J, K or B for a double; I, J or B for a long).
    static func columnTypeMatches(_ t: ColumnType, _ expected: String, castable: Bool = false) -> Bool {
        if castable {
            switch expected {
            case "float64", "float": return [.float32, .float64, .int16, .int32, .int64, .uint8].contains(t)
            case "int": return [.int16, .int32, .int64, .uint8].contains(t)
            default: break
            }
        }
        switch expected {
        case "float": return t == .float32 || t == .float64
        case "float64": return t == .float64
        case "int": return [.int16, .int32, .int64, .uint8].contains(t)
        case "string": return t == .string
        case "bits": return t == .bits
        default: return true
        }
    }
}
