import ArgumentParser
import Astrometry
import FITSIO
import Foundation
import Model
import Readers
import ROOTIO
import Writers

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an input file into a GADF or VODF FITS file.",
        discussion: """
        The input kind is detected from the file's content:
          - ANTARES public event list, tab-separated (PublicData_0717.dat layout)   -> EVENTS + GTI
          - ANTARES ant20_01 VO-table CSV export (id, ra, dec, mjd, nhit, beta)       -> EVENTS + GTI
          - ANTARES from the VO service: cone-search CSV (_r, MJD, Beta, Nhit, RA, Decl, ID)
            or its VOTable (TABLEDATA, BINARY, BINARY2)                              -> EVENTS + GTI
          - GADF or VODF IRF file from any producer (AEFF_2D, EDISP_2D, PSF_TABLE, PSF_3GAUSS,
            PSF_KING, BKG_2D, BKG_3D, RAD_MAX_2D)                                    -> the same IRFs
          - KM3NeT IRF tables: aeff_coszen_*.csv, psf_*.csv, energyresponse_*.csv, bkg_*.csv
                                                          -> AEFF_2D, PSF_TABLE, EDISP_2D, BKG_2D
          - KM3NeT offline or dst ROOT file (E tree; dst friend tree T)             -> EVENTS + GTI
          - km3pipe HDF5 file, format 5.1 (/event_info, /reco/tracks, /reco/rec_stages) -> EVENTS + GTI

        KM3NeT events: the best track of --reco per event (km3io's best_track rule), its direction
        turned into the source direction, the local horizon (UTM meridian convergence) and the sky.
        The site comes from the det_id (built-in table), --detx FILE, or --site orca|arca|antares.

        Examples:
          vodf convert PublicData_0717.dat -o antares.fits
          vodf convert aeff_coszen_allnumuCC_track.csv -o aeff.fits --format gadf-0.2
          vodf convert aeff_coszen_allnumuCC_track.csv -o aeff-vodf.fits --format vodf
          vodf convert km3net-arca230-irf/ -o arca230-irf.fits --kind irf    (all tables of a directory)
          vodf convert orca6_sample.root -o orca6.fits --reco jmuon
          vodf convert mc.root -o mc.fits --site arca --astrometry icrs

        IRF values are written as read: negative and NaN bins (real files have them; gammapy reads
        them) are counted in NEGBINS/NANBINS with one warning per HDU; --clip-negative sets negatives to 0.

        The output is written to a temporary file beside the target and renamed when complete,
        so a failed conversion never leaves a partial file.
        """)

    @Argument(help: "Input file or directory of KM3NeT IRF tables; its kind is detected from its content (see above).")
    var input: String

    @Option(name: .shortAndLong, help: "Output FITS file.")
    var output: String

    @Option(help: "Output format: \(FormatFlavor.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: String = FormatFlavor.gadf03.rawValue

    @Option(help: "What the input must hold: events, aeff, psf, edisp, bkg or irf (a GADF/VODF IRF file). Default: what it holds.")
    var kind: String?

    @Option(help: "Observation id for event lists without one (integer for GADF).")
    var obsID: String = "1"

    @Option(help: "INSTRUME for IRF tables. Default: taken from the input path when it names a detector (e.g. ARCA230), else KM3NeT.")
    var instrument: String?

    @Option(help: "KM3NeT reconstruction whose best track is used: \(Reconstruction.allCases.map(\.rawValue).joined(separator: ", ")). jmuon: rec_stages 0-99, jshower 100-199, dusjshower 200-299, aashower 300-399, first: trks[0].")
    var reco: String = "jmuon"

    @Option(help: "detx file whose header (UTM WGS84 zone easting northing height) gives the detector site.")
    var detx: String?

    @Option(help: "Detector site when det_id is not in the built-in table: orca, arca or antares.")
    var site: String?

    @Option(help: "Equatorial coordinates: aanet (KM3NeT's convention, default) or icrs (full ERFA reduction).")
    var astrometry: String = "aanet"

    @Flag(help: ArgumentHelp("Set negative IRF values to 0 (recorded as NEGCLIP in the header).",
                             discussion: "By default IRF values are written as read, negative and NaN bins included (gammapy reads them); a warning names each HDU that has them and NEGBINS/NANBINS count them."))
    var clipNegative = false

    @Flag(help: ArgumentHelp("GADF/VODF IRF input: skip HDUs that cannot be read, and the tail of a truncated file, naming each in a warning.",
                             discussion: "By default a file with any unreadable HDU is not converted, so that a damaged file never passes for a complete one."))
    var skipDamaged = false

    @Flag(name: .shortAndLong, help: "Print no summary on success (warnings still go to stderr).")
    var quiet = false

    /// --clip-negative, then one warning per IRF HDU whose values are carried as read.
    private func prepare<C: IRFComponent>(_ component: C, label: String, normalisedByReader: Bool = false) throws -> C {
        var c = component
        if clipNegative { c = try c.clippingNegatives().component }
        for w in c.valueWarnings(emptySlices: normalisedByReader) { warn("\(label): \(w)") }
        return c
    }

    func validate() throws {
        guard FormatFlavor(rawValue: format) != nil else {
            throw ValidationError("unknown format '\(format)'; choose one of \(FormatFlavor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let kind, !["events", "aeff", "psf", "edisp", "bkg", "irf"].contains(kind) {
            throw ValidationError("unknown kind '\(kind)'; choose events, aeff, psf, edisp, bkg or irf")
        }
        guard Reconstruction(rawValue: reco) != nil else {
            throw ValidationError("unknown reconstruction '\(reco)'; choose one of \(Reconstruction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard EquatorialConvention(rawValue: astrometry) != nil else {
            throw ValidationError("unknown astrometry '\(astrometry)'; choose aanet or icrs")
        }
        if let site, DetectorSites.named(site) == nil {
            throw ValidationError("unknown site '\(site)'; choose orca, arca or antares")
        }
        if detx != nil, site != nil { throw ValidationError("give --detx or --site, not both") }
    }

    /// Whether --obs-id was given (for ROOT inputs the run id is the default).
    private var obsIDGiven: Bool { CommandLine.arguments.contains { $0 == "--obs-id" || $0.hasPrefix("--obs-id=") } }

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        let flavor = FormatFlavor(rawValue: format)!
        let creator = "vodfkit \(vodfkitVersion)"
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            try convertTableDirectory(flavor: flavor, creator: creator)
            return
        }
        let detected: InputKind
        do { detected = try InputKind.detect(path: input) } catch { throw Failure(message: "\(error)", code: Exit.badInput) }

        let inputKind: String
        switch detected {
        case .antaresPublicList, .antaresVOTableCSV, .antaresConeSearchCSV, .antaresVOTable: inputKind = "events"
        case .km3netAeffTable: inputKind = "aeff"
        case .km3netPSFTable: inputKind = "psf"
        case .km3netEnergyResponseTable: inputKind = "edisp"
        case .km3netBackgroundTable: inputKind = "bkg"
        case .root, .hdf5: inputKind = "events"
        case .fits: inputKind = "irf"
        }
        if let kind, kind != inputKind {
            throw Failure(message: "\(input): holds \(inputKind), not \(kind) (\(detected.rawValue))", code: Exit.badInput)
        }

        let tables: [Table]
        let primary: [HeaderCard]
        var summary: [String] = []
        do {
            switch detected {
            case .antaresPublicList, .antaresVOTableCSV, .antaresConeSearchCSV, .antaresVOTable:
                let obs = try ANTARESEventList.read(path: input, kind: detected,
                                                    options: .init(obsID: obsID, creator: creator))
                tables = try ObservationWriter(flavor: flavor).tables(for: obs)
                primary = FITSOutput.primaryCards(creator: creator, origin: obs.meta.origin, telescope: obs.meta.telescope)
                let n = obs.events.count
                summary.append("EVENTS: \(n) events (in \(n) = written \(n) + rejected 0), GTI: \(obs.gti.start.count) interval(s)")
            case .root, .hdf5:
                var opts = OfflineEvents.Options()
                opts.reco = Reconstruction(rawValue: reco)!
                opts.convention = EquatorialConvention(rawValue: astrometry)!
                opts.creator = creator
                if obsIDGiven { opts.obsID = obsID }
                if let detx { opts.location = try DetectorSites.fromDetx(path: detx) }
                if let site { opts.location = DetectorSites.named(site) }
                // Progress for people at a terminal; logs and CI get only the summary.
                if !quiet, isatty(2) != 0 { FileHandle.standardError.write(Data("reading \(input) ...\n".utf8)) }
                let obs = detected == .root ? try OfflineEvents.read(path: input, options: opts)
                                            : try KM3PipeEvents.read(path: input, options: opts)
                tables = try ObservationWriter(flavor: flavor).tables(for: obs)
                primary = FITSOutput.primaryCards(creator: creator, origin: obs.meta.origin, telescope: obs.meta.telescope)
                let rejected = obs.meta.rejections.reduce(0) { $0 + $1.count }
                summary.append("EVENTS: in \(obs.meta.eventsIn ?? 0) = written \(obs.events.count) + rejected \(rejected)")
                for r in obs.meta.rejections { summary.append("  rejected \(r.count): \(r.reason)") }
                summary.append("OBS_ID \(obs.meta.obsID), site \(obs.meta.site?.name ?? "?"), \(obs.meta.isSimulated ? "simulation" : "data"), time coverage \(obs.meta.coverageSource.rawValue)")
                if detected == .root, let check = try? OfflineEvents.crossCheckAanet(path: input, observation: obs) {
                    summary.append(String(format: "cross-check vs aanet T/coords (%d events): median %.5f deg, max %.5f deg", check.count, check.median, check.max))
                }
            case .fits:
                let reading = try GADFIRFReader.read(path: input, skippingDamaged: skipDamaged)
                for s in reading.skipped { warn("\(input): skipped \(s)") }
                if !reading.skipped.isEmpty { summary.append("skipped as damaged: \(reading.skipped.count)") }
                var entries = reading.entries
                for k in entries.indices {
                    entries[k].component = try prepare(entries[k].component, label: "\(input): HDU \(entries[k].hdu) (\(entries[k].extname))")
                }
                guard !entries.isEmpty else { throw Failure(message: "\(input): no IRF HDU (AEFF_2D, EDISP_2D, PSF_TABLE, PSF_3GAUSS, PSF_KING, BKG_2D, BKG_3D, RAD_MAX_2D) found", code: Exit.badInput) }
                let writer = IRFWriter(flavor: flavor)
                tables = try entries.map { e in
                    try writer.table(for: e.component, context: IRFContext(telescope: e.telescope, instrument: e.instrument, origin: e.telescope,
                                                                          creator: creator, provenance: ["\((input as NSString).lastPathComponent) HDU \(e.hdu) (\(e.extname))"]))
                }
                primary = FITSOutput.primaryCards(creator: creator, origin: nil, telescope: entries.first?.telescope)
                for e in entries { summary.append("\(e.kind.rawValue) from HDU \(e.hdu) (\(e.extname)): \(e.component.table.shape.map(String.init).joined(separator: " x "))") }
            default:
                let context = IRFContext(telescope: "KM3NeT", instrument: instrument ?? instrumentName(input), origin: "KM3NeT",
                                         creator: creator, provenance: [(input as NSString).lastPathComponent])
                let writer = IRFWriter(flavor: flavor)
                switch detected {
                case .km3netPSFTable:
                    let psf = try prepare(try KM3NeTIRFTables.readPSF(path: input, clipNegative: clipNegative), label: input, normalisedByReader: true)
                    tables = [try writer.table(for: psf, context: context)]
                    let n = psf.table.shape
                    summary.append("PSF_TABLE: \(n[0]) energy x \(n[1]) zenith x \(n[2]) rad bins; each energy bin integrates to 1")
                case .km3netEnergyResponseTable:
                    let edisp = try prepare(try KM3NeTIRFTables.readEnergyResponse(path: input), label: input)
                    tables = [try writer.table(for: edisp, context: context)]
                    let n = edisp.table.shape
                    summary.append("EDISP_2D: \(n[0]) energy x \(n[1]) migration x \(n[2]) zenith bins (dP/dmu)")
                case .km3netBackgroundTable:
                    let bkg = try prepare(try KM3NeTIRFTables.readBackground(path: input), label: input)
                    tables = [try writer.table(for: bkg, context: context)]
                    summary.append("BKG_2D: \(bkg.table.shape[0]) reco energy x \(bkg.table.shape[1]) sin(dec) bins (s-1 MeV-1 sr-1)")
                default:
                    let aeff = try prepare(try KM3NeTIRFTables.readEffectiveArea(path: input), label: input)
                    tables = [try writer.table(for: aeff, context: context)]
                    summary.append("AEFF_2D: \(aeff.energyAxis.binCount) energy x \(aeff.spatialAxis.binCount) \(aeff.spatialAxis.meaning.rawValue) bins")
                }
                primary = FITSOutput.primaryCards(creator: creator, origin: "KM3NeT", telescope: "KM3NeT")
            }
        } catch let f as Failure {
            throw f
        } catch let e as InputError {
            throw Failure(message: e.description, code: Exit.badInput)
        } catch let e as ROOTError {
            throw Failure(message: e.description, code: Exit.badInput)
        } catch let e as FITSError {
            throw Failure(message: e.description, code: Exit.badInput)      // it names the file (and HDU)
        } catch let e as WriterError {
            throw Failure(message: "\(input): \(e)", code: Exit.usage)
        } catch {
            throw Failure(message: "\(input): \(error)", code: Exit.badInput)
        }

        do {
            try FITSOutput.write(tables, primary: primary, to: output)
        } catch {
            throw Failure(message: "\(error)", code: Exit.outputFailed)
        }
        if !quiet {
            print("wrote \(output) (\(flavor.rawValue)) from \(input) [\(detected.rawValue)]")
            for s in summary { print("  \(s)") }
        }
    }

    /// `--kind irf` on a directory: every KM3NeT IRF table in it, one HDU each, in one file. Kinds the
    /// chosen format cannot hold (a declination-dependent background in GADF) are named, not written.
    private func convertTableDirectory(flavor: FormatFlavor, creator: String) throws {
        guard kind == nil || kind == "irf" else {
            throw Failure(message: "\(input) is a directory: only --kind irf converts a directory of IRF tables", code: Exit.usage)
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted().map { input + "/" + $0 }
        let context = IRFContext(telescope: "KM3NeT", instrument: instrument ?? instrumentName(input), origin: "KM3NeT", creator: creator,
                                 provenance: [])
        let writer = IRFWriter(flavor: flavor)
        var tables: [Table] = []
        var summary: [String] = []
        for f in files {
            guard let k = try? InputKind.detect(path: f) else { continue }
            var ctx = context
            ctx.provenance = [(f as NSString).lastPathComponent]
            do {
                switch k {
                case .km3netAeffTable: tables.append(try writer.table(for: try prepare(try KM3NeTIRFTables.readEffectiveArea(path: f), label: f), context: ctx))
                case .km3netPSFTable:
                    tables.append(try writer.table(for: try prepare(try KM3NeTIRFTables.readPSF(path: f, clipNegative: clipNegative), label: f, normalisedByReader: true), context: ctx))
                case .km3netEnergyResponseTable:
                    tables.append(try writer.table(for: try prepare(try KM3NeTIRFTables.readEnergyResponse(path: f), label: f), context: ctx))
                case .km3netBackgroundTable:
                    let bkg = try prepare(try KM3NeTIRFTables.readBackground(path: f), label: f)
                    do { tables.append(try writer.table(for: bkg, context: ctx)) } catch let e as WriterError {
                        summary.append("not written: \((f as NSString).lastPathComponent): \(e)")
                        continue
                    }
                default: continue
                }
                summary.append("\(tables.last!.header[key: "HDUCLAS4"]?.stringValue ?? "?") from \((f as NSString).lastPathComponent)")
            } catch let e as InputError {
                throw Failure(message: e.description, code: Exit.badInput)
            }
        }
        guard !tables.isEmpty else { throw Failure(message: "\(input): no KM3NeT IRF tables in this directory", code: Exit.badInput) }
        do {
            try FITSOutput.write(tables, primary: FITSOutput.primaryCards(creator: creator, origin: "KM3NeT", telescope: "KM3NeT"), to: output)
        } catch {
            throw Failure(message: "\(error)", code: Exit.outputFailed)
        }
        if !quiet {
            print("wrote \(output) (\(flavor.rawValue)) from the IRF tables in \(input)")
            for s in summary { print("  \(s)") }
        }
    }

    /// "ARCA230" from the path when the published folder name says so; else "KM3NeT".
    private func instrumentName(_ path: String) -> String {
        let p = path.uppercased()
        for name in ["ARCA230", "ARCA115", "ARCA", "ORCA115", "ORCA"] where p.contains(name) { return name }
        return "KM3NeT"
    }
}
