import ArgumentParser
import Foundation
import ROOTIO

struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "root",
        abstract: "Look inside ROOT files with vodfkit's native reader (no ROOT needed).",
        discussion: """
            For people debugging KM3NeT offline/dst files:
              vodf root ls FILE                          keys, trees, branches, types and entry counts
              vodf root dump FILE TREE BRANCH            a branch's values, one entry per line
              vodf root dump FILE E Evt/trks/trks.E --entries 0:5 --json
            """,
        subcommands: [RootList.self, RootDump.self])
}

struct RootList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List keys, trees and their branches with types and entry counts.")

    @Argument(help: "ROOT file.")
    var file: String

    @Flag(help: "Also show each branch's on-disk metadata (fType, fStreamerType, class, baskets).")
    var verbose = false

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        do {
            let f = try ROOTFile(path: file)
            print(
                "\(file)  (ROOT \(f.version / 10000).\((f.version / 100) % 100)/\(f.version % 100), compression \(f.compression))"
            )
            for (path, key) in try f.root.walk() {
                print("\(path);\(key.cycle)  \(key.className)")
                guard key.className == "TTree" else { continue }
                let tree = try f.tree(path)
                print("  \(tree.entries) entries, \(tree.allBranches.count) branches")
                for b in tree.allBranches {
                    let depth = b.path.split(separator: "/").count
                    let indent = String(repeating: "  ", count: depth)
                    let type = (try? Interpretation.of(b, registry: tree.registry).description) ?? "unreadable"
                    var line = "\(indent)\(b.name)  \(type)"
                    if verbose {
                        line +=
                            "  [\(b.className) fType=\(b.branchType) st=\(b.streamerType) class=\(b.elementClass) id=\(b.id) baskets=\(b.basketCount) entries=\(b.entries)]"
                    }
                    print(line)
                }
            }
        } catch let e as ROOTError {
            throw Failure(message: e.description, code: Exit.badInput)
        }
    }
}
