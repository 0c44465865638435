import ANTARES
import Alerts
import Foundation
import GADF
import KM3NeT
import Model
import Readers

extension InputFormats {
    /// Every built-in format, in the order the help lists them.
    static let builtIn: [any InputFormat] = [
        ANTARESFormat(
            kind: .antaresPublicList,
            help: "ANTARES public event list, tab-separated (PublicData_0717.dat layout) -> EVENTS + GTI"),
        ANTARESFormat(
            kind: .antaresVOTableCSV,
            help: "ANTARES ant20_01 VO-table CSV export (id, ra, dec, mjd, nhit, beta) -> EVENTS + GTI"),
        ANTARESFormat(
            kind: .antaresConeSearchCSV,
            help: "ANTARES from the VO service: cone-search CSV (_r, MJD, Beta, Nhit, RA, Decl, ID) -> EVENTS + GTI"),
        ANTARESFormat(
            kind: .antaresVOTable,
            help: "ANTARES from the VO service: VOTable (TABLEDATA, BINARY, BINARY2) -> EVENTS + GTI"),
        GADFFormat(),
        KM3NeTTableFormat(
            kind: .km3netAeffTable, component: EffectiveArea.self,
            help: "KM3NeT IRF table aeff_coszen_*.csv -> AEFF_2D"
        ) { path, _ in
            let aeff = try KM3NeTIRFTables.readEffectiveArea(path: path)
            let (e, s) = (aeff.energyAxis, aeff.spatialAxis)
            return (aeff, "AEFF_2D: \(e.binCount) energy x \(s.binCount) \(s.meaning.rawValue) bins")
        },
        KM3NeTTableFormat(
            kind: .km3netPSFTable, component: PSFTable.self, normalisedByReader: true,
            help: "KM3NeT IRF table psf_*.csv -> PSF_TABLE"
        ) { path, o in
            let psf = try KM3NeTIRFTables.readPSF(path: path, clipNegative: o.clipNegative)
            let n = psf.table.shape
            return (
                psf, "PSF_TABLE: \(n[0]) energy x \(n[1]) zenith x \(n[2]) rad bins; each energy bin integrates to 1"
            )
        },
        KM3NeTTableFormat(
            kind: .km3netEnergyResponseTable, component: EnergyDispersion.self,
            help: "KM3NeT IRF table energyresponse_*.csv -> EDISP_2D"
        ) { path, _ in
            let edisp = try KM3NeTIRFTables.readEnergyResponse(path: path)
            let n = edisp.table.shape
            return (edisp, "EDISP_2D: \(n[0]) energy x \(n[1]) migration x \(n[2]) zenith bins (dP/dmu)")
        },
        KM3NeTTableFormat(
            kind: .km3netBackgroundTable, component: Background2D.self,
            help: "KM3NeT IRF table bkg_*.csv -> BKG_2D"
        ) { path, _ in
            let bkg = try KM3NeTIRFTables.readBackground(path: path)
            let n = bkg.table.shape
            return (bkg, "BKG_2D: \(n[0]) reco energy x \(n[1]) sin(dec) bins (s-1 MeV-1 sr-1)")
        },
        KM3NeTTableFormat(
            kind: .km3netAeffJSON, component: EffectiveArea.self,
            help: "KM3NeT effective area in JSON (sky-averaged, at bin centres, as the KM3-230213A release) -> AEFF_2D"
        ) { path, _ in
            let aeff = try KM3NeTAeffJSON.read(path: path)
            return (aeff, "AEFF_2D: \(aeff.energyAxis.binCount) energy bins (edges inferred), all-sky")
        },
        KM3NeTEventsFormat(
            kind: .root, name: "KM3NeT offline or dst file (ROOT)",
            help: "KM3NeT offline or dst ROOT file (E tree; dst friend tree T) -> EVENTS + GTI"),
        KM3NeTEventsFormat(
            kind: .hdf5, name: "km3pipe event file (HDF5)",
            help: "km3pipe HDF5 file, format 5.1 (/event_info, /reco/tracks, /reco/rec_stages) -> EVENTS + GTI"),
        AlertFormat(
            kind: .voevent, name: "VOEvent 2.0/2.1 alert (XML)",
            help: "VOEvent 2.0 or 2.1 alert (vodfkit's, AMON's, KM3NeT's) -> EVENTS + GTI, one row per event"),
        AlertFormat(
            kind: .gcnNotice, name: "GCN neutrino alert notice (JSON: KM3NeT, IceCube)",
            help:
                "GCN neutrino alert notice (JSON: KM3NeT's, IceCube's) -> EVENTS + GTI, one row per event of event_details"
        ),
    ]
}

/// The ANTARES public sample in each published layout.
struct ANTARESFormat: BuiltInFormat {
    let kind: InputKind
    /// Its name is the kind's: one spelling.
    var name: String { kind.rawValue }
    let help: String
    var holds: Holding { .events }

    func read(_ path: String, options o: ConversionOptions) throws -> Dataset {
        let obs = try ANTARESEventList.read(
            path: path, kind: kind, options: .init(obsID: o.obsID ?? "1", creator: o.creator),
            diagnostics: o.diagnostics)
        let n = obs.events.count
        var d = Dataset.of(obs)
        d.summary = [
            "EVENTS: \(n) events (in \(n) = written \(n) + rejected 0), GTI: \(obs.gti.start.count) interval(s)"
        ]
        return d
    }
}

/// KM3NeT offline/dst ROOT and km3pipe HDF5: the best track of the chosen reconstruction per event.
struct KM3NeTEventsFormat: BuiltInFormat {
    let kind: InputKind
    let name: String
    let help: String
    var holds: Holding { .events }

    func read(_ path: String, options o: ConversionOptions) throws -> Dataset {
        let opts = Self.options(o)
        o.onProgress("reading \(path) ...")
        var check: OfflineEvents.AanetCheck?
        let obs: Observation
        if kind == .root, o.crossCheckAanet {
            let reading = try OfflineEvents.reading(path: path, options: opts)
            obs = reading.observation
            check = reading.aanetCheck
        } else if kind == .root {
            obs = try OfflineEvents.read(path: path, options: opts)
        } else {
            obs = try KM3PipeEvents.read(path: path, options: opts)
        }
        var d = Dataset.of(obs)
        let rejected = obs.meta.rejections.reduce(0) { $0 + $1.count }
        d.summary = ["EVENTS: in \(obs.meta.eventsIn ?? 0) = written \(obs.events.count) + rejected \(rejected)"]
        for r in obs.meta.rejections { d.summary.append("  rejected \(r.count): \(r.reason)") }
        d.summary.append(
            "OBS_ID \(obs.meta.obsID), site \(obs.meta.site?.name ?? "?"), \(obs.meta.isSimulated ? "simulation" : "data"), "
                + "time coverage \(obs.meta.coverageSource.rawValue)")
        if let check {
            d.summary.append(
                String(
                    format: "cross-check vs aanet T/coords (%d events): median %.5f deg, max %.5f deg",
                    check.count, check.median, check.max))
        }
        return d
    }

    func runNumber(_ path: String) throws -> Int? {
        try (kind == .root ? OfflineEvents.firstRunID(path: path) : KM3PipeEvents.firstRunID(path: path)).map(Int.init)
    }

    static func options(_ o: ConversionOptions) -> OfflineEvents.Options {
        var opts = OfflineEvents.Options()
        opts.reco = o.reco
        opts.convention = o.convention
        opts.creator = o.creator
        opts.obsID = o.obsID
        if let location = o.location { opts.location = location }
        return opts
    }
}

/// The KM3NeT IRF tables (KM3NeT/ARCA230 layout), one IRF each; `table` reads one into its component
/// and a summary line.
struct KM3NeTTableFormat: BuiltInFormat {
    let kind: InputKind
    var name: String { kind.rawValue }
    let component: any IRFComponent.Type
    var holds: Holding { .of(component) }
    /// Whether the reader normalises the table (the PSF's energy bins integrate to 1).
    var normalisedByReader = false
    let help: String
    let table: @Sendable (String, ConversionOptions) throws -> (any IRFComponent, String)

    func read(_ path: String, options o: ConversionOptions) throws -> Dataset {
        let (component, line) = try table(path, o)
        var response = Response(
            component: component, telescope: "KM3NeT", instrument: o.instrument ?? IRFConversion.instrumentName(path),
            origin: "KM3NeT", channel: IRFConversion.channel(fromFileName: path),
            provenance: [(path as NSString).lastPathComponent])
        response.normalisedByReader = normalisedByReader
        var d = Dataset()
        d.responses = [response]
        d.origin = "KM3NeT"
        d.telescope = "KM3NeT"
        d.summary = [line]
        return d
    }
}

/// A GADF or VODF file of any producer: its observation and its IRFs (`GADFFile`).
struct GADFFormat: BuiltInFormat {
    var kind: InputKind { .fits }
    var name: String { "GADF or VODF file (FITS): events, GTI, IRFs" }
    var help: String {
        "GADF or VODF file from any producer: EVENTS + GTI and IRFs (\(IRFKinds.names.joined(separator: ", "))) -> the same HDUs, producer keywords carried"
    }
    var holds: Holding { .irf }
    var alsoHolds: [Holding] { [.events] }
    var isFITS: Bool { true }

    func read(_ path: String, options o: ConversionOptions) throws -> Dataset {
        var d = try GADFFile.read(path: path, skippingDamaged: o.skipDamaged)
        if let obs = d.observations.first {
            d.summary.append(
                "EVENTS: \(obs.events.count) events, GTI: \(obs.gti.start.count) interval(s), OBS_ID \(obs.meta.obsID)")
        }
        return d
    }
}

/// A VOEvent or GCN notice: the alert, and its events as an observation.
struct AlertFormat: BuiltInFormat {
    let kind: InputKind
    let name: String
    let help: String
    var holds: Holding { .events }
    var holdsAlerts: Bool { true }

    func read(_ path: String, options o: ConversionOptions) throws -> Dataset {
        let alert = kind == .voevent ? try VOEventReader.read(path: path).alert : try GCNNoticeReader.read(path: path)
        let obs = try AlertConversion.observation(
            alert, obsID: o.obsID, creator: o.creator,
            source: "\(kind.rawValue): \((path as NSString).lastPathComponent)")
        var d = Dataset.of(obs)
        d.alerts = [alert]
        d.summary = [
            "EVENTS: \(obs.events.count) event(s) of alert \(alert.name), GTI: \(obs.gti.start.count) interval(s)"
        ]
        return d
    }
}

extension Dataset {
    /// One observation, with its origin and telescope named in the primary header.
    static func of(_ obs: Observation) -> Dataset {
        var d = Dataset()
        d.observations = [obs]
        d.origin = obs.meta.origin
        d.telescope = obs.meta.telescope
        return d
    }
}
