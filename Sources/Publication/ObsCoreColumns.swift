import VOTableIO

/// The ObsCore 1.1 columns and those of its high-energy extension (`ivoa.obscore_hea`), declared
/// once: the VOTable, the DaCHS resource descriptor and the tests read this list. Facts from IVOA
/// ObsCore 1.1 (REC, table 6 and appendix B) and the HighEnergyObsCoreExt draft (2026).
public struct ObsCoreColumn: Sendable, Equatable {
    /// The ADQL types ObsCore names; each maps to a VOTable datatype and a DaCHS column type.
    public enum ADQLType: String, Sendable {
        case varchar = "VARCHAR"
        case integer = "INTEGER"
        case bigint = "BIGINT"
        case double = "DOUBLE"
        case clob = "CLOB"
        case region = "REGION"

        public var votable: VOTableDocument.Column.DataType {
            switch self {
            case .varchar, .clob, .region: return .char
            case .integer: return .int
            case .bigint: return .long
            case .double: return .double
            }
        }

        /// DaCHS's column type (PostgreSQL, via DaCHS's names).
        public var dachs: String {
            switch self {
            case .varchar, .clob, .region: return "text"
            case .integer: return "integer"
            case .bigint: return "bigint"
            case .double: return "double precision"
            }
        }
    }

    public var name: String
    public var type: ADQLType
    public var unit: String?
    public var ucd: String
    public var utype: String?
    public var description: String
    /// One of ObsCore 1.1's mandatory columns (every one is present in every row, NULL allowed).
    public var mandatory: Bool

    init(
        _ name: String, _ type: ADQLType, _ unit: String?, _ ucd: String, _ utype: String?, _ description: String,
        mandatory: Bool = true
    ) {
        self.name = name
        self.type = type
        self.unit = unit
        self.ucd = ucd
        self.utype = utype
        self.description = description
        self.mandatory = mandatory
    }

    public var votableColumn: VOTableDocument.Column {
        VOTableDocument.Column(
            name: name, datatype: type.votable, unit: unit, ucd: ucd, utype: utype,
            xtype: type == .region ? "adql:REGION" : nil, description: description)
    }
}

public enum ObsCoreColumns {
    /// `ivoa.obscore`: the 29 mandatory columns of ObsCore 1.1, then the optional ones vodfkit fills.
    public static let obscore: [ObsCoreColumn] = [
        .init(
            "dataproduct_type", .varchar, nil, "meta.code.class", "obscore:ObsDataset.dataProductType",
            "data product type: hea-event-list or response-function"),
        .init(
            "calib_level", .integer, nil, "meta.code;obs.calib", "obscore:ObsDataset.calibLevel",
            "calibration level (2: reconstructed, calibrated events and their responses)"),
        .init(
            "obs_collection", .varchar, nil, "meta.id", "obscore:DataID.Collection",
            "name of the data collection (the release)"),
        .init(
            "obs_id", .varchar, nil, "meta.id", "obscore:DataID.observationID",
            "observation id (OBS_ID; for a response function, its file and HDU)"),
        .init(
            "obs_publisher_did", .varchar, nil, "meta.ref.ivoid", "obscore:Curation.PublisherDID",
            "publisher's identifier of the data product"),
        .init("access_url", .clob, nil, "meta.ref.url", "obscore:Access.Reference", "URL of the file"),
        .init("access_format", .varchar, nil, "meta.code.mime", "obscore:Access.Format", "MIME type of the file"),
        .init("access_estsize", .bigint, "kbyte", "phys.size;meta.file", "obscore:Access.Size", "size of the file"),
        .init(
            "target_name", .varchar, nil, "meta.id;src", "obscore:Target.Name", "name of the target (OBJECT), if any"),
        .init(
            "s_ra", .double, "deg", "pos.eq.ra",
            "obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C1",
            "pointing right ascension (ICRS); NULL for a whole-sky drift observation"),
        .init(
            "s_dec", .double, "deg", "pos.eq.dec",
            "obscore:Char.SpatialAxis.Coverage.Location.Coord.Position2D.Value2.C2",
            "pointing declination (ICRS); NULL for a whole-sky drift observation"),
        .init(
            "s_fov", .double, "deg", "phys.angSize;instr.fov",
            "obscore:Char.SpatialAxis.Coverage.Bounds.Extent.diameter",
            "diameter of the region covered (360 for the whole sky)"),
        .init(
            "s_region", .region, nil, "pos.outline;obs.field", "obscore:Char.SpatialAxis.Coverage.Support.Area",
            "region covered, STC-S; NULL for the whole sky"),
        .init(
            "s_resolution", .double, "arcsec", "pos.angResolution", "obscore:Char.SpatialAxis.Resolution.Refval.value",
            "angular resolution (not computed: NULL)"),
        .init(
            "s_xel1", .bigint, nil, "meta.number", "obscore:Char.SpatialAxis.numBins1",
            "number of elements along the first spatial axis (NULL for event lists)"),
        .init(
            "s_xel2", .bigint, nil, "meta.number", "obscore:Char.SpatialAxis.numBins2",
            "number of elements along the second spatial axis (NULL for event lists)"),
        .init(
            "t_min", .double, "d", "time.start;obs.exposure", "obscore:Char.TimeAxis.Coverage.Bounds.Limits.StartTime",
            "start time, MJD (UTC)"),
        .init(
            "t_max", .double, "d", "time.end;obs.exposure", "obscore:Char.TimeAxis.Coverage.Bounds.Limits.StopTime",
            "stop time, MJD (UTC)"),
        .init(
            "t_exptime", .double, "s", "time.duration;obs.exposure", "obscore:Char.TimeAxis.Coverage.Support.Extent",
            "exposure (LIVETIME)"),
        .init(
            "t_resolution", .double, "s", "time.resolution", "obscore:Char.TimeAxis.Resolution.Refval.value",
            "time resolution (not stated in the files: NULL)"),
        .init(
            "t_xel", .bigint, nil, "meta.number", "obscore:Char.TimeAxis.numBins",
            "number of elements along the time axis (NULL for event lists)"),
        .init(
            "em_min", .double, "m", "em.wl;stat.min", "obscore:Char.SpectralAxis.Coverage.Bounds.Limits.LoLimit",
            "shortest wavelength, hc / highest energy"),
        .init(
            "em_max", .double, "m", "em.wl;stat.max", "obscore:Char.SpectralAxis.Coverage.Bounds.Limits.HiLimit",
            "longest wavelength, hc / lowest energy"),
        .init(
            "em_res_power", .double, nil, "spect.resolution", "obscore:Char.SpectralAxis.Resolution.ResolPower.refVal",
            "spectral resolving power (not computed: NULL)"),
        .init(
            "em_xel", .bigint, nil, "meta.number", "obscore:Char.SpectralAxis.numBins",
            "number of elements along the spectral axis (NULL for event lists)"),
        .init(
            "o_ucd", .varchar, nil, "meta.ucd", "obscore:Char.ObservableAxis.ucd",
            "UCD of the observable (phys.energy for event lists)"),
        .init(
            "pol_states", .varchar, nil, "meta.code;phys.polarization", "obscore:Char.PolarizationAxis.stateList",
            "polarisation states (none: NULL)"),
        .init(
            "pol_xel", .bigint, nil, "meta.number", "obscore:Char.PolarizationAxis.numBins",
            "number of polarisation states (NULL)"),
        .init(
            "facility_name", .varchar, nil, "meta.id;instr.tel", "obscore:Provenance.ObsConfig.Facility.name",
            "facility (TELESCOP)"),
        .init(
            "instrument_name", .varchar, nil, "meta.id;instr", "obscore:Provenance.ObsConfig.Instrument.name",
            "instrument (INSTRUME)"),
        .init(
            "dataproduct_subtype", .varchar, nil, "meta.code.class", "obscore:ObsDataset.dataProductSubtype",
            "response-function subtype (aeff, psf, edisp, bkgrate, radmax)", mandatory: false),
    ]

    /// `ivoa.obscore_hea`, joined to `ivoa.obscore` on obs_publisher_did; every column optional.
    public static let hea: [ObsCoreColumn] = [
        .init(
            "obs_publisher_did", .varchar, nil, "meta.ref.ivoid", "obscore:Curation.PublisherDID",
            "publisher's identifier (joins ivoa.obscore)", mandatory: false),
        .init("ev_xel", .bigint, nil, "meta.number", nil, "number of events", mandatory: false),
        .init(
            "energy_min", .double, "eV", "em.energy;stat.min", nil,
            "lowest energy (reconstructed, of the events; true, of a response's axis)", mandatory: false),
        .init("energy_max", .double, "eV", "em.energy;stat.max", nil, "highest energy", mandatory: false),
        .init(
            "messenger_name", .varchar, nil, "meta.id;phys.particle", nil, "messenger: neutrino, photon, ...",
            mandatory: false),
        .init(
            "messenger_pdgid", .varchar, nil, "meta.id;phys.particle", nil,
            "PDG id of the messenger, signed (+14: muon neutrino)", mandatory: false),
        // The draft's UCD, meta.code.qual;instr.detection;phys.particle, uses a word (instr.detection)
        // still proposed (VEP-UCD-31), which VOTable checkers reject; its adopted part is written.
        .init(
            "event_type", .varchar, nil, "meta.code.qual;phys.particle", nil, "event type (channel): track, shower",
            mandatory: false),
        .init(
            "analysis_mode", .varchar, nil, "meta.code", nil, "analysis the product serves (pointsource)",
            mandatory: false),
        .init(
            "obs_mode", .varchar, nil, "meta.code;obs", nil, "observing mode (OBS_MODE: DRIFT, POINTING, WOBBLE)",
            mandatory: false),
    ]

    /// hc in eV·m: λ = hc / E.
    public static let hc = 1.239841984332e-6
}
