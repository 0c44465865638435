import Foundation
import Yams

/// Checks raw spec YAML against Specs/meta-schema.yaml: known fields, required fields, value kinds.
/// Decoding alone would ignore a misspelt field, which then silently checks nothing.
public struct MetaSchema: Sendable {
    struct Object: Sendable { var required: [String]; var fields: [String: String] }
    let objects: [String: Object]

    public init(path: String) throws {
        try self.init(text: try? String(contentsOfFile: path, encoding: .utf8), name: path)
    }

    /// The meta-schema of a spec tree (its own `meta-schema.yaml`, else the built-in one).
    public init(tree: SpecTree) throws {
        let own = tree.text("meta-schema.yaml")
        try self.init(text: own ?? SpecTree.builtIn.text("meta-schema.yaml"),
                      name: own != nil ? tree.path("meta-schema.yaml") : SpecTree.builtIn.path("meta-schema.yaml"))
    }

    init(text: String?, name path: String) throws {
        guard let text, let doc = try Yams.load(yaml: text) as? [String: Any], let objs = doc["objects"] as? [String: Any] else {
            throw SpecError(file: path, reason: "not a meta-schema (expected a mapping with 'objects')")
        }
        var out: [String: Object] = [:]
        for (name, raw) in objs {
            guard let o = raw as? [String: Any], let fields = o["fields"] as? [String: String] else {
                throw SpecError(file: path, reason: "object '\(name)' needs a 'fields' mapping of name: type")
            }
            out[name] = Object(required: o["required"] as? [String] ?? [], fields: fields)
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
        let value: Any?
        do { value = try Yams.load(yaml: text) } catch { return ["\(file): not YAML: \(error)"] }
        var out: [String] = []
        check(value as Any, type: kind, at: "", file: file, into: &out)
        return out
    }

    private func check(_ v: Any, type: String, at path: String, file: String, into out: inout [String]) {
        let here = path.isEmpty ? "top level" : path
        func fail(_ m: String) { out.append("\(file): \(here): \(m)") }
        if type.hasPrefix("list<") {
            guard let a = v as? [Any] else { return fail("expected a list") }
            let inner = String(type.dropFirst(5).dropLast())
            for (i, e) in a.enumerated() { check(e, type: inner, at: "\(path)[\(i)]", file: file, into: &out) }
        } else if type.hasPrefix("map<") {
            guard let m = v as? [String: Any] else { return fail("expected a mapping") }
            let inner = String(type.dropFirst(4).dropLast())
            for k in m.keys.sorted() { check(m[k]!, type: inner, at: path.isEmpty ? k : "\(path).\(k)", file: file, into: &out) }
        } else if let o = objects[type] {
            guard let m = v as? [String: Any] else { return fail("expected a \(type) mapping") }
            for k in m.keys.sorted() {
                guard let t = o.fields[k] else {
                    fail("unknown field '\(k)' in \(type) (allowed: \(o.fields.keys.sorted().joined(separator: ", ")))")
                    continue
                }
                check(m[k]!, type: t, at: path.isEmpty ? k : "\(path).\(k)", file: file, into: &out)
            }
            for r in o.required where m[r] == nil { fail("\(type) needs '\(r)'") }
        } else {
            let ok: Bool
            switch type {
            case "string": ok = v is String
            case "int": ok = v is Int
            case "number": ok = v is Int || v is Double
            case "bool": ok = v is Bool
            case "scalar": ok = v is String || v is Int || v is Double || v is Bool || v is NSNull
            default: return fail("meta-schema names unknown type '\(type)'")
            }
            if !ok { fail("expected \(type), found \(Swift.type(of: v))") }
        }
    }
}
