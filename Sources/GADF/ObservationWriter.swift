import Astrometry
import FITSIO
import Model

/// Serialises an observation's events and GTI as EVENTS and GTI tables.
public struct ObservationWriter: Sendable {
    public let flavor: OutputProfile
    public init(flavor: OutputProfile) { self.flavor = flavor }

    /// A member of an observation's grouping table in another file (an IRF the observation uses).
    public struct LinkedMember: Sendable {
        public var name: String
        /// The file, relative to the observation's file (a relative URL).
        public var location: String
        public var eventType: Int
        public init(name: String, location: String, eventType: Int) {
            self.name = name
            self.location = location
            self.eventType = eventType
        }
    }

    /// EVENTS and GTI, then `alongside` (the observation's IRFs when they share its file), and in
    /// VODF the grouping table of them all, which also lists `links` (ignored in GADF, whose HDU
    /// index does that job).
    public func tables(for obs: Observation, alongside: [Table] = [], links: [LinkedMember] = []) throws -> [Table] {
        let tables = [try eventsTable(obs), try gtiTable(obs)] + alongside
        // VODF links the HDUs of an observation with a FITS grouping table (vodf_schema level1/groups.py).
        switch flavor.grouping {
        case .mockGroupingTableFirst?: return [mockGroupingTable(members: tables, links: links)] + tables
        case .groupingTableLast?: return tables + [groupingTable(members: tables, links: links)]
        case nil: return tables
        }
    }

    /// The mock data's grouping table (vodf-mock-data do_mock_simple_dr.py), written first as the
    /// scripts do: MEMBER_XTENSION, MEMBER_NAME, MEMBER_LOCATION (empty: this file, the FITS null
    /// string; the scripts write 'null'), MEMBER_URI_TYPE, and EVT_TYPE for linked members.
    func mockGroupingTable(members: [Table], links: [LinkedMember]) -> Table {
        let names = members.map(\.name) + links.map(\.name)
        let locations = members.map { _ in "" } + links.map(\.location)
        var columns = [
            ColumnSpec("MEMBER_XTENSION", .string, repeatCount: 8),
            ColumnSpec("MEMBER_NAME", .string, repeatCount: max(1, names.map(\.utf8.count).max() ?? 1)),
            ColumnSpec("MEMBER_LOCATION", .string, repeatCount: max(1, locations.map(\.utf8.count).max() ?? 1)),
            ColumnSpec("MEMBER_URI_TYPE", .string, repeatCount: 3),
        ]
        var data: [ColumnData] = [
            .string(names.map { _ in "BINTABLE" }), .string(names), .string(locations),
            .string(names.map { _ in "URL" }),
        ]
        if !links.isEmpty {
            let types = members.map { _ in "none" } + links.map { String($0.eventType) }
            columns.append(ColumnSpec("EVT_TYPE", .string, repeatCount: max(4, types.map(\.utf8.count).max() ?? 4)))
            data.append(.string(types))
        }
        let first = members.first?.header ?? []
        let common = ["ORIGIN", "TELESCOP", "INSTRUME", "AUTHOR", "OBS_ID", "CREATOR"].compactMap { k in
            first.first { $0.name == k }
        }
        return Table(name: "GROUPING", header: flavor.classCards([]) + common, columns: columns, data: data)
    }

    /// An ObservationGroupingTable (vodf_schema hdu.py GroupingTable): one row per member HDU of
    /// this file (MEMBER_LOCATION empty: the same file, as the FITS grouping convention allows).
    /// Members in other files carry their MEMBER_LOCATION and, with event channels, an EVT_TYPE
    /// column (as vodf-mock-data's grouping tables): the member's event type, 0 for the HDUs of
    /// this file, which hold every type.
    func groupingTable(members: [Table], links: [LinkedMember] = []) -> Table {
        let names = members.map(\.name) + links.map(\.name)
        let locations = members.map { _ in "" } + links.map(\.location)
        var columns = [
            ColumnSpec("MEMBER_NAME", .string, repeatCount: max(1, names.map(\.utf8.count).max() ?? 1)),
            ColumnSpec("MEMBER_VERSION", .int64),
            ColumnSpec("MEMBER_LOCATION", .string, repeatCount: max(1, locations.map(\.utf8.count).max() ?? 1)),
            ColumnSpec("MEMBER_URI_TYPE", .string, repeatCount: 3),
        ]
        var data: [ColumnData] = [
            .string(names), .int64(names.map { _ in 1 }), .string(locations), .string(names.map { _ in "URL" }),
        ]
        if !links.isEmpty {
            columns.append(ColumnSpec("EVT_TYPE", .int32))
            data.append(.int32(members.map { _ in 0 } + links.map { Int32($0.eventType) }))
        }
        return Table(
            name: "GROUPING",
            header: flavor.classCards([]) + [
                HeaderCard(
                    "CREATOR", .string(members.first.flatMap { $0.header[key: "CREATOR"]?.stringValue } ?? "vodfkit"))
            ],
            columns: columns, data: data)
    }

    /// What the writer says of an ENERGY column it adds (NaN: not measured) and of the sky pointing
    /// it computes for a drifting detector. The event reader recognises both, so a round trip does
    /// not double them.
    public static let placeholderEnergy = "not measured by this instrument: NaN (undefined); see EPROXY"
    public static let driftPointingNote =
        "RA_PNT/DEC_PNT: the drift-mode pointing (ALT_PNT/AZ_PNT) at the mid-time; the detector does not track."
    public static var ownComments: Set<String> { ["ENERGY: " + placeholderEnergy, driftPointingNote] }

    /// Keywords that define TIME: MJDREF, TIMEUNIT, TIMESYS and the reference position.
    func timeCards(_ meta: ObservationMetadata) -> [HeaderCard] {
        var cards = [
            HeaderCard("MJDREFI", .int(Int64(meta.timeRef.mjdInt)), comment: "[d] integer part of the MJD reference"),
            HeaderCard("MJDREFF", .double(meta.timeRef.mjdFrac), comment: "[d] fractional part of the MJD reference"),
            HeaderCard("TIMEUNIT", .string("s"), comment: "unit of TSTART, TSTOP and TIME"),
            HeaderCard("TIMESYS", .string(meta.timeRef.system.rawValue), comment: "time scale"),
        ]
        // GADF 0.2 lists LOCAL; 0.3 follows FITS Table 31 (TOPOCENTER); VODF renames it TREFPOS.
        cards.append(
            HeaderCard(
                flavor.timeReference.keyword, .string(flavor.timeReference.value), comment: "time reference position"))
        return cards
    }

    func siteCards(_ site: Site?) -> [HeaderCard] {
        guard let site else { return [] }
        let k = flavor.siteKeywords.names
        let longitude = HeaderCard(
            k.longitude, .double(site.longitudeDeg), comment: "[deg] site longitude, WGS84, east positive")
        let latitude = HeaderCard(k.latitude, .double(site.latitudeDeg), comment: "[deg] site latitude, WGS84")
        let height = HeaderCard(k.height, .double(site.heightM), comment: "[m] site height above the WGS84 ellipsoid")
        // OBSGEO-B/L/H (FITS WCS) lists latitude first; GADF's GEOLON/GEOLAT/ALTITUDE longitude first.
        return flavor.siteKeywords == .obsgeo ? [latitude, longitude, height] : [longitude, latitude, height]
    }

    func dateCards(_ meta: ObservationMetadata) throws -> [HeaderCard] {
        let beg = try TimeScales.isoDate(reference: meta.timeRef, seconds: meta.tstart)
        let end = try TimeScales.isoDate(reference: meta.timeRef, seconds: meta.tstop)
        if flavor.splitDates {
            // GADF 0.2 split date and time.
            let b = beg.split(separator: "T")
            let e = end.split(separator: "T")
            return [
                HeaderCard("DATE-OBS", .string(String(b[0])), comment: "start date (\(meta.timeRef.system.rawValue))"),
                HeaderCard("TIME-OBS", .string(String(b[1])), comment: "start time (\(meta.timeRef.system.rawValue))"),
                HeaderCard("DATE-END", .string(String(e[0])), comment: "end date (\(meta.timeRef.system.rawValue))"),
                HeaderCard("TIME-END", .string(String(e[1])), comment: "end time (\(meta.timeRef.system.rawValue))"),
            ]
        }
        return [
            HeaderCard("DATE-BEG", .string(beg), comment: "start (\(meta.timeRef.system.rawValue))"),
            HeaderCard("DATE-END", .string(end), comment: "end (\(meta.timeRef.system.rawValue))"),
        ]
    }

    func obsIDCard(_ meta: ObservationMetadata) throws -> HeaderCard {
        if flavor.obsIDIsText { return HeaderCard("OBS_ID", .string(meta.obsID), comment: "observation id") }
        guard let n = Int64(meta.obsID) else {
            throw WriterError.unsupported(
                "GADF needs an integer OBS_ID, got '\(meta.obsID)' (use --format vodf or a numeric --obs-id)")
        }
        return HeaderCard("OBS_ID", .int(n), comment: "observation id")
    }

    func eventsTable(_ obs: Observation) throws -> Table {
        var header = try eventsHeader(obs)
        var columns = obs.events.columns
        if obs.events["ENERGY"] == nil {
            // Both formats require ENERGY (and gammapy 2.1 refuses a table without it). With no
            // measurement, NaN - FITS's undefined float - says "unknown"; EPROXY names the proxy.
            let nan = EventColumn(
                name: "ENERGY", values: .double(Array(repeating: .nan, count: obs.events.count)),
                unit: .TeV, level: .required,
                description: Self.placeholderEnergy)
            columns.insert(nan, at: min(4, columns.count))
            header.append(HeaderCard.comment("ENERGY: " + Self.placeholderEnergy))
        }
        let written = columns.map(eventColumn)
        return Table(
            name: flavor.eventsExtname, header: header, columns: written.map(\.spec), data: written.map(\.data))
    }

    /// The event list's header: classes, times, pointing, provenance, site, channels, the
    /// instrument's own keywords and the comments.
    func eventsHeader(_ obs: Observation) throws -> [HeaderCard] {
        let meta = obs.meta
        var header = flavor.classCards(flavor.eventClasses)
        if flavor.extLevelAndUTCStart {
            // vodf_schema level1/eventlist.py: EXTLEVEL (FITS v4) and DATE-OBS in UTC (ObservationHeader).
            header.append(HeaderCard("EXTLEVEL", .int(1), comment: "level in the hierarchy of extensions"))
            header.append(
                HeaderCard(
                    "DATE-OBS", .string(try TimeScales.isoDateUTC(reference: meta.timeRef, seconds: meta.tstart)),
                    comment: "start (UTC)"))
        }
        header.append(try obsIDCard(meta))
        header += exposureCards(meta)
        header += try pointingCards(meta)
        header += [
            HeaderCard("EQUINOX", .double(2000.0), comment: "coordinate epoch"),
            HeaderCard("RADECSYS", .string(meta.celestialFrame), comment: "celestial frame of RA/DEC"),
        ]
        if let obj = meta.object { header.append(HeaderCard("OBJECT", .string(obj))) }
        header += provenanceCards(meta)
        // vodf-mock-data common_md: AUTHOR on every HDU (the organisation, as the scripts write it).
        if flavor.writesAuthor {
            header.append(HeaderCard("AUTHOR", .string(meta.origin), comment: "author of the data"))
        }
        header += timeCards(meta)
        header += try dateCards(meta)
        header += siteCards(meta.site)
        if let proxy = obs.events.energyProxy {
            header.append(
                HeaderCard(
                    "EPROXY", .string(flavor.eventColumn(proxy.name)), comment: "vodfkit: column used as energy proxy"))
        }
        header.append(HeaderCard("SIMULATD", .bool(meta.isSimulated), comment: "vodfkit: T for Monte Carlo"))
        if meta.channels.count == 1 { header += ChannelCards.single(meta.channels[0]) }
        header += ChannelCards.types(meta.channels) + ChannelCards.period(meta.period)
        header += conservationCards(meta, written: obs.events.count)
        header += meta.instrumentKeywords.map(\.card)
        header += meta.notes.map { HeaderCard.comment($0) }
        // A column described by nobody (one carried from a third-party file) gets no comment.
        header += obs.events.columns.filter { !$0.description.isEmpty }.map { c in
            HeaderCard.comment("\(flavor.eventColumn(c.name)): \(c.description)\(c.isTruth ? " [MC truth]" : "")")
        }
        return header
    }

    /// TSTART, TSTOP, ONTIME, LIVETIME, DEADC and how they were obtained.
    func exposureCards(_ meta: ObservationMetadata) -> [HeaderCard] {
        [
            HeaderCard("TSTART", .double(meta.tstart), comment: "[s] start, seconds since MJDREF"),
            HeaderCard("TSTOP", .double(meta.tstop), comment: "[s] stop, seconds since MJDREF"),
            HeaderCard("ONTIME", .double(meta.ontime), comment: "[s] sum of GTIs"),
            HeaderCard("LIVETIME", .double(meta.livetime), comment: "[s] dead-time corrected ONTIME"),
            HeaderCard("DEADC", .double(meta.deadc), comment: "LIVETIME / ONTIME"),
            HeaderCard(
                "TIMECOVR", .string(meta.coverageSource.rawValue),
                comment: "vodfkit: how TSTART..LIVETIME were obtained"),
        ]
    }

    /// One event column as this profile stores it (its name, its precision, text IDs of the mock).
    func eventColumn(_ c: EventColumn) -> (spec: ColumnSpec, data: ColumnData) {
        let name = flavor.eventColumn(c.name)
        let unit = c.unit?.symbol
        switch c.values {
        case .double(let v):
            return (ColumnSpec(name, .float64, unit: unit), .float64(v))
        case .float(let v) where flavor.doubleEventColumns.contains(c.name):
            return (ColumnSpec(name, .float64, unit: unit), .float64(v.map(Double.init)))
        case .float(let v):
            return (ColumnSpec(name, .float32, unit: unit), .float32(v))
        case .int64(let v) where flavor.textEventID && c.name == "EVENT_ID":
            // The mock data's ID is text (8A).
            let text = v.map(String.init)
            return (ColumnSpec(name, .string, repeatCount: max(8, text.map(\.utf8.count).max() ?? 8)), .string(text))
        case .int64(let v):
            return (ColumnSpec(name, .int64, unit: unit), .int64(v))
        case .int32(let v):
            return (ColumnSpec(name, .int32, unit: unit), .int32(v))
        case .string(let v):
            return (
                ColumnSpec(name, .string, repeatCount: max(1, v.map(\.utf8.count).max() ?? 1), unit: unit), .string(v)
            )
        }
    }

    /// OBS_MODE and the pointing: ALT/AZ for a drifting detector (with the sky position at mid-time
    /// for GADF 0.2, which requires RA_PNT/DEC_PNT), RA/DEC for a pointing one.
    func pointingCards(_ meta: ObservationMetadata) throws -> [HeaderCard] {
        var header: [HeaderCard] = []
        switch meta.mode {
        case .drift(let alt, let az):
            // DRIFT exists from GADF 0.3 on; for 0.2 we still say DRIFT (gammapy 2.1 reads it) and note it.
            header += [
                HeaderCard("OBS_MODE", .string("DRIFT"), comment: "fixed in the local frame"),
                HeaderCard("ALT_PNT", .double(alt), comment: "[deg] pointing altitude"),
                HeaderCard("AZ_PNT", .double(az), comment: "[deg] pointing azimuth"),
            ]
            // GADF 0.2 requires RA_PNT/DEC_PNT. A drifting detector has no fixed pointing; the sky
            // position of its ALT/AZ pointing at the observation's mid-time is the honest stand-in.
            if flavor.skyPointingWhenDrifting, let site = meta.site {
                let mid = try TimeScales.unixSeconds(reference: meta.timeRef, seconds: 0.5 * (meta.tstart + meta.tstop))
                let sky = SkyTransform(location: DetectorLocation(site: site, convergenceRad: 0))
                var cache = PrecessionCache()
                let (ra, dec) = sky.equatorial(
                    alt: alt * .pi / 180, az: az * .pi / 180, unixSeconds: mid, cache: &cache)
                header += [
                    HeaderCard(
                        "RA_PNT", .double(ra * 180 / .pi), comment: "[deg] sky position of ALT/AZ_PNT at mid-time"),
                    HeaderCard(
                        "DEC_PNT", .double(dec * 180 / .pi), comment: "[deg] sky position of ALT/AZ_PNT at mid-time"),
                    HeaderCard.comment(Self.driftPointingNote),
                ]
            }
        case .pointing(let ra, let dec):
            header += [
                HeaderCard("OBS_MODE", .string(meta.observingModeName ?? "POINTING")),
                HeaderCard("RA_PNT", .double(ra), comment: "[deg] pointing right ascension"),
                HeaderCard("DEC_PNT", .double(dec), comment: "[deg] pointing declination"),
            ]
        }
        return header
    }

    /// Event conservation: NEVT_IN = NEVT_OUT + NREJECT, with a COMMENT per reason.
    func conservationCards(_ meta: ObservationMetadata, written: Int) -> [HeaderCard] {
        var header: [HeaderCard] = []
        if let n = meta.eventsIn {
            let rejected = meta.rejections.reduce(0) { $0 + $1.count }
            header += [
                HeaderCard("NEVT_IN", .int(Int64(n)), comment: "vodfkit: events read from the input"),
                HeaderCard("NEVT_OUT", .int(Int64(written)), comment: "vodfkit: events written"),
                HeaderCard("NREJECT", .int(Int64(rejected)), comment: "vodfkit: events left out (reasons below)"),
            ]
            header += meta.rejections.map { HeaderCard.comment("rejected \($0.count): \($0.reason)") }
        }
        return header
    }

    func gtiTable(_ obs: Observation) throws -> Table {
        if flavor.gtiInMJD { return try mockGTITable(obs) }
        var header = flavor.classCards(["GTI"])
        header.append(try obsIDCard(obs.meta))
        header += timeCards(obs.meta)
        header += provenanceCards(obs.meta)
        return Table(
            name: "GTI", header: header,
            columns: [ColumnSpec("START", .float64, unit: "s"), ColumnSpec("STOP", .float64, unit: "s")],
            data: [.float64(obs.gti.start), .float64(obs.gti.stop)])
    }

    /// The mock data's GTI (vodf-mock-data create_gti_hdu): START/STOP as MJD in TIMESYS, in columns
    /// without a unit. The event times stay seconds since MJDREF, with MJDREF written beside them.
    func mockGTITable(_ obs: Observation) throws -> Table {
        var header = flavor.classCards(["GTI"])
        header.append(try obsIDCard(obs.meta))
        header += provenanceCards(obs.meta)
        header.append(HeaderCard("AUTHOR", .string(obs.meta.origin), comment: "author of the data"))
        header.append(
            HeaderCard("TIMESYS", .string(obs.meta.timeRef.system.rawValue), comment: "time scale of START and STOP"))
        header.append(
            HeaderCard.comment(
                "START, STOP: MJD (\(obs.meta.timeRef.system.rawValue)), as the VODF mock data writes them"))
        // Whole days and the fraction apart, so that the day number does not cost the seconds precision.
        let (day, frac) = (Double(obs.meta.timeRef.mjdInt), obs.meta.timeRef.mjdFrac)
        func mjd(_ s: Double) -> Double { day + (frac + s / 86400) }
        return Table(
            name: "GTI", header: header,
            columns: [ColumnSpec("START", .float64), ColumnSpec("STOP", .float64)],
            data: [.float64(obs.gti.start.map(mjd)), .float64(obs.gti.stop.map(mjd))])
    }

    func provenanceCards(_ meta: ObservationMetadata) -> [HeaderCard] {
        Self.whoCards(
            origin: meta.origin, telescope: meta.telescope, instrument: meta.instrument, creator: meta.creator)
            + meta.provenance.map { HeaderCard.history("input: \($0)") }
    }

    /// ORIGIN, TELESCOP, INSTRUME and CREATOR, as every HDU vodf writes states them.
    static func whoCards(origin: String, telescope: String, instrument: String, creator: String) -> [HeaderCard] {
        [
            HeaderCard("ORIGIN", .string(origin), comment: "organisation responsible for the data"),
            HeaderCard("TELESCOP", .string(telescope)),
            HeaderCard("INSTRUME", .string(instrument)),
            HeaderCard("CREATOR", .string(creator), comment: "software that wrote this file"),
        ]
    }
}

extension CarriedKeyword {
    /// The header card of a keyword carried as it was read.
    var card: HeaderCard {
        switch value {
        case .double(let d): return HeaderCard(name, .double(d), comment: comment)
        case .int(let i): return HeaderCard(name, .int(i), comment: comment)
        case .string(let s): return HeaderCard(name, .string(s), comment: comment)
        case .bool(let b): return HeaderCard(name, .bool(b), comment: comment)
        }
    }
}
