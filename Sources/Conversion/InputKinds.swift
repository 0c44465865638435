import Foundation
import Model
import Readers

/// What an input holds, as `convert --kind` names it.
public enum Holding: String, CaseIterable, Sendable {
    case events, aeff, psf, edisp, bkg
    /// A GADF or VODF IRF file (any of `IRFKinds`).
    case irf
}

/// Every input kind `convert` reads: how it is described, what it holds and how it becomes FITS
/// tables. `convert`, its directory mode and its help text all read this one list.
public struct InputKindEntry: Sendable {
    public let kind: InputKind
    /// Its name in lists ("KM3NeT offline or dst file (ROOT)").
    public let name: String
    public let holds: Holding
    /// What else a file of this kind may hold (a GADF run file: events beside its IRFs).
    public let alsoHolds: [Holding]
    /// One line for the help: what the input is, and what it becomes.
    public let help: String
    let convert: @Sendable (String, InputKind, ConversionOptions) throws -> Conversion

    init(kind: InputKind, name: String, holds: Holding, alsoHolds: [Holding] = [], help: String,
         convert: @escaping @Sendable (String, InputKind, ConversionOptions) throws -> Conversion) {
        self.kind = kind
        self.name = name
        self.holds = holds
        self.alsoHolds = alsoHolds
        self.help = help
        self.convert = convert
    }

    /// Whether `convert --kind` may ask this kind for `part`.
    public func holds(_ part: Holding) -> Bool { part == holds || alsoHolds.contains(part) }

    /// Kinds of a directory of IRF tables (`convert DIR --kind irf`).
    public var isIRFTable: Bool { [.aeff, .psf, .edisp, .bkg].contains(holds) }
}

public enum InputKinds {
    public static let all: [InputKindEntry] = [
        InputKindEntry(kind: .antaresPublicList, name: "ANTARES public event list (tab-separated)", holds: .events,
                       help: "ANTARES public event list, tab-separated (PublicData_0717.dat layout) -> EVENTS + GTI", convert: EventConversion.antares),
        InputKindEntry(kind: .antaresVOTableCSV, name: "ANTARES ant20_01 VO-table CSV export", holds: .events,
                       help: "ANTARES ant20_01 VO-table CSV export (id, ra, dec, mjd, nhit, beta) -> EVENTS + GTI", convert: EventConversion.antares),
        InputKindEntry(kind: .antaresConeSearchCSV, name: "ANTARES ant20_01 cone-search CSV (as the VO serves it)", holds: .events,
                       help: "ANTARES from the VO service: cone-search CSV (_r, MJD, Beta, Nhit, RA, Decl, ID) -> EVENTS + GTI", convert: EventConversion.antares),
        InputKindEntry(kind: .antaresVOTable, name: "ANTARES ant20_01 VOTable (as the VO serves it)", holds: .events,
                       help: "ANTARES from the VO service: VOTable (TABLEDATA, BINARY, BINARY2) -> EVENTS + GTI", convert: EventConversion.antares),
        InputKindEntry(kind: .fits, name: "GADF or VODF file (FITS): events, GTI, IRFs", holds: .irf, alsoHolds: [.events],
                       help: "GADF or VODF file from any producer: EVENTS + GTI and IRFs (\(IRFKinds.names.joined(separator: ", "))) -> the same HDUs, producer keywords carried",
                       convert: IRFConversion.gadf),
        InputKindEntry(kind: .km3netAeffTable, name: "KM3NeT effective-area table (CSV)", holds: .aeff, help: "KM3NeT IRF table aeff_coszen_*.csv -> AEFF_2D", convert: IRFConversion.aeffTable),
        InputKindEntry(kind: .km3netPSFTable, name: "KM3NeT PSF table (CSV)", holds: .psf, help: "KM3NeT IRF table psf_*.csv -> PSF_TABLE", convert: IRFConversion.psfTable),
        InputKindEntry(kind: .km3netEnergyResponseTable, name: "KM3NeT energy-response table (CSV)", holds: .edisp, help: "KM3NeT IRF table energyresponse_*.csv -> EDISP_2D", convert: IRFConversion.edispTable),
        InputKindEntry(kind: .km3netBackgroundTable, name: "KM3NeT background table (CSV)", holds: .bkg, help: "KM3NeT IRF table bkg_*.csv -> BKG_2D", convert: IRFConversion.bkgTable),
        InputKindEntry(kind: .root, name: "KM3NeT offline or dst file (ROOT)", holds: .events, help: "KM3NeT offline or dst ROOT file (E tree; dst friend tree T) -> EVENTS + GTI", convert: EventConversion.km3net),
        InputKindEntry(kind: .hdf5, name: "km3pipe event file (HDF5)", holds: .events,
                       help: "km3pipe HDF5 file, format 5.1 (/event_info, /reco/tracks, /reco/rec_stages) -> EVENTS + GTI", convert: EventConversion.km3net),
        InputKindEntry(kind: .voevent, name: "VOEvent 2.0/2.1 alert (XML)", holds: .events,
                       help: "VOEvent 2.0 or 2.1 alert (vodfkit's, AMON's, KM3NeT's) -> EVENTS + GTI, one row per event", convert: AlertConversion.convert),
        InputKindEntry(kind: .gcnNotice, name: "GCN neutrino alert notice (JSON: KM3NeT, IceCube)", holds: .events,
                       help: "GCN neutrino alert notice (JSON: KM3NeT's, IceCube's) -> EVENTS + GTI, one row per event of event_details", convert: AlertConversion.convert),
    ]

    public static func entry(_ kind: InputKind) -> InputKindEntry { all.first { $0.kind == kind }! }
}
