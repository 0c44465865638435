import Foundation
import Parallel
import YAMLIO

/// Requirement levels of keywords and columns.
public enum Level: String, Codable, Sendable { case required, recommended, optional, deprecated }

/// What gammapy 2.1 does with a keyword or column, as the differential harness measured it
/// (Tests/oracle/harness.py). In the gammapy profile an error means that gammapy fails or misreads,
/// so a problem with something gammapy does not read is only a warning there.
public enum GammapyUse: String, Codable, Sendable {
    /// gammapy reads it: unusable or of the wrong kind is an error; missing follows the spec's level (the default).
    case read
    /// gammapy fails without it: missing is an error in the gammapy profile, whatever the spec's level.
    case required
    /// gammapy computes with the value as stored (DEADC: 1 - DEADC): a number stored as a string
    /// fails there. Otherwise as `read`; numbers as strings are converted for the others.
    case typed
    /// As `typed` when present, but gammapy does without it (TSTART: missing is fine there, a string that
    /// does not parse as a number fails; harness-measured, issue 27).
    case typedIfPresent = "typed_if_present"
    /// gammapy does not read it: any problem is a warning in the gammapy profile.
    case ignored
    /// gammapy assumes a value when it is missing (TIMESYS: TT): missing is a warning, a wrong value an error.
    case defaulted
}

/// How gammapy 2.1 finds an HDU of a kind: by its class keywords (IRFs, `load_irf_dict_from_file`)
/// or by its EXTNAME (`EventList.read(hdu="EVENTS")`, `GTI.read(hdu="GTI")`).
public struct GammapyReading: Codable, Sendable {
    public var reads_by: String // class | extname
    public var extname: String?
}

/// A header keyword rule.
public struct KeywordRule: Codable, Sendable {
    public var level: Level
    public var gammapy: GammapyUse?
    /// Other names readers accept for it (gammapy: GEOALT for ALTITUDE); one of them present counts.
    public var aliases: [String]?
    public var type: String? // string | int | float | bool
    public var values: [String]?
    public var `case`: String? // sensitive (default) | insensitive
    public var range: [Double?]?
    public var unit: String?
    public var description: String?
    public var reference: String?
    public var ucd: String?
    public var `default`: String?
    /// A value that satisfies the rule and the checks around it (dates matching TSTART), for the
    /// templates `vodf spec template` renders when neither `values` nor `default` gives one.
    public var example: String?
    /// The most severe finding this keyword's value (`values`, `range`) may give: a rule the draft
    /// declares but its reference checker does not enforce (vodf_schema 0.0.0's EXTNAME = event-list)
    /// is reported, as a warning. Its type and whether it is missing follow `type` and `level`.
    public var severity: Severity?
}

/// A column rule.
public struct ColumnRule: Codable, Sendable {
    public var level: Level
    public var gammapy: GammapyUse?
    public var type: String? // int | float | float64 | string | bits
    public var unit: String?
    public var ndim: Int?
    /// Axis names in TDIM order (fastest first); axis N's length is the element count of `N_LO`.
    public var shape: [String]?
    /// Other axis orders a reader accepts (gammapy 2.1 reads background tables reversed): a warning,
    /// an error only in the strict profile.
    public var accepted_shapes: [[String]]?
    /// Legacy names of the column (CTA-1DC: ETRUE_LO, BGD), read by gammapy: a warning, an error in strict.
    public var aliases: [String]?
    public var description: String?
    public var reference: String?
}

/// "When these keywords have these values, these keywords must be present."
public struct ConditionRule: Codable, Sendable {
    public var id: String
    public var when: [String: [String]]
    public var require: [String]?
    public var require_any: [String]?
    /// Also satisfied by another HDU of the file with this HDUCLAS4 (e.g. RAD_MAX_2D).
    public var or_hdu: String?
    public var reference: String?
}

/// A check across HDUs of one file (EVENTS against its GTI, say). The spec chooses which checks apply
/// and how severe a failure is; `FileChecks` implements each named check.
public struct FileCheckRule: Codable, Sendable {
    public var id: String
    public var check: String
    public var severity: Severity?
    /// The severity in the strict profile, when it differs (times that gammapy reads but that are wrong).
    public var strict_severity: Severity?
    /// Absolute tolerance in the quantity's own unit (seconds for times).
    public var tolerance: Double?
    public var reference: String?
}

/// A binned axis stored as a LO/HI column pair: bins must increase, LO < HI, and (unless `gaps`)
/// touch, since readers such as gammapy rebuild the edges from LO plus the last HI.
public struct AxisRule: Codable, Sendable {
    public var lo: String
    public var hi: String
    /// Edges must be > 0 (energies: log axes).
    public var positive: Bool?
    public var gaps: Bool?
    /// Contiguity (LO of a bin against HI of the one before) and LO = HI (node axes) hold within this
    /// fraction of the bin width, so round-off (1e-16 relative) is not a gap. Default 1e-6.
    public var tolerance: Double?
    public var reference: String?
}

/// A density that must integrate to at most `max` over one axis, for every bin of the others:
/// PSF over solid angle, EDISP over migration. Unnormalised tables read fine but give wrong numbers.
public struct NormalisationRule: Codable, Sendable {
    /// The size of one bin of the integrated axis: its width, or its solid angle for `solid-angle`
    /// (LO/HI offsets in deg).
    public func binMeasure(lo a: Double, hi b: Double) -> Double {
        measure == "solid-angle" ? 2 * Double.pi * (cos(a * .pi / 180) - cos(b * .pi / 180)) : b - a
    }

    public var column: String
    /// The LO/HI columns of the axis integrated over.
    public var lo: String
    public var hi: String
    /// `width` (HI - LO) or `solid-angle` (2π(cos LO - cos HI), LO/HI in deg).
    public var measure: String
    public var max: Double
    /// The lower bound for the best-normalised bin: a table whose every bin integrates to less is
    /// not a density over this axis (e.g. probabilities per bin, summing to 1 instead of integrating
    /// to 1). Bins below threshold (all zero) do not count against it, so the largest integral is used.
    public var min: Double?
    /// Position of that axis in TDIM order (fastest first) when axis lengths alone are ambiguous.
    public var tdim_position: Int
    public var reference: String?
}

/// One HDU spec file as written (before `extends` and groups are applied).
public struct SpecFile: Codable, Sendable {
    public var id: String
    public var title: String?
    public var extends: String?
    public var reference: String?
    public var select: [String: [String]]
    /// Columns that identify this kind even when its class keywords say otherwise (a mislabelled HDU).
    public var recognize_by_columns: [String]?
    /// Columns any one of which identifies this kind (a grouping table missing one member column is
    /// still a grouping table, and its missing column is then the finding).
    public var recognize_by_any_column: [String]?
    /// Older class values (CTA-1DC: HDUCLASS OGIP, HDUCLAS4 2D/3GAUSS/3D), merged over `select`;
    /// an HDU selected only this way is checked and warned about (`spec:legacy-class`).
    public var legacy_select: [String: [String]]?
    public var gammapy: GammapyReading?
    public var groups: [String]?
    public var keywords: [String: KeywordRule]?
    public var remove_keywords: [String]?
    public var columns: [String: ColumnRule]?
    public var conditions: [ConditionRule]?
    public var file_checks: [FileCheckRule]?
    public var axes: [AxisRule]?
    public var normalisation: NormalisationRule?
}

struct GroupsFile: Codable { var groups: [String: GroupDef] }

/// `<family>/<version>/dialect.yaml`: what a version is when the format has competing drafts (VODF),
/// and how its reference checker compares values, so that a rule means what it means there.
public struct Dialect: Sendable, Encodable, Equatable {
    public var title: String?
    /// The HDUVERS values that declare this version (default: the directory name).
    public var hduvers: [String]
    /// Where each fact comes from, with the commit.
    public var sources: [String]
    /// `coerce` (default): an integer where a float is expected is fine, an integral float for an
    /// integer or a number as a string is a warning outside strict. `exact`: each is an error (fits_schema
    /// compares the Python types of the values).
    public var keywordTypes: String
    /// `exact` (default): float64 means a D column. `castable`: any column that converts to the
    /// declared type without loss (fits_schema's numpy `casting="safe"`: E or J for a double, I for a long).
    public var columnTypes: String
    /// The default of a keyword rule's `case` (`sensitive` unless the dialect says otherwise).
    public var valueCase: String

    public static func `default`(_ version: String) -> Dialect {
        Dialect(
            title: nil, hduvers: [version], sources: [], keywordTypes: "coerce", columnTypes: "exact",
            valueCase: "sensitive")
    }
}
struct GroupDef: Codable { var keywords: [String: KeywordRule] }

/// A resolved spec: its id is `<family>-<version>/<name>`, e.g. `gadf-0.3/events`.
public struct Spec: Sendable, Encodable {
    public var id: String
    public var family: String
    public var version: String
    public var title: String
    public var reference: String
    public var select: [String: [String]]
    public var recognizeByColumns: [String] = []
    public var recognizeByAnyColumn: [String] = []
    public var legacySelect: [String: [String]] = [:]
    public var gammapy: GammapyReading?
    public var keywords: [String: KeywordRule]
    public var columns: [String: ColumnRule]
    public var conditions: [ConditionRule]
    public var fileChecks: [FileCheckRule] = []
    public var axes: [AxisRule] = []
    public var normalisation: NormalisationRule?
    /// Whether this kind is known by its columns at all (not only by its class keywords).
    public var recognisesByColumns: Bool { !recognizeByColumns.isEmpty || !recognizeByAnyColumn.isEmpty }

    /// Whether the columns present (upper-case names) identify this kind: all of `recognize_by_columns`,
    /// or any one of `recognize_by_any_column`.
    public func isRecognised(byColumns present: Set<String>) -> Bool {
        (!recognizeByColumns.isEmpty && recognizeByColumns.allSatisfy { present.contains($0.uppercased()) })
            || recognizeByAnyColumn.contains { present.contains($0.uppercased()) }
    }

    /// The kind, without family and version: `events` of `gadf-0.3/events`; the same kind across versions.
    public var kindName: String { id.split(separator: "/").last.map(String.init) ?? id }

    /// How this version compares values (its `dialect.yaml`, or the defaults).
    public var dialect: Dialect = .default("")
}

public struct SpecError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
}

/// All specs under a Specs/ directory: `<family>/<version>/*.yaml` plus `<family>/groups.yaml`.
public struct SpecLibrary: Sendable {
    public let tree: SpecTree
    /// Where the specs are, for messages: a directory or "Specs (built in)".
    public var root: String { tree.root }
    public private(set) var specs: [String: Spec] = [:]
    /// The specs of each family-version, by id: matching an HDU walks these (hundreds of HDUs a run).
    private var ordered: [String: [Spec]] = [:]
    private var familyVersions: [String: [String]] = [:]
    /// Each version's dialect file, by "family-version"; versions without one have none here.
    public private(set) var dialects: [String: Dialect] = [:]

    /// The dialect of a version: its `dialect.yaml`, or the defaults.
    public func dialect(_ family: String, _ version: String) -> Dialect {
        dialects["\(family)-\(version)"] ?? .default(version)
    }

    /// The version an HDUVERS value declares: a version that lists it in its dialect's `hduvers`, or
    /// the version of that name; nil when none does.
    public func version(_ family: String, declaredBy hduvers: String) -> String? {
        let known = versions(family)
        return known.first { dialect(family, $0).hduvers.contains(hduvers) }
            ?? (known.contains(hduvers) && dialects["\(family)-\(hduvers)"] == nil ? hduvers : nil)
    }

    /// Whether a family has competing drafts (dialect files), so that a report says which one a file follows.
    public func hasDialects(_ family: String) -> Bool {
        versions(family).contains { dialects["\(family)-\($0)"] != nil }
    }

    /// The specs of `family` version `version`, in id order.
    public func specs(_ family: String, _ version: String) -> [Spec] { ordered["\(family)-\(version)"] ?? [] }
    /// Every YAML file read (relative to the tree), with the meta-schema object it must be: "spec" or "groups_file".
    public private(set) var files: [(path: String, kind: String)] = []

    /// The specs --specs, VODF_SPECS or the binary itself holds (see `SpecTree.locate`).
    public static func locate(override: String? = nil) throws -> SpecLibrary {
        try SpecLibrary(tree: try SpecTree.locate(override: override))
    }

    /// The specs in a directory.
    public init(root: String, families: Set<String>? = nil) throws {
        try self.init(tree: .directory(root), families: families)
    }

    /// Reads the specs of a tree; with `families`, only those families (a GADF file needs no VODF
    /// specs, and reading specs is a large part of validating one file).
    public init(tree: SpecTree, families: Set<String>? = nil) throws {
        self.tree = tree
        let root = tree.root
        var raw: [String: (SpecFile, String, String, String)] = [:] // id -> (file, family, version, path)
        var groups: [String: [String: GroupDef]] = [:]
        var versionGroups: [String: [String: GroupDef]] = [:] // "family-version" -> overrides
        let found = Self.specFiles(tree, families: families)
        // Then parsed on all cores: parsing is most of the time `vodf validate` spends on one file.
        let toParse = found
        let parsed = Parallel.map(toParse.count) { i in try Self.parse(toParse[i].path, in: tree, kind: toParse[i].kind)
        }
        for (i, f) in found.enumerated() {
            files.append((f.path, f.kind))
            switch try parsed[i].get() {
            case .groups(let g):
                if let version = f.version {
                    versionGroups["\(f.family)-\(version)"] = g.groups
                } else {
                    groups[f.family] = g.groups
                }
            case .dialect(var d):
                if d.hduvers.isEmpty { d.hduvers = [f.version!] }
                dialects["\(f.family)-\(f.version!)"] = d
            case .spec(let spec):
                raw["\(f.family)-\(f.version!)/\(spec.id)"] = (spec, f.family, f.version!, tree.path(f.path))
            }
        }
        // The keyword groups each spec takes, its parents' included: a version's changes to a group
        // apply to the specs that extend one taking it.
        func groupNames(_ id: String, depth: Int = 0) -> [String] {
            guard let (s, _, _, _) = raw[id], depth < 8 else { return [] }
            return (s.extends.map { groupNames($0, depth: depth + 1) } ?? []) + (s.groups ?? [])
        }
        func resolve(_ id: String, depth: Int = 0) throws -> Spec {
            guard let (s, family, version, path) = raw[id] else {
                throw SpecError(file: root, reason: "unknown spec '\(id)'")
            }
            guard depth < 8 else { throw SpecError(file: path, reason: "extends chain too deep (cycle?)") }
            var spec: Spec
            if let parent = s.extends {
                guard raw[parent] != nil else {
                    throw SpecError(file: path, reason: "extends unknown spec '\(parent)'")
                }
                spec = try resolve(parent, depth: depth + 1)
                spec.id = id
                spec.version = version
            } else {
                spec = Spec(
                    id: id, family: family, version: version, title: "", reference: "", select: [:], keywords: [:],
                    columns: [:], conditions: [])
            }
            for g in s.groups ?? [] {
                guard let def = groups[family]?[g] else {
                    throw SpecError(file: path, reason: "unknown keyword group '\(g)'")
                }
                for (k, v) in def.keywords { spec.keywords[k] = v }
                // This version's changes to the group, keyword by keyword.
                for (k, v) in versionGroups["\(family)-\(version)"]?[g]?.keywords ?? [:] { spec.keywords[k] = v }
            }
            // Groups inherited through `extends` take this version's changes too, new keywords included.
            if let parent = s.extends {
                for g in groupNames(parent) {
                    for (k, v) in versionGroups["\(family)-\(version)"]?[g]?.keywords ?? [:] { spec.keywords[k] = v }
                }
            }
            Self.merge(s, into: &spec)
            return spec
        }
        for id in raw.keys {
            var spec = try resolve(id)
            spec.dialect = dialects["\(spec.family)-\(spec.version)"] ?? .default(spec.version)
            specs[id] = spec
        }
        ordered = Dictionary(grouping: specs.values) { "\($0.family)-\($0.version)" }.mapValues {
            $0.sorted { $0.id < $1.id }
        }
        familyVersions = Dictionary(grouping: specs.values, by: \.family).mapValues { specs in
            Array(Set(specs.map(\.version))).sorted { $0.compare($1, options: .numeric) == .orderedAscending }
        }
    }

    /// The files of a spec tree in a fixed order: (path, kind, family, version or nil for the
    /// family's groups).
    static func specFiles(_ tree: SpecTree, families: Set<String>?) -> [(
        path: String, kind: String, family: String, version: String?
    )] {
        var found: [(path: String, kind: String, family: String, version: String?)] = []
        for family in tree.entries("") {
            guard tree.isDirectory(family), families?.contains(family) ?? true else { continue }
            if tree.exists(family + "/groups.yaml") {
                found.append((family + "/groups.yaml", "groups_file", family, nil))
            }
            for version in tree.entries(family) where !version.hasSuffix(".yaml") {
                let overrides = family + "/" + version + "/groups.yaml"
                if tree.exists(overrides) { found.append((overrides, "groups_file", family, version)) }
                let dialect = family + "/" + version + "/dialect.yaml"
                if tree.exists(dialect) { found.append((dialect, "dialect_file", family, version)) }
                for f in tree.entries(family + "/" + version)
                where f.hasSuffix(".yaml") && !SpecTree.versionFiles.contains(f) {
                    found.append((family + "/" + version + "/" + f, "spec", family, version))
                }
            }
        }
        return found
    }

    /// What a spec file says over what it extends: its keywords, columns, conditions, checks and
    /// axes (a child's entry replaces the parent's with the same id) and its selection.
    static func merge(_ s: SpecFile, into spec: inout Spec) {
        for (k, v) in s.keywords ?? [:] { spec.keywords[k] = v }
        for k in s.remove_keywords ?? [] { spec.keywords[k] = nil }
        for (k, v) in s.columns ?? [:] { spec.columns[k] = v }
        // A child's condition replaces the parent's with the same id.
        for c in s.conditions ?? [] {
            spec.conditions.removeAll { $0.id == c.id }
            spec.conditions.append(c)
        }
        for c in s.file_checks ?? [] {
            spec.fileChecks.removeAll { $0.id == c.id }
            spec.fileChecks.append(c)
        }
        for a in s.axes ?? [] {
            spec.axes.removeAll { $0.lo == a.lo }
            spec.axes.append(a)
        }
        if let n = s.normalisation { spec.normalisation = n }
        spec.select = s.select
        if let r = s.recognize_by_columns { spec.recognizeByColumns = r }
        if let r = s.recognize_by_any_column { spec.recognizeByAnyColumn = r }
        if let l = s.legacy_select { spec.legacySelect = l }
        if let g = s.gammapy { spec.gammapy = g }
        spec.title = s.title ?? spec.title
        spec.reference = s.reference ?? spec.reference
    }

    /// One spec or groups file, read as YAML nodes (see SpecNodes).
    static func parse(_ relative: String, in tree: SpecTree, kind: String) throws -> ParsedFile {
        let path = tree.path(relative)
        guard let text = tree.text(relative) else { throw SpecError(file: path, reason: "cannot read") }
        do {
            guard let node = try YAMLNode.parse(text) else { throw SpecNodes.Bad(description: "empty file") }
            return try ParsedFile.from(node, kind: kind)
        } catch {
            throw SpecError(file: path, reason: "not a valid spec: \(String(describing: error).prefix(300))")
        }
    }

    /// Versions available for a family, newest last.
    public func versions(_ family: String) -> [String] { familyVersions[family] ?? [] }
}

/// Spec libraries read per family on first use, shared by the files of one `vodf validate` run.
public final class SpecSource: @unchecked Sendable {
    public let tree: SpecTree
    private let lock = NSLock()
    private var loaded: [String: SpecLibrary] = [:]

    public init(tree: SpecTree) { self.tree = tree }
    public convenience init(root: String) { self.init(tree: .directory(root)) }

    public func library(family: String) throws -> SpecLibrary {
        lock.lock()
        defer { lock.unlock() }
        if let lib = loaded[family] { return lib }
        let lib = try SpecLibrary(tree: tree, families: [family])
        loaded[family] = lib
        return lib
    }
}

/// One parsed spec or groups file.
enum ParsedFile {
    case spec(SpecFile)
    case groups(GroupsFile)
    case dialect(Dialect)

    static func from(_ node: YAMLNode, kind: String) throws -> ParsedFile {
        switch kind {
        case "spec": return .spec(try SpecNodes.specFile(node))
        case "dialect_file": return .dialect(try SpecNodes.dialectFile(node))
        default: return .groups(try SpecNodes.groupsFile(node))
        }
    }
}

extension SpecLibrary {
    /// Reads one spec file's text as a library would, as object `kind` ("spec" or "groups_file"),
    /// and throws what would be wrong with it (the fuzzer's entry point into spec reading).
    public static func parse(text: String, kind: String) throws {
        guard let node = try YAMLNode.parse(text) else { throw SpecNodes.Bad(description: "empty file") }
        _ = try ParsedFile.from(node, kind: kind)
    }
}
