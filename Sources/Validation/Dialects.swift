import FITSIO
import Foundation
import Model

/// Which draft a file follows, where a format has competing drafts (VODF: vodf-0.0.0 as vodf_schema
/// checks it, vodf-mock-0.1 as the mock data writes it), and what the file breaks in the others. A
/// statement about the file, not a finding: a file that follows its dialect cleanly has no findings.
public struct DialectStatement: Codable, Sendable, Equatable {
    public var file: String
    public var family: String
    /// The dialect(s) its HDUs were checked against, e.g. ["vodf-mock-0.1"] (more than one: a mixed file).
    public var follows: [String]
    /// "HDUVERS" when the HDUs declare it; "best fit" when HDUVERS names none (the fewest errors won).
    public var by: String
    public var others: [Breaks]

    /// The rules of one other dialect that the file's HDUs break.
    public struct Breaks: Codable, Sendable, Equatable {
        public var dialect: String
        /// HDUs of a kind that dialect defines (the others are not compared).
        public var hdus: Int
        public var errors: Int
        /// Rule ids without the spec prefix (`keyword:HDUVERS:value`), each once, sorted.
        public var rules: [String]
    }

    /// One line for people: "follows vodf-mock-0.1 (HDUVERS); as vodf-0.0.0: 9 errors in 3 HDUs (...)".
    public var text: String {
        var parts = ["follows \(follows.joined(separator: " and ")) (\(by))"]
        for o in others {
            parts.append(
                o.errors == 0
                    ? "also valid as \(o.dialect)"
                    : "as \(o.dialect): \(o.errors) error(s) in \(o.hdus) HDU(s): \(o.rules.prefix(8).joined(separator: ", "))\(o.rules.count > 8 ? ", ..." : "")"
            )
        }
        return parts.joined(separator: "; ")
    }
}

/// The statements of one validation run, recorded as files are checked (on all cores).
public final class DialectLog: @unchecked Sendable {
    private let lock = NSLock()
    private var byFile: [String: DialectStatement] = [:]

    func record(_ s: DialectStatement) {
        lock.lock()
        byFile[s.file] = s
        lock.unlock()
    }

    /// The statements for `files`, in their order.
    public func statements(for files: [String]) -> [DialectStatement] {
        lock.lock()
        defer { lock.unlock() }
        return files.compactMap { byFile[$0] }
    }
}

/// Gathers, HDU by HDU, what a file's statement says.
struct DialectTally {
    let file: String
    let library: (String) throws -> SpecLibrary
    let profile: Profile
    private var family: String?
    private var follows: [String] = []
    private var fitted = false
    private var breaks: [String: (hdus: Int, errors: Int, rules: Set<String>)] = [:]

    init(file: String, library: @escaping (String) throws -> SpecLibrary, profile: Profile) {
        self.file = file
        self.library = library
        self.profile = profile
    }

    /// One HDU checked against `spec`: the same kind in each other dialect of the family is run too
    /// (its keyword, condition and column rules, which read no data).
    mutating func add(_ spec: Spec, bestFit: Bool, header: [HeaderCard], columns: [ColumnInfo], hdu: Int) {
        guard let library = try? library(spec.family), library.hasDialects(spec.family) else { return }
        family = spec.family
        let mine = "\(spec.family)-\(spec.version)"
        if !follows.contains(mine) { follows.append(mine) }
        fitted = fitted || bestFit
        let kind = spec.id.split(separator: "/").last.map(String.init) ?? spec.id
        for version in library.versions(spec.family) where version != spec.version {
            let other = "\(spec.family)-\(version)"
            guard let otherSpec = library.specs["\(other)/\(kind)"] else { continue }
            let errors = RuleChecks.errors(
                otherSpec, profile: profile, header: header, columns: columns, file: file, hdu: hdu)
            var b = breaks[other] ?? (0, 0, [])
            b.hdus += 1
            b.errors += errors.count
            b.rules.formUnion(errors.map { String($0.rule.dropFirst(otherSpec.id.count + 1)) })
            breaks[other] = b
        }
    }

    var statement: DialectStatement? {
        guard let family, !follows.isEmpty else { return nil }
        let others = breaks.keys.sorted().map { k in
            DialectStatement.Breaks(
                dialect: k, hdus: breaks[k]!.hdus, errors: breaks[k]!.errors, rules: breaks[k]!.rules.sorted())
        }
        return DialectStatement(
            file: file, family: family, follows: follows, by: fitted ? "best fit" : "HDUVERS", others: others)
    }
}
