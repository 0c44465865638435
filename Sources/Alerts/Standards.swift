import Foundation
import JSONIO
import Model
import XMLIO

/// The machine-readable standards alerts are checked against: the VOEvent XSDs and the GCN notice
/// JSON Schemas. They are IVOA and NASA files that vodfkit does not copy; it reads them where they
/// are: `--standards DIR`, else `$VODF_STANDARDS`, else a `standards` or `shared/standards` folder
/// beside the working directory or one of its parents (a checkout next to `../shared`), else
/// `share/vodfkit/standards` beside the installed binary.
public final class Standards: @unchecked Sendable {
    public let directory: String
    private var voevent: [VOEventVersion: XMLSchema] = [:]
    private var gcn: [String: JSONSchema] = [:]
    private let lock = NSLock()

    public init(directory: String) { self.directory = (directory as NSString).standardizingPath }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The standards directory to use: the one given, else the first found.
    public static func locate(_ given: String? = nil) throws -> Standards {
        if let given {
            guard isStandards(given) else {
                throw Missing(
                    description:
                        "\(given): no voevent/VOEvent-v2.0.xsd or \(GCNNoticeFormat.schemaFile) in this standards directory"
                )
            }
            return Standards(directory: given)
        }
        if let env = ProcessInfo.processInfo.environment["VODF_STANDARDS"], !env.isEmpty {
            guard isStandards(env) else {
                throw Missing(
                    description:
                        "VODF_STANDARDS=\(env): no voevent/VOEvent-v2.0.xsd or \(GCNNoticeFormat.schemaFile) there")
            }
            return Standards(directory: env)
        }
        for c in candidates() where isStandards(c) { return Standards(directory: c) }
        throw Missing(
            description:
                "the VOEvent XSDs and GCN notice schemas were not found: pass --standards DIR or set VODF_STANDARDS (a folder with voevent/VOEvent-v2.0.xsd and \(GCNNoticeFormat.schemaFile))"
        )
    }

    static func isStandards(_ dir: String) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: dir + "/" + VOEventVersion.v2_0.schemaFile)
            || fm.fileExists(atPath: dir + "/" + GCNNoticeFormat.schemaFile)
    }

    static func candidates() -> [String] {
        var out: [String] = []
        var dir = FileManager.default.currentDirectoryPath
        for _ in 0..<5 {
            out += [dir + "/standards", dir + "/shared/standards"]
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir { break }
            dir = parent
        }
        let exe = ((CommandLine.arguments.first.map { ($0 as NSString).resolvingSymlinksInPath } ?? "") as NSString)
            .deletingLastPathComponent
        if !exe.isEmpty { out.append(exe + "/../share/vodfkit/standards") }
        return out
    }

    /// The compiled XSD of a VOEvent version (compiled once).
    public func schema(_ version: VOEventVersion) throws -> XMLSchema {
        lock.lock()
        defer { lock.unlock() }
        if let s = voevent[version] { return s }
        let s = try XMLSchema(path: directory + "/" + version.schemaFile)
        voevent[version] = s
        return s
    }

    /// The GCN notice schema a notice names in `$schema` (`https://gcn.nasa.gov/schema/VERSION/gcn/notices/...`,
    /// read from the same path under this directory), else the KM3NeT alert schema. Its references
    /// are read from beside it.
    public func gcnSchema(named url: String? = nil) throws -> JSONSchema {
        var file = GCNNoticeFormat.schemaFile
        if let url, let r = url.range(of: "/gcn/notices/"), url.hasPrefix("https://gcn.nasa.gov/schema/") {
            let rel = "gcn/notices/" + url[r.upperBound...]
            guard !rel.contains(".."), FileManager.default.fileExists(atPath: directory + "/" + rel) else {
                throw Missing(description: "the notice's schema \(url) is not in \(directory) (\(rel))")
            }
            file = rel
        }
        lock.lock()
        defer { lock.unlock() }
        if let g = gcn[file] { return g }
        let g = try JSONSchema(path: directory + "/" + file)
        gcn[file] = g
        return g
    }
}
