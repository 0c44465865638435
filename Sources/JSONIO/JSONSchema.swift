import Foundation

/// A JSON Schema (draft 2020-12) that documents are checked against: the GCN notice schemas, which
/// reference each other by relative file names (`../core/Localization.schema.json`) and by
/// `#/$defs/...`. The keywords that assert are checked (type, enum, const, properties,
/// additionalProperties, required, items, min/maxItems, min/maxLength, minimum, maximum,
/// exclusiveMinimum/Maximum, pattern, allOf, anyOf, oneOf, not, $ref); annotations (title,
/// description, default, content*) are read past.
public final class JSONSchema: @unchecked Sendable {
    /// One way a document breaks the schema: where (JSON pointer and line) and why.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        public var pointer: String
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(pointer.isEmpty ? "/" : pointer): \(message)" }
    }

    public let path: String
    private var documents: [String: JSONNode] = [:]
    private let lock = NSLock()

    public init(path: String) throws {
        self.path = (path as NSString).standardizingPath
        documents[self.path] = try JSONNode.read(path: self.path)
    }

    public func violations(of instance: JSONNode) -> [Violation] {
        lock.lock()
        defer { lock.unlock() }
        var out: [Violation] = []
        check(instance, against: documents[path]!, file: path, pointer: "", out: &out, depth: 0)
        return out
    }

    // MARK: - checking

    private func check(
        _ inst: JSONNode, against schema: JSONNode, file: String, pointer: String, out: inout [Violation], depth: Int
    ) {
        guard depth < 64 else {
            return out.append(
                Violation(pointer: pointer, line: inst.line, message: "the schema's references nest too deep"))
        }
        if case .bool(let b) = schema.value {
            if !b { out.append(Violation(pointer: pointer, line: inst.line, message: "no value is allowed here")) }
            return
        }
        guard schema.members != nil else { return }
        func fail(_ m: String) { out.append(Violation(pointer: pointer, line: inst.line, message: m)) }
        if let ref = schema["$ref"]?.string {
            if let (target, targetFile) = resolve(ref, from: file) {
                check(inst, against: target, file: targetFile, pointer: pointer, out: &out, depth: depth + 1)
            } else {
                fail("the schema reference \(ref) cannot be resolved")
            }
        }
        if let t = schema["type"] {
            let allowed = t.string.map { [$0] } ?? (t.array?.compactMap(\.string) ?? [])
            let actual = inst.value.typeName
            if !allowed.contains(actual) && !(actual == "integer" && allowed.contains("number")) {
                fail("is \(article(actual)), not \(allowed.map(article).joined(separator: " or "))")
            }
        }
        if let e = schema["enum"]?.array, !e.contains(where: { $0.value == inst.value }) {
            fail("\(brief(inst)) is not one of \(e.map(brief).joined(separator: ", "))")
        }
        if let c = schema["const"], c.value != inst.value { fail("\(brief(inst)) is not \(brief(c))") }
        checkObject(inst, schema, file: file, pointer: pointer, out: &out, depth: depth)
        checkArray(inst, schema, file: file, pointer: pointer, out: &out, depth: depth)
        checkScalar(inst, schema, fail: fail)
        checkCombinations(inst, schema, file: file, pointer: pointer, out: &out, depth: depth)
    }

    private func checkObject(
        _ inst: JSONNode, _ schema: JSONNode, file: String, pointer: String, out: inout [Violation], depth: Int
    ) {
        guard let members = inst.members else { return }
        let properties = schema["properties"]?.members ?? []
        for (key, value) in members {
            if let sub = properties.first(where: { $0.key == key })?.value {
                check(
                    value, against: sub, file: file, pointer: pointer + "/" + escape(key), out: &out, depth: depth + 1)
            } else if let extra = schema["additionalProperties"] {
                check(
                    value, against: extra, file: file, pointer: pointer + "/" + escape(key), out: &out, depth: depth + 1
                )
            }
        }
        for req in schema["required"]?.array?.compactMap(\.string) ?? []
        where !members.contains(where: { $0.key == req }) {
            out.append(
                Violation(pointer: pointer, line: inst.line, message: "the required property \"\(req)\" is missing"))
        }
    }

    private func checkArray(
        _ inst: JSONNode, _ schema: JSONNode, file: String, pointer: String, out: inout [Violation], depth: Int
    ) {
        guard let items = inst.array else { return }
        if let sub = schema["items"] {
            for (i, item) in items.enumerated() {
                check(item, against: sub, file: file, pointer: pointer + "/\(i)", out: &out, depth: depth + 1)
            }
        }
        if let n = schema["minItems"]?.number, Double(items.count) < n {
            out.append(
                Violation(pointer: pointer, line: inst.line, message: "has \(items.count) items, fewer than \(Int(n))"))
        }
        if let n = schema["maxItems"]?.number, Double(items.count) > n {
            out.append(
                Violation(pointer: pointer, line: inst.line, message: "has \(items.count) items, more than \(Int(n))"))
        }
    }

    private func checkScalar(_ inst: JSONNode, _ schema: JSONNode, fail: (String) -> Void) {
        if let s = inst.string {
            if let n = schema["minLength"]?.number, Double(s.count) < n { fail("is shorter than \(Int(n)) characters") }
            if let n = schema["maxLength"]?.number, Double(s.count) > n { fail("is longer than \(Int(n)) characters") }
            if let p = schema["pattern"]?.string, s.range(of: p, options: .regularExpression) == nil {
                fail("\(brief(inst)) does not match the pattern \(p)")
            }
        }
        if let d = inst.number {
            if let m = schema["minimum"]?.number, d < m { fail("\(brief(inst)) is below the minimum \(m)") }
            if let m = schema["maximum"]?.number, d > m { fail("\(brief(inst)) is above the maximum \(m)") }
            if let m = schema["exclusiveMinimum"]?.number, d <= m { fail("\(brief(inst)) is not above \(m)") }
            if let m = schema["exclusiveMaximum"]?.number, d >= m { fail("\(brief(inst)) is not below \(m)") }
        }
    }

    private func checkCombinations(
        _ inst: JSONNode, _ schema: JSONNode, file: String, pointer: String, out: inout [Violation], depth: Int
    ) {
        for sub in schema["allOf"]?.array ?? [] {
            check(inst, against: sub, file: file, pointer: pointer, out: &out, depth: depth + 1)
        }
        func branches(_ key: String) -> [[Violation]]? {
            schema[key]?.array.map { subs in
                subs.map { sub in
                    var v: [Violation] = []
                    check(inst, against: sub, file: file, pointer: pointer, out: &v, depth: depth + 1)
                    return v
                }
            }
        }
        if let any = branches("anyOf"), !any.contains(where: \.isEmpty) {
            out.append(
                Violation(
                    pointer: pointer, line: inst.line, message: "matches none of the allowed forms: " + reasons(any)))
        }
        if let one = branches("oneOf") {
            let passing = one.filter(\.isEmpty).count
            if passing == 0 {
                out.append(
                    Violation(
                        pointer: pointer, line: inst.line, message: "matches none of the allowed forms: " + reasons(one)
                    ))
            } else if passing > 1 {
                out.append(
                    Violation(
                        pointer: pointer, line: inst.line,
                        message: "matches \(passing) of the forms of which exactly one is allowed"))
            }
        }
        if let not = schema["not"] {
            var v: [Violation] = []
            check(inst, against: not, file: file, pointer: pointer, out: &v, depth: depth + 1)
            if v.isEmpty {
                out.append(Violation(pointer: pointer, line: inst.line, message: "matches a form that is not allowed"))
            }
        }
    }

    // MARK: - references

    /// The schema a `$ref` names: `other.json`, `other.json#/$defs/x` or `#/$defs/x`, relative to
    /// the directory of the schema file it appears in.
    private func resolve(_ ref: String, from file: String) -> (JSONNode, String)? {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var target = file
        if !parts[0].isEmpty {
            guard !parts[0].contains("://") else { return nil }
            target =
                (((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(parts[0]) as NSString)
                .standardizingPath
        }
        if documents[target] == nil { documents[target] = try? JSONNode.read(path: target) }
        guard var node = documents[target] else { return nil }
        if parts.count == 2, !parts[1].isEmpty {
            for token in parts[1].split(separator: "/").map({ unescape(String($0)) }) {
                if let next = node[token] {
                    node = next
                } else if let i = Int(token), let a = node.array, a.indices.contains(i) {
                    node = a[i]
                } else {
                    return nil
                }
            }
        }
        return (node, target)
    }

    private func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
    private func unescape(_ token: String) -> String {
        token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    private func article(_ type: String) -> String {
        ["array", "object", "integer"].contains(type) ? "an \(type)" : "a \(type)"
    }

    private func brief(_ n: JSONNode) -> String {
        switch n.value {
        case .string(let s): return "\"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    private func reasons(_ branches: [[Violation]]) -> String {
        branches.enumerated().map { i, v in
            "(\(i + 1)) " + (v.first.map { ($0.pointer.isEmpty ? "" : $0.pointer + " ") + $0.message } ?? "ok")
        }
        .joined(separator: "; ")
    }
}
