import Astrometry
import Diagnostics
import FITSIO
import Foundation
import GADF
import KM3NeT
import Model
import Readers

/// How to convert: the output format and what the readers need to know that the input does not say.
public struct ConversionOptions: Sendable {
    public var format: OutputProfile = .gadf03
    /// What the input must hold; nil accepts whatever it holds.
    public var holding: Holding?
    /// OBS_ID for event lists without one; nil keeps a ROOT file's run id (or "1").
    public var obsID: String?
    /// INSTRUME of IRF tables; nil takes it from the path when it names a detector (ARCA230), else KM3NeT.
    public var instrument: String?
    public var reco: Reconstruction = .jmuon
    public var convention: EquatorialConvention = .aanet
    /// The detector site when the file's det_id is not in the built-in table.
    public var location: DetectorLocation?
    public var clipNegative = false
    /// Compare KM3NeT dst events with aanet's own coordinates (a summary line of `convert`); a
    /// release build, which shows no per-run summary, skips the work.
    public var crossCheckAanet = true
    public var skipDamaged = false
    public var creator = "vodfkit"
    /// The event channel of the output (a release's); nil takes it from the input (a KM3NeT
    /// table's name, a GADF file's CHANNEL keyword).
    public var channel: EventChannel?
    /// The detector period of the output (a release's).
    public var period: String?
    /// EXTNAMEs end with the channel (`EFFECTIVE AREA TRACK`); set for directories of tables and
    /// releases, where one file or one release holds several channels.
    public var channelInName = false
    /// Told about values carried as read, HDUs skipped and such; the conversion goes on.
    /// Where warnings go (the CLI prints them as they come).
    public var diagnostics = DiagnosticLog.discard
    /// Told when long work starts ("reading FILE ...").
    public var onProgress: @Sendable (String) -> Void = { _ in }

    public init() {}
}

/// A converted input: the FITS tables to write, in order, and what to tell the user.
public struct Conversion: Sendable {
    public var tables: [Table]
    public var primary: [HeaderCard]
    /// What the input was detected as ("FITS", "ROOT"), or nil for a directory of tables.
    public var detected: String?
    /// One line per fact worth reporting (counts, rejections, cross-checks).
    public var summary: [String] = []
}

/// `convert` as one pipeline: the input's format (by content) reads it into a `Dataset`, the
/// options transform it (the part asked for, clipping, channel and period), and `DatasetWriter`
/// writes it in the output format.
public enum Converter {
    /// Converts one input file, or a directory of KM3NeT IRF tables (`holding` nil or .irf).
    public static func convert(_ input: String, options: ConversionOptions) throws -> Conversion {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            return try convertTableDirectory(input, options: options)
        }
        let format: any InputFormat
        do { format = try InputFormats.detect(path: input) } catch { throw ConversionError("\(error)", .badInput) }
        if let want = options.holding, !format.holds(want) {
            throw ConversionError(
                "\(input): holds \(format.holds.rawValue), not \(want.rawValue) (\(format.label))", .badInput)
        }
        do {
            let dataset = try format.read(input, options: options)
            var c = try write(select(dataset, input: input, options: options), input: input, options: options)
            c.detected = format.label
            return c
        } catch {
            throw ConversionError.from(error, input: input)
        }
    }

    /// The part of a dataset `--kind` asks for; what is left out, skipped or not carried is said.
    static func select(_ dataset: Dataset, input: String, options o: ConversionOptions) throws -> Dataset {
        var d = dataset
        for s in d.skipped {
            o.diagnostics.warn("\(input): skipped \(s.why.hasPrefix(s.what + " ") ? s.why : "\(s.what): \(s.why)")")
        }
        if !d.skipped.isEmpty { d.summary.append("skipped as damaged: \(d.skipped.count)") }
        for line in IRFConversion.omissionLines(d.omissions) { o.diagnostics.warn("\(input): not converted: \(line)") }
        let irfPart = o.holding.map { $0 == .irf || $0.isIRFKind } ?? false
        if let want = o.holding, want.isIRFKind {
            let others = d.responses.filter { Holding.of(type(of: $0.component)) != want }
            if !others.isEmpty {
                let names = others.map { type(of: $0.component).layout.hduClass4 }.joined(separator: ", ")
                o.diagnostics.warn(
                    "\(input): not converted: \(others.count) IRF HDU(s) of other kinds (\(names)) (--kind \(want.rawValue))"
                )
            }
            d.responses.removeAll { Holding.of(type(of: $0.component)) != want }
            guard !d.responses.isEmpty else {
                throw ConversionError(
                    "\(input): no \(want.rawValue) IRF HDU found (--kind \(want.rawValue))", .badInput)
            }
        }
        if irfPart, let obs = d.observations.first, !d.responses.isEmpty || !d.alerts.isEmpty {
            o.diagnostics.warn(
                "\(input): not converted: the event list of OBS_ID \(obs.meta.obsID) and its GTI (--kind \(o.holding!.rawValue))"
            )
            d.observations = []
        }
        if o.holding == .events, !d.responses.isEmpty, !d.observations.isEmpty {
            o.diagnostics.warn("\(input): not converted: \(d.responses.count) IRF HDU(s) (--kind events)")
            d.responses = []
        }
        guard !d.observations.isEmpty || !d.responses.isEmpty else {
            throw ConversionError(
                "\(input): no event list with its GTI and no IRF HDU (\(IRFKinds.names.joined(separator: ", "))) found",
                .badInput)
        }
        return d
    }

    /// A dataset as the tables of one file: its responses (clipped when asked, with a warning per
    /// IRF whose values are carried as read), then its observation with them.
    static func write(_ d: Dataset, input: String, options o: ConversionOptions) throws -> Conversion {
        let writer = DatasetWriter(flavor: o.format, creator: o.creator)
        var irfs: [Table] = []
        var summary = d.summary
        for var r in d.responses {
            r.component = try IRFConversion.prepare(
                r.component, label: input + (r.source.map { ": \($0)" } ?? ""), o,
                normalisedByReader: r.normalisedByReader)
            r.channel = o.channel ?? r.channel
            r.period = o.period ?? r.period
            irfs.append(try writer.table(r, channelInName: o.channelInName))
            if let source = r.source {
                summary.append(
                    "\(r.kind.layout.hduClass4) from \(source): \(r.component.table.shape.map(String.init).joined(separator: " x "))"
                )
            }
        }
        return Conversion(
            tables: try writer.tables(d.observations.first, irfs: irfs), primary: writer.primary(d), detected: nil,
            summary: summary)
    }

    /// Writes a conversion all-or-nothing (a temporary file renamed when complete).
    public static func write(_ conversion: Conversion, to output: String) throws {
        try FITSOutput.write(conversion.tables, primary: conversion.primary, to: output)
    }

    /// Every KM3NeT IRF table in a directory, one HDU each, in one file. Kinds the chosen format
    /// cannot hold (a declination-dependent background in GADF) are named, not written.
    static func convertTableDirectory(_ input: String, options: ConversionOptions) throws -> Conversion {
        guard options.holding == nil || options.holding == .irf else {
            throw ConversionError("\(input) is a directory: only --kind irf converts a directory of IRF tables", .usage)
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted().map {
            input + "/" + $0
        }
        var options = options
        options.instrument = options.instrument ?? IRFConversion.instrumentName(input)
        options.channelInName = true
        let (tables, sources, summary) = try convertIRFTables(files, options: options)
        guard !tables.isEmpty else {
            throw ConversionError("\(input): no KM3NeT IRF tables in this directory", .badInput)
        }
        try refuseLookalikes(tables, sources: sources, in: input)
        return Conversion(
            tables: tables,
            primary: FITSOutput.primaryCards(creator: options.creator, origin: "KM3NeT", telescope: "KM3NeT"),
            detected: nil, summary: summary)
    }

    /// The KM3NeT IRF tables among `files` (others are passed over), one HDU each, with one
    /// summary line per table. A table the chosen format cannot hold (a declination-dependent
    /// background in GADF) is named in the summary, not written.
    public static func convertIRFTables(_ files: [String], options: ConversionOptions) throws -> (
        tables: [Table], sources: [String], summary: [String]
    ) {
        var tables: [Table] = []
        var sources: [String] = []
        var summary: [String] = []
        for f in files {
            guard let format = try? InputFormats.detect(path: f), format.isIRFTable else { continue }
            let name = (f as NSString).lastPathComponent
            do {
                let t = try write(try format.read(f, options: options), input: f, options: options).tables
                tables += t
                sources += t.map { _ in name }
            } catch let e as WriterError {
                summary.append("not written: \(name): \(e)")
                continue
            } catch {
                throw ConversionError.from(error, input: f)
            }
            summary.append(
                "\(tables.last!.header[key: "HDUCLAS4"]?.stringValue ?? "?") \(tables.last!.name) from \(name)")
        }
        return (tables, sources, summary)
    }

    /// Two HDUs of one class and EXTNAME in one file cannot be told apart by a reader that takes
    /// HDUs by name (gammapy takes the first): refused, naming both tables.
    static func refuseLookalikes(_ tables: [Table], sources: [String], in input: String) throws {
        var seen: [String: String] = [:]
        for (t, source) in zip(tables, sources) {
            let key = t.name + "|" + (t.header[key: "HDUCLAS4"]?.stringValue ?? "")
            if let first = seen[key] {
                throw ConversionError(
                    "\(input): \(first) and \(source) would both be \(t.name): name each table's channel at the end of its file name (..._track.csv, ..._shower.csv), or convert them separately",
                    .badInput)
            }
            seen[key] = source
        }
    }
}
