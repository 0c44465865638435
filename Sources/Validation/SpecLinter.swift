import Foundation
import Model

/// Checks resolved specs beyond what decoding enforces: known type names, unit spellings, value
/// sets, ranges and rule ids. (Unknown fields and bad levels already fail when the YAML is read.)
public enum SpecLinter {
    static let keywordTypes: Set<String> = ["string", "int", "float", "bool"]
    static let columnTypes: Set<String> = ["int", "float", "float64", "string", "bits"]

    public static func lint(_ lib: SpecLibrary, meta: MetaSchema? = nil) -> [String] {
        var out: [String] = []
        if let meta {
            for f in lib.files {
                out += meta.check(text: lib.tree.text(f.path), file: lib.tree.path(f.path), as: f.kind)
            }
        }
        for (id, s) in lib.specs.sorted(by: { $0.key < $1.key }) {
            if s.select.isEmpty && !s.recognisesByColumns {
                out.append("\(id): select and recognize_by_columns are empty (the spec would match no HDU)")
            }
            if s.reference.isEmpty { out.append("\(id): no reference") }
            for (k, r) in s.keywords {
                if let t = r.type, !keywordTypes.contains(t) { out.append("\(id): keyword \(k): unknown type '\(t)'") }
                if let c = r.case, c != "sensitive" && c != "insensitive" {
                    out.append("\(id): keyword \(k): case must be sensitive or insensitive")
                }
                if let range = r.range, range.count != 2 {
                    out.append("\(id): keyword \(k): range needs [min, max] (null for open)")
                }
                if let u = r.unit, (try? Model.Unit.parse(u)) == nil {
                    out.append("\(id): keyword \(k): unit '\(u)' is not understood")
                }
                if k.count > 8 { out.append("\(id): keyword \(k): FITS keywords have at most 8 characters") }
            }
            for (c, r) in s.columns {
                if let t = r.type, !columnTypes.contains(t) { out.append("\(id): column \(c): unknown type '\(t)'") }
                if let u = r.unit, (try? Model.Unit.parse(u)) == nil {
                    out.append("\(id): column \(c): unit '\(u)' is not understood")
                }
            }
            for c in s.fileChecks where FileChecks.Kind(rawValue: c.check) == nil {
                out.append(
                    "\(id): file check \(c.id): unknown check '\(c.check)' (known: \(FileChecks.Kind.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            if let n = s.normalisation, !["width", "solid-angle"].contains(n.measure) {
                out.append("\(id): normalisation \(n.column): measure must be width or solid-angle")
            }
            for c in s.conditions where (c.require ?? []).isEmpty && (c.require_any ?? []).isEmpty {
                out.append("\(id): condition \(c.id): requires nothing")
            }
        }
        return out
    }
}
