import FITSIO
import Foundation
import Model
import Readers
import Writers

/// IRF inputs -> IRF HDUs: GADF/VODF files from any producer, and the KM3NeT tables.
enum IRFConversion {
    /// --clip-negative, then one warning per IRF HDU whose values are carried as read.
    static func prepare<C: IRFComponent>(_ component: C, label: String, _ o: ConversionOptions, normalisedByReader: Bool = false) throws -> C {
        var c = component
        if o.clipNegative { c = try c.clippingNegatives().component }
        for w in c.valueWarnings(emptySlices: normalisedByReader) { o.onWarning("\(label): \(w)") }
        return c
    }

    /// A GADF or VODF file of any producer: its observation and its IRFs, with the producer's
    /// keywords and comments, written as `release upgrade` writes them. `--kind irf` or
    /// `--kind events` keeps one part; what is left out is said, never dropped silently.
    static func gadf(_ input: String, _: InputKind, _ o: ConversionOptions) throws -> Conversion {
        var dataset = try GADFFile.read(path: input, skippingDamaged: o.skipDamaged)
        var summary: [String] = []
        for s in dataset.skipped { o.onWarning("\(input): skipped \(s.why.hasPrefix(s.what + " ") ? s.why : "\(s.what): \(s.why)")") }
        if !dataset.skipped.isEmpty { summary.append("skipped as damaged: \(dataset.skipped.count)") }
        for line in Self.omissionLines(dataset.omissions) { o.onWarning("\(input): not converted: \(line)") }
        if o.holding == .irf, let obs = dataset.observations.first {
            o.onWarning("\(input): not converted: the event list of OBS_ID \(obs.meta.obsID) and its GTI (--kind irf)")
            dataset.observations = []
        }
        if o.holding == .events, !dataset.responses.isEmpty {
            o.onWarning("\(input): not converted: \(dataset.responses.count) IRF HDU(s) (--kind events)")
            dataset.responses = []
        }
        guard !dataset.observations.isEmpty || !dataset.responses.isEmpty else {
            throw ConversionError("\(input): no event list with its GTI and no IRF HDU (\(IRFKinds.names.joined(separator: ", "))) found", .badInput)
        }
        let writer = DatasetWriter(flavor: o.format, creator: o.creator)
        var irfs: [Table] = []
        for var r in dataset.responses {
            r.component = try prepare(r.component, label: "\(input): \(r.source ?? "")", o)
            r.channel = o.channel ?? r.channel
            r.period = o.period ?? r.period
            irfs.append(try writer.table(r, channelInName: o.channelInName))
            summary.append("\(r.kind.layout.hduClass4) from \(r.source ?? ""): \(r.component.table.shape.map(String.init).joined(separator: " x "))")
        }
        if let obs = dataset.observations.first {
            summary.insert("EVENTS: \(obs.events.count) events, GTI: \(obs.gti.start.count) interval(s), OBS_ID \(obs.meta.obsID)", at: 0)
        }
        return Conversion(tables: try writer.tables(dataset.observations.first, irfs: irfs), primary: writer.primary(dataset),
                          detected: .fits, summary: summary)
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

    static func aeffTable(_ input: String, _: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let aeff = try prepare(try KM3NeTIRFTables.readEffectiveArea(path: input), label: input, o)
        return try table(aeff, input, o, "AEFF_2D: \(aeff.energyAxis.binCount) energy x \(aeff.spatialAxis.binCount) \(aeff.spatialAxis.meaning.rawValue) bins")
    }

    static func psfTable(_ input: String, _: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let psf = try prepare(try KM3NeTIRFTables.readPSF(path: input, clipNegative: o.clipNegative), label: input, o, normalisedByReader: true)
        let n = psf.table.shape
        return try table(psf, input, o, "PSF_TABLE: \(n[0]) energy x \(n[1]) zenith x \(n[2]) rad bins; each energy bin integrates to 1")
    }

    static func edispTable(_ input: String, _: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let edisp = try prepare(try KM3NeTIRFTables.readEnergyResponse(path: input), label: input, o)
        let n = edisp.table.shape
        return try table(edisp, input, o, "EDISP_2D: \(n[0]) energy x \(n[1]) migration x \(n[2]) zenith bins (dP/dmu)")
    }

    static func bkgTable(_ input: String, _: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let bkg = try prepare(try KM3NeTIRFTables.readBackground(path: input), label: input, o)
        return try table(bkg, input, o, "BKG_2D: \(bkg.table.shape[0]) reco energy x \(bkg.table.shape[1]) sin(dec) bins (s-1 MeV-1 sr-1)")
    }

    /// One KM3NeT table as one IRF HDU.
    private static func table<C: IRFComponent>(_ component: C, _ input: String, _ o: ConversionOptions, _ line: String) throws -> Conversion {
        let context = IRFContext(telescope: "KM3NeT", instrument: o.instrument ?? instrumentName(input), origin: "KM3NeT",
                                 creator: o.creator, provenance: [(input as NSString).lastPathComponent],
                                 channel: o.channel ?? channel(fromFileName: input), period: o.period, channelInName: o.channelInName)
        return Conversion(tables: [try IRFWriter(flavor: o.format).table(for: component, context: context)],
                          primary: FITSOutput.primaryCards(creator: o.creator, origin: "KM3NeT", telescope: "KM3NeT"),
                          detected: nil, summary: [line])
    }

    /// The channel a KM3NeT table's name declares (`..._track.csv`), numbered in the order of
    /// `EventChannel.knownNames`; nil when the name declares none.
    static func channel(fromFileName path: String) -> EventChannel? {
        let d = EventChannel.described(byFileName: (path as NSString).lastPathComponent)
        guard let name = d.channel else { return nil }
        return EventChannel(name: name, number: (EventChannel.knownNames.firstIndex(of: name) ?? 0) + 1,
                            flavour: d.flavour, interaction: d.interaction)
    }

    /// "ARCA230" from the path when the published folder name says so; else "KM3NeT".
    static func instrumentName(_ path: String) -> String {
        let p = path.uppercased()
        for name in ["ARCA230", "ARCA115", "ARCA", "ORCA115", "ORCA"] where p.contains(name) { return name }
        return "KM3NeT"
    }
}
