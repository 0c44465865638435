import Foundation
import PackagePlugin

/// Compiles the YAML under Specs/ into the target that validates with them, so that an installed
/// `vodf` needs no Specs/ directory beside it. Specs/ stays the only copy: the generated source
/// lives in the build directory and is remade whenever a spec file changes.
@main
struct EmbedSpecs: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let specs = context.package.directoryURL.appendingPathComponent("Specs")
        let walk = FileManager.default.enumerator(at: specs, includingPropertiesForKeys: nil)
        let files = (walk?.compactMap { $0 as? URL } ?? []).filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSpecs.swift")
        return [.buildCommand(displayName: "Embedding \(files.count) spec files from Specs/ into \(target.name)",
                              executable: try context.tool(named: "embed-specs").url,
                              arguments: [specs.path, output.path] + files.map(\.path),
                              inputFiles: files, outputFiles: [output])]
    }
}
