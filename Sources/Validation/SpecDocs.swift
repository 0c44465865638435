import Foundation

/// Markdown pages generated from the resolved specs, so the docs can never drift from what the
/// validator checks (CI regenerates them and diffs against docs/specs/).
public enum SpecDocs {
    public static func page(_ s: Spec) -> String {
        var md = [
            "# \(s.family)-\(s.version) / \(s.id.split(separator: "/").last!): \(s.title)", "",
            "Generated from `Specs/` by `vodf spec docs`; do not edit.", "",
            "Source: <\(s.reference)>", "",
            "Selected by: "
                + s.select.sorted { $0.key < $1.key }.map {
                    "`\($0.key)` = \($0.value.map { "`\($0)`" }.joined(separator: " or "))"
                }.joined(separator: ", "),
        ]
        if let title = s.dialect.title {
            let d = s.dialect
            md.insert(
                contentsOf: [
                    "Dialect: \(title) (HDUVERS \(d.hduvers.map { "`\($0)`" }.joined(separator: " or "))); keyword types \(d.keywordTypes), "
                        + "column types \(d.columnTypes), values compared \(d.valueCase == "insensitive" ? "without" : "with") case. Sources: "
                        + d.sources.joined(separator: "; "), "",
                ], at: md.count - 1)
        }
        if !s.legacySelect.isEmpty {
            md.append(
                "; legacy values accepted with a warning: "
                    + s.legacySelect.sorted { $0.key < $1.key }.map {
                        "`\($0.key)` = \($0.value.map { "`\($0)`" }.joined(separator: " or "))"
                    }.joined(separator: ", "))
        }
        if !s.recognizeByColumns.isEmpty {
            md.append(
                "; also recognised by the columns " + s.recognizeByColumns.map { "`\($0)`" }.joined(separator: ", "))
        }
        if !s.recognizeByAnyColumn.isEmpty {
            md.append(
                "; also recognised by any one of the columns "
                    + s.recognizeByAnyColumn.map { "`\($0)`" }.joined(separator: ", "))
        }
        md.append("")
        md += keywordTable(s) + columnTable(s) + otherSections(s)
        return md.joined(separator: "\n")
    }

    /// The header keywords: level, type, allowed values, unit, default.
    static func keywordTable(_ s: Spec) -> [String] {
        var md: [String] = []
        if !s.keywords.isEmpty {
            md += [
                "## Header keywords", "", "| keyword | level | type | allowed | unit | default |",
                "|---|---|---|---|---|---|",
            ]
            for (k, r) in s.keywords.sorted(by: { order($0.value.level, $1.value.level, $0.key, $1.key) }) {
                var allowed = r.values.map { $0.map { "`\($0)`" }.joined(separator: ", ") } ?? ""
                if let range = r.range, range.count == 2 {
                    allowed += (allowed.isEmpty ? "" : "; ") + "[\(num(range[0])), \(num(range[1]))]"
                }
                if (r.case ?? s.dialect.valueCase) == "insensitive" && r.values != nil { allowed += " (any case)" }
                if let cap = r.severity { allowed += " (at most a \(cap.rawValue))" }
                md.append(
                    "| `\(k)` | \(r.level.rawValue) | \(r.type ?? "") | \(allowed) | \(r.unit ?? "") | \(r.default ?? "") |"
                )
            }
            md.append("")
        }
        return md
    }

    /// The columns: level, type, unit, dimensions, legacy names.
    static func columnTable(_ s: Spec) -> [String] {
        var md: [String] = []
        if !s.columns.isEmpty {
            md += [
                "## Columns", "", "| column | level | type | unit | ndim | shape (TDIM order) | legacy names |",
                "|---|---|---|---|---|---|---|",
            ]
            for (c, r) in s.columns.sorted(by: { order($0.value.level, $1.value.level, $0.key, $1.key) }) {
                var shape = r.shape.map { "(" + $0.joined(separator: ", ") + ")" } ?? ""
                for alt in r.accepted_shapes ?? [] { shape += "; also read: (" + alt.joined(separator: ", ") + ")" }
                let legacy = (r.aliases ?? []).map { "`\($0)`" }.joined(separator: ", ")
                md.append(
                    "| `\(c)` | \(r.level.rawValue) | \(r.type ?? "") | \(r.unit.map { $0.isEmpty ? "dimensionless" : $0 } ?? "") | \(r.ndim.map(String.init) ?? "") | \(shape) | \(legacy) |"
                )
            }
            md.append("")
        }
        return md
    }

    /// Axes, normalisation, conditions and checks across the file.
    static func otherSections(_ s: Spec) -> [String] {
        var md: [String] = []
        if !s.axes.isEmpty {
            md += ["## Axes", ""]
            for a in s.axes {
                md.append(
                    "- `\(a.lo)`/`\(a.hi)`: LO < HI, increasing" + (a.gaps == true ? "" : ", contiguous")
                        + (a.positive == true ? ", edges > 0" : ""))
            }
            md.append("")
        }
        if let n = s.normalisation {
            md += [
                "## Normalisation", "",
                "`\(n.column)` integrated over `\(n.lo)`/`\(n.hi)` (\(n.measure)) is at most \(num(n.max)) in every other bin.",
                "",
            ]
        }
        if !s.conditions.isEmpty {
            md += ["## Conditions", ""]
            for c in s.conditions {
                let when = c.when.sorted { $0.key < $1.key }.map { "`\($0.key)` in \($0.value.joined(separator: "|"))" }
                    .joined(separator: " and ")
                var then = ""
                if let r = c.require { then = "requires " + r.map { "`\($0)`" }.joined(separator: ", ") }
                if let r = c.require_any {
                    then =
                        "requires one of " + r.map { "`\($0)`" }.joined(separator: ", ")
                        + (c.or_hdu.map { " or an HDU of class `\($0)`" } ?? "")
                }
                md.append("- `\(c.id)`: when \(when), \(then)")
            }
            md.append("")
        }
        if !s.fileChecks.isEmpty {
            md += ["## Checks across the file", ""]
            for c in s.fileChecks {
                md.append(
                    "- `\(c.id)` (`\(c.check)`, \((c.severity ?? .warning).rawValue)"
                        + (c.tolerance.map { ", tolerance \(num($0))" } ?? "") + ")")
            }
            md.append("")
        }
        return md
    }

    /// `path -> content` for every spec plus an index page.
    public static func pages(_ lib: SpecLibrary) -> [String: String] {
        var out: [String: String] = [:]
        var index = [
            "# Format specs", "", "Generated from `Specs/` by `vodf spec docs`; do not edit.", "",
            "| spec | title | selected by |", "|---|---|---|",
        ]
        for (id, s) in lib.specs.sorted(by: { $0.key < $1.key }) {
            let file = id.replacingOccurrences(of: "/", with: "_") + ".md"
            out[file] = page(s) + "\n"
            let sel = s.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "\\|"))" }
                .joined(separator: " ")
            index.append("| [\(id)](\(file)) | \(s.title) | \(sel) |")
        }
        out["README.md"] = index.joined(separator: "\n") + "\n"
        return out
    }

    static func order(_ a: Level, _ b: Level, _ ka: String, _ kb: String) -> Bool {
        let rank: [Level] = [.required, .recommended, .optional, .deprecated]
        let ra = rank.firstIndex(of: a) ?? 9
        let rb = rank.firstIndex(of: b) ?? 9
        return ra != rb ? ra < rb : ka < kb
    }

    static func num(_ d: Double?) -> String {
        guard let d else { return "" }
        return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
