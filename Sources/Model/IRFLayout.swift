import Foundation

/// How one IRF kind is laid out in the GADF-family formats: its class keywords, recommended
/// EXTNAME, axes in spec order, data columns and the units the spec asks for. Each kind declares
/// its layout beside its model type; readers, writers and the CLI's lists read it from there
/// (`IRFKinds`), so a format fact about a kind lives in one place.
public struct IRFLayout: Sendable {
    public var hduClass2: String
    public var hduClass4: String
    /// Legacy class pairs (HDUCLAS2, HDUCLAS4) that also name this kind: CTA-1DC's OGIP files say
    /// 'EFF_AREA' + '2D' where GADF says AEFF_2D.
    public var legacyClasses: [(hduClass2: String, hduClass4: String)]
    public var extname: String
    /// The axes in spec order (first fastest), by their GADF column names (`AxisColumns` slots).
    public var axes: [String]
    /// What ENERG means for this kind: true energy for the response, reco energy for the
    /// background and the direction cut.
    public var energy: AxisMeaning
    /// The data columns with their spec units; most kinds have one, parametric PSFs one per parameter.
    public var dataColumns: [(name: String, unit: Unit)]
    /// Older names of the (single) data column, read as well (BGD for BKG).
    public var legacyDataColumns: [String]
    /// The spec unit for each axis meaning the kind uses.
    public var axisUnits: [AxisMeaning: Unit]

    /// HDU_TYPE of the kind in a GADF HDU index (`aeff`), as gammapy's DataStore looks it up: what the
    /// IRF is. It is also the kind's name for `convert --kind`.
    public var hduIndexType: String
    /// HDU_CLASS of the kind in a GADF HDU index (`aeff_2d`): its layout.
    public var hduIndexClass: String { hduClass4.lowercased() }
    /// ObsCore's dataproduct_subtype of the kind (the high-energy extension calls a background
    /// model's rate `bkgrate`).
    public var obsCoreSubtype: String

    public var dataColumn: String { dataColumns[0].name }
    public var dataUnit: Unit { dataColumns[0].unit }

    public init(
        hduClass2: String, hduClass4: String, legacyClasses: [(String, String)] = [], extname: String,
        indexType: String, obsCoreSubtype: String? = nil, axes: [String], energy: AxisMeaning = .trueEnergy,
        dataColumns: [(name: String, unit: Unit)],
        legacyDataColumns: [String] = [], axisUnits: [AxisMeaning: Unit]
    ) {
        self.hduClass2 = hduClass2
        self.hduClass4 = hduClass4
        self.legacyClasses = legacyClasses.map { (hduClass2: $0.0, hduClass4: $0.1) }
        self.extname = extname
        self.hduIndexType = indexType
        self.obsCoreSubtype = obsCoreSubtype ?? indexType
        self.axes = axes
        self.energy = energy
        self.dataColumns = dataColumns
        self.legacyDataColumns = legacyDataColumns
        self.axisUnits = axisUnits
    }

    /// Whether the class keywords of an HDU name this kind (HDUCLAS4, or a legacy pair).
    public func matches(hduClass2: String, hduClass4: String) -> Bool {
        hduClass4 == self.hduClass4 || legacyClasses.contains { $0.hduClass2 == hduClass2 && $0.hduClass4 == hduClass4 }
    }
}

/// Every IRF kind vodfkit reads and writes, in the order lists and messages name them.
/// Adding a kind: its model file (type, layout, `init(decoded:)`), one line here, and its spec YAMLs
/// (docs/architecture.md has the recipe).
public enum IRFKinds {
    public static let all: [any IRFComponent.Type] = [
        EffectiveArea.self, EnergyDispersion.self, PSFTable.self, PSF3Gauss.self, PSFKing.self,
        Background2D.self, Background3D.self, RadMax2D.self,
    ]

    /// HDUCLAS4 of every kind: "AEFF_2D, EDISP_2D, ...".
    public static var names: [String] { all.map { $0.layout.hduClass4 } }

    /// The kind an HDU's class keywords name, or nil if it is not an IRF.
    public static func kind(hduClass2: String, hduClass4: String) -> (any IRFComponent.Type)? {
        if let k = all.first(where: { $0.layout.hduClass4 == hduClass4 }) { return k }
        return all.first { $0.layout.matches(hduClass2: hduClass2, hduClass4: hduClass4) }
    }
}

/// The column names of axes, both ways: meaning -> name for the writers, name -> meaning slot for
/// the readers. GADF has fixed names and no column for some meanings; VODF names every meaning;
/// real files add older names.
public enum AxisColumns {
    public struct Row: Sendable {
        public let meaning: AxisMeaning
        /// The GADF column (also the spec-order slot readers sort axes into); nil where GADF has none.
        public let gadf: String?
        public let vodf: String
        /// Further names read as this axis (legacy and other producers).
        public let alsoRead: [String]
        /// The unit assumed when a file gives none (as gammapy does).
        public let defaultUnit: Unit
    }

    public static let rows: [Row] = [
        Row(
            meaning: .trueEnergy, gadf: "ENERG", vodf: "ENERGY_TRUE", alsoRead: ["ETRUE", "ENERGY"], defaultUnit: .TeV),
        Row(meaning: .recoEnergy, gadf: "ENERG", vodf: "ENERGY_RECO", alsoRead: [], defaultUnit: .TeV),
        Row(meaning: .fovOffset, gadf: "THETA", vodf: "OFFSET", alsoRead: [], defaultUnit: .degree),
        Row(meaning: .zenithAngle, gadf: "THETA", vodf: "ZENITH", alsoRead: [], defaultUnit: .degree),
        Row(meaning: .cosZenith, gadf: nil, vodf: "COSZEN", alsoRead: [], defaultUnit: .dimensionless),
        Row(meaning: .declination, gadf: nil, vodf: "DEC", alsoRead: [], defaultUnit: .degree),
        Row(meaning: .sinDeclination, gadf: nil, vodf: "SINDEC", alsoRead: [], defaultUnit: .dimensionless),
        Row(meaning: .migration, gadf: "MIGRA", vodf: "MIGRA", alsoRead: [], defaultUnit: .dimensionless),
        Row(meaning: .rad, gadf: "RAD", vodf: "RAD", alsoRead: [], defaultUnit: .degree),
        Row(meaning: .fovLon, gadf: "DETX", vodf: "FOV_LON", alsoRead: [], defaultUnit: .degree),
        Row(meaning: .fovLat, gadf: "DETY", vodf: "FOV_LAT", alsoRead: [], defaultUnit: .degree),
    ]

    public static func row(_ meaning: AxisMeaning) -> Row { rows.first { $0.meaning == meaning }! }

    /// The column name (without _LO/_HI) of an axis of this meaning; GADF's where it has one.
    public static func name(_ meaning: AxisMeaning, gadf: Bool) -> String {
        let r = row(meaning)
        return gadf ? (r.gadf ?? r.vodf) : r.vodf
    }

    /// The spec-order slot (GADF name) of a column prefix read from a file, or nil for a column
    /// that is no known axis. Only names that have a GADF slot are read into one.
    public static func slot(ofColumn prefix: String) -> String? {
        rows.first { r in r.gadf != nil && (r.gadf == prefix || r.vodf == prefix || r.alsoRead.contains(prefix)) }?.gadf
    }
}
