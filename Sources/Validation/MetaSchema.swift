import Foundation
import YAMLIO

/// Checks raw spec YAML against Specs/meta-schema.yaml: known fields, required fields, value kinds.
/// Decoding alone would ignore a misspelt field, which then silently checks nothing.
public struct MetaSchema: Sendable {
    struct Object: Sendable {
        var required: [String]
        var fields: [String: String]
    }
    let objects: [String: Object]

    public init(path: String) throws {
        try self.init(text: try? String(contentsOfFile: path, encoding: .utf8), name: path)
    }

    /// The meta-schema of a spec tree (its own `meta-schema.yaml`, else the built-in one).
    public init(tree: SpecTree) throws {
        let own = tree.text("meta-schema.yaml")
        try self.init(
            text: own ?? SpecTree.builtIn.text("meta-schema.yaml"),
            name: own != nil ? tree.path("meta-schema.yaml") : SpecTree.builtIn.path("meta-schema.yaml"))
    }

    init(text: String?, name path: String) throws {
        guard let text, let doc = try? YAMLNode.parse(text), let objs = doc.value(for: "objects")?.pairs else {
            throw SpecError(file: path, reason: "not a meta-schema (expected a mapping with 'objects')")
        }
        var out: [String: Object] = [:]
        for (key, raw) in objs {
            let name = key.text ?? ""
            guard let fieldPairs = raw.value(for: "fields")?.pairs else {
                throw SpecError(file: path, reason: "object '\(name)' needs a 'fields' mapping of name: type")
            }
            var fields: [String: String] = [:]
            for (k, v) in fieldPairs {
                guard let k = k.text, let v = v.text else {
                    throw SpecError(file: path, reason: "object '\(name)': fields must map names to type names")
                }
                fields[k] = v
            }
            out[name] = Object(required: raw.value(for: "required")?.items?.compactMap(\.text) ?? [], fields: fields)
        }
        objects = out
    }

    /// Problems in one file, checked as object `kind` ("spec" or "groups_file").
    public func check(file: String, as kind: String) -> [String] {
        check(text: try? String(contentsOfFile: file, encoding: .utf8), file: file, as: kind)
    }

    /// Problems in one file's text; `file` names it in the messages.
    public func check(text: String?, file: String, as kind: String) -> [String] {
        guard let text else { return ["\(file): cannot read"] }
        let value: YAMLNode?
        do { value = try YAMLNode.parse(text) } catch { return ["\(file): not YAML: \(error)"] }
        var out: [String] = []
        check(value ?? .scalar(""), type: kind, at: "", file: file, into: &out)
        return out
    }

    private func check(_ v: YAMLNode, type: String, at path: String, file: String, into out: inout [String]) {
        let here = path.isEmpty ? "top level" : path
        func fail(_ m: String) { out.append("\(file): \(here): \(m)") }
        if type.hasPrefix("list<") {
            guard let a = v.items else { return fail("expected a list") }
            let inner = String(type.dropFirst(5).dropLast())
            for (i, e) in a.enumerated() { check(e, type: inner, at: "\(path)[\(i)]", file: file, into: &out) }
        } else if type.hasPrefix("map<") {
            guard let m = v.stringKeyed else { return fail("expected a mapping") }
            for k in v.duplicateKeys { fail("key '\(k)' appears more than once (only the last would count)") }
            let inner = String(type.dropFirst(4).dropLast())
            for k in m.keys.sorted() {
                check(m[k]!, type: inner, at: path.isEmpty ? k : "\(path).\(k)", file: file, into: &out)
            }
        } else if let o = objects[type] {
            guard let m = v.stringKeyed else { return fail("expected a \(type) mapping") }
            for k in v.duplicateKeys { fail("key '\(k)' appears more than once (only the last would count)") }
            for k in m.keys.sorted() {
                guard let t = o.fields[k] else {
                    fail("unknown field '\(k)' in \(type) (allowed: \(o.fields.keys.sorted().joined(separator: ", ")))")
                    continue
                }
                check(m[k]!, type: t, at: path.isEmpty ? k : "\(path).\(k)", file: file, into: &out)
            }
            for r in o.required where m[r] == nil { fail("\(type) needs '\(r)'") }
        } else {
            let r = v.resolved
            let ok: Bool
            switch type {
            case "string": if case .string? = r { ok = true } else { ok = false }
            case "int": if case .int? = r { ok = true } else { ok = false }
            case "number":
                switch r {
                case .int?, .double?: ok = true
                default: ok = false
                }
            case "bool": if case .bool? = r { ok = true } else { ok = false }
            case "scalar": ok = r != nil
            default: return fail("meta-schema names unknown type '\(type)'")
            }
            if !ok { fail("expected \(type), found \(v.kindName)") }
        }
    }
}

extension YAMLNode {
    /// Keys that a mapping repeats, each once, in order.
    var duplicateKeys: [String] {
        var seen = Set<String>()
        var repeated: [String] = []
        for (k, _) in pairs ?? [] {
            let key = k.text ?? ""
            if !seen.insert(key).inserted, !repeated.contains(key) { repeated.append(key) }
        }
        return repeated
    }

    /// What a finding calls this node ("a list", "text", "an integer" ...).
    var kindName: String {
        switch self {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        default:
            switch resolved {
            case .null?: return "null"
            case .bool?: return "a boolean"
            case .int?: return "an integer"
            case .double?: return "a number"
            default: return "text"
            }
        }
    }
}
