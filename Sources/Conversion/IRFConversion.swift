import Diagnostics
import FITSIO
import Foundation
import Model
import Readers

/// What the conversion pipeline does to IRFs, and the facts KM3NeT tables' names declare.
enum IRFConversion {
    /// --clip-negative, then one warning per IRF HDU whose values are carried as read.
    static func prepare<C: IRFComponent>(
        _ component: C, label: String, _ o: ConversionOptions, normalisedByReader: Bool = false
    ) throws -> C {
        var c = component
        if o.clipNegative { c = try c.clippingNegatives().component }
        for w in c.valueWarnings(emptySlices: normalisedByReader) { o.diagnostics.warn("\(label): \(w)") }
        return c
    }

    /// Omissions as one line per reason ("GTI keyword TSTART, GTI keyword TSTOP: why").
    static func omissionLines(_ omissions: [Omission]) -> [String] {
        var reasons: [String] = []
        var whats: [String: [String]] = [:]
        for m in omissions {
            if whats[m.why] == nil { reasons.append(m.why) }
            whats[m.why, default: []].append(m.value.isEmpty ? m.what : "\(m.what) (\(m.value))")
        }
        return reasons.map { "\(whats[$0]!.joined(separator: ", ")): \($0)" }
    }

    /// The channel a KM3NeT table's name declares (`..._track.csv`), numbered in the order of
    /// `EventChannel.knownNames`; nil when the name declares none.
    static func channel(fromFileName path: String) -> EventChannel? {
        let d = EventChannel.described(byFileName: (path as NSString).lastPathComponent)
        guard let name = d.channel else { return nil }
        return EventChannel(
            name: name, number: (EventChannel.knownNames.firstIndex(of: name) ?? 0) + 1,
            flavour: d.flavour, interaction: d.interaction)
    }

    /// "ARCA230" from the path when the published folder name says so; else "KM3NeT".
    static func instrumentName(_ path: String) -> String {
        let p = path.uppercased()
        for name in ["ARCA230", "ARCA115", "ARCA", "ORCA115", "ORCA"] where p.contains(name) { return name }
        return "KM3NeT"
    }
}
