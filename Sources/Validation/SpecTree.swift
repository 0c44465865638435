import Foundation

/// Where spec files are read from: the specs compiled into the binary (from Specs/ at build time,
/// by the EmbedSpecs plugin), or a directory given with --specs or VODF_SPECS by people who edit
/// specs. Paths inside are relative: `gadf/0.3/events.yaml`.
public struct SpecTree: Sendable {
    /// The directory, or "Specs (built in)"; messages name files under it.
    public let root: String
    private let embedded: [String: String]?

    public var isBuiltIn: Bool { embedded != nil }

    public static func directory(_ path: String) -> SpecTree { SpecTree(root: path, embedded: nil) }

    /// The specs this binary was built with.
    public static let builtIn = SpecTree(
        root: "Specs (built in)",
        embedded: EmbeddedSpecs.base64.compactMapValues {
            Data(base64Encoded: $0).map { String(decoding: $0, as: UTF8.self) }
        })

    /// `--specs DIR`, else VODF_SPECS, else the built-in specs. A directory must hold specs: one
    /// without any would check nothing and pass everything.
    public static func locate(override: String? = nil) throws -> SpecTree {
        guard let dir = override ?? ProcessInfo.processInfo.environment["VODF_SPECS"] else { return builtIn }
        let tree = SpecTree.directory(dir)
        let holdsSpecs = tree.entries("").contains { family in
            tree.entries(family).contains { version in
                tree.entries(family + "/" + version).contains { $0.hasSuffix(".yaml") && !versionFiles.contains($0) }
            }
        }
        guard holdsSpecs else {
            throw SpecError(
                file: dir,
                reason:
                    "\(override != nil ? "--specs" : "VODF_SPECS") names no specs (expected FAMILY/VERSION/*.yaml under it)"
            )
        }
        return tree
    }

    /// The path a message names for a file of the tree.
    /// The files of a version directory that are not HDU specs.
    public static let versionFiles: Set<String> = ["groups.yaml", "dialect.yaml"]

    public func path(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

    /// The names directly under `relative` ("" for the top), sorted.
    public func entries(_ relative: String) -> [String] {
        guard let embedded else {
            return ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted()
        }
        let prefix = relative.isEmpty ? "" : relative + "/"
        let names = embedded.keys.filter { $0.hasPrefix(prefix) }.compactMap {
            $0.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
        }
        return Set(names).sorted()
    }

    public func isDirectory(_ relative: String) -> Bool {
        guard let embedded else {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: path(relative), isDirectory: &isDir) && isDir.boolValue
        }
        return embedded.keys.contains { $0.hasPrefix(relative + "/") }
    }

    public func exists(_ relative: String) -> Bool {
        embedded.map { $0[relative] != nil || isDirectory(relative) }
            ?? FileManager.default.fileExists(atPath: path(relative))
    }

    /// The text of a file, or nil if it is not there or not UTF-8.
    public func text(_ relative: String) -> String? {
        embedded.map { $0[relative] } ?? (try? String(contentsOfFile: path(relative), encoding: .utf8))
    }
}

/// A spec version's name as users write it: `gadf-0.3`, `vodf-mock-0.1` or `vodf/mock-0.1`. The family
/// is what comes before the first separator (versions may hold dashes, families do not).
public enum SpecVersionName {
    public static func split(_ s: String) -> (family: String, version: String)? {
        guard let i = s.firstIndex(where: { $0 == "-" || $0 == "/" }), i != s.startIndex,
            s.index(after: i) != s.endIndex
        else { return nil }
        return (String(s[..<i]), String(s[s.index(after: i)...]))
    }

    /// `family-version`, the prefix of the ids of its specs.
    public static func key(_ s: String) -> String { split(s).map { "\($0.family)-\($0.version)" } ?? s }
}
