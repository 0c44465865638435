import Conversion
import Foundation
import GADF
import MCIRF
import Model
import Readers
import TestSupport
import Testing

@testable import vodf

/// The help texts are generated from the registries; these tests fail if a kind is added to one
/// and the help (or the other registry) does not follow.
@Suite("Registries and help", .serialized)
struct RegistryTests {
    /// The entries of the "  - " list that follows `marker` in a help text.
    func listed(after marker: String, in help: String) -> [String] {
        let lines = help.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.contains(marker) }) else { return [] }
        var entries: [String] = []
        for line in lines[(start + 1)...] {
            if line.hasPrefix("  - ") {
                entries.append(String(line.dropFirst(4)))
            } else if line.isEmpty || line.hasPrefix("IRF kinds") {
                break
            } else if !entries.isEmpty {
                entries[entries.count - 1] += " " + line
            } // a wrapped line
        }
        return entries.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    }

    func normalised(_ s: String) -> String { s.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    @Test func everyInputKindHasOneFormat() {
        for kind in InputKind.allCases {
            #expect(InputFormats.all.filter { $0.label == kind.rawValue }.count == 1, "\(kind)")
        }
        #expect(InputFormats.all.count >= InputKind.allCases.count)
    }

    @Test func convertHelpListsExactlyTheInputKinds() {
        let help = ConvertCommand.helpMessage(columns: 100)
        #expect(
            listed(after: "detected from the file's content", in: help) == InputFormats.all.map { normalised($0.help) })
    }

    @Test func topLevelHelpListsExactlyTheInputAndIRFKinds() {
        let help = VodfCommand.helpMessage(columns: 100)
        #expect(listed(after: "Inputs are recognised by content", in: help) == InputFormats.all.map(\.name))
        let irfLine = normalised(help).components(separatedBy: "IRF kinds read and written: ").last?.components(
            separatedBy: "."
        ).first
        #expect(irfLine == IRFKinds.names.joined(separator: ", "))
        #expect(help.contains(OutputProfile.allCases.map(\.rawValue).joined(separator: ", ")))
    }

    @Test func irfKindsHaveOneLayoutEach() {
        let names = IRFKinds.names
        #expect(Set(names).count == names.count)
        for k in IRFKinds.all {
            let l = k.layout
            #expect(!l.axes.isEmpty && !l.dataColumns.isEmpty, "\(l.hduClass4)")
            // Every axis slot is a column name of the axis table, and its meanings have spec units.
            for slot in l.axes {
                let meanings = AxisColumns.rows.filter { $0.gadf == slot }.map(\.meaning)
                #expect(!meanings.isEmpty, "\(l.hduClass4): axis \(slot) is not in AxisColumns")
                #expect(
                    meanings.contains { l.axisUnits[$0] != nil || $0 == l.energy },
                    "\(l.hduClass4): no unit for axis \(slot)")
            }
            #expect(IRFKinds.kind(hduClass2: l.hduClass2, hduClass4: l.hduClass4) == k)
            for legacy in l.legacyClasses {
                #expect(IRFKinds.kind(hduClass2: legacy.hduClass2, hduClass4: legacy.hduClass4) == k)
            }
        }
        // The --kind irf help and the reader's "no IRF HDU" message name the same list.
        #expect(normalised(ConvertCommand.helpMessage(columns: 200)).contains(names.joined(separator: ", ")))
    }

    @Test func axisTableReadsBackWhatWritersWrite() {
        for row in AxisColumns.rows {
            for gadf in [true, false] where gadf == false || row.gadf != nil {
                let name = AxisColumns.name(row.meaning, gadf: gadf)
                if let slot = row.gadf { #expect(AxisColumns.slot(ofColumn: name) == slot, "\(name)") }
            }
        }
    }

    @Test func mcBuildKindsAreInTheHelp() {
        let help = normalised(IRFBuild.helpMessage(columns: 200))
        #expect(help.contains(MCIRFBuilder.Kind.allCases.map(\.rawValue).joined(separator: ", ")))
    }
}
