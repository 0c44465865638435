import Astrometry
import FITSIO
import Foundation
import Model
import Readers
import Writers

/// How to convert: the output format and what the readers need to know that the input does not say.
public struct ConversionOptions: Sendable {
    public var format: FormatFlavor = .gadf03
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
    public var onWarning: @Sendable (String) -> Void = { _ in }
    /// Told when long work starts ("reading FILE ...").
    public var onProgress: @Sendable (String) -> Void = { _ in }

    public init() {}
}

/// A converted input: the FITS tables to write, in order, and what to tell the user.
public struct Conversion: Sendable {
    public var tables: [Table]
    public var primary: [HeaderCard]
    /// The input kind, or nil for a directory of tables.
    public var detected: InputKind?
    /// One line per fact worth reporting (counts, rejections, cross-checks).
    public var summary: [String] = []
}

public enum Converter {
    /// Converts one input file, or a directory of KM3NeT IRF tables (`holding` nil or .irf).
    public static func convert(_ input: String, options: ConversionOptions) throws -> Conversion {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            return try convertTableDirectory(input, options: options)
        }
        let detected: InputKind
        do { detected = try InputKind.detect(path: input) } catch { throw ConversionError("\(error)", .badInput) }
        let entry = InputKinds.entry(detected)
        if let want = options.holding, !entry.holds(want) {
            throw ConversionError("\(input): holds \(entry.holds.rawValue), not \(want.rawValue) (\(detected.rawValue))", .badInput)
        }
        do {
            var c = try entry.convert(input, detected, options)
            c.detected = detected
            return c
        } catch {
            throw ConversionError.from(error, input: input)
        }
    }

    /// Writes a conversion all-or-nothing (a temporary file renamed when complete).
    public static func write(_ conversion: Conversion, to output: String) throws {
        do { try FITSOutput.write(conversion.tables, primary: conversion.primary, to: output) } catch {
            throw ConversionError("\(error)", .output)
        }
    }

    /// Every KM3NeT IRF table in a directory, one HDU each, in one file. Kinds the chosen format
    /// cannot hold (a declination-dependent background in GADF) are named, not written.
    static func convertTableDirectory(_ input: String, options: ConversionOptions) throws -> Conversion {
        guard options.holding == nil || options.holding == .irf else {
            throw ConversionError("\(input) is a directory: only --kind irf converts a directory of IRF tables", .usage)
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).sorted().map { input + "/" + $0 }
        var options = options
        options.instrument = options.instrument ?? IRFConversion.instrumentName(input)
        options.channelInName = true
        let (tables, sources, summary) = try convertIRFTables(files, options: options)
        guard !tables.isEmpty else { throw ConversionError("\(input): no KM3NeT IRF tables in this directory", .badInput) }
        try refuseLookalikes(tables, sources: sources, in: input)
        return Conversion(tables: tables, primary: FITSOutput.primaryCards(creator: options.creator, origin: "KM3NeT", telescope: "KM3NeT"),
                          detected: nil, summary: summary)
    }

    /// The KM3NeT IRF tables among `files` (others are passed over), one HDU each, with one
    /// summary line per table. A table the chosen format cannot hold (a declination-dependent
    /// background in GADF) is named in the summary, not written.
    public static func convertIRFTables(_ files: [String], options: ConversionOptions) throws -> (tables: [Table], sources: [String], summary: [String]) {
        var tables: [Table] = []
        var sources: [String] = []
        var summary: [String] = []
        for f in files {
            guard let k = try? InputKind.detect(path: f) else { continue }
            let entry = InputKinds.entry(k)
            guard entry.isIRFTable else { continue }
            let name = (f as NSString).lastPathComponent
            do {
                let t = try entry.convert(f, k, options).tables
                tables += t
                sources += t.map { _ in name }
            } catch let e as WriterError {
                summary.append("not written: \(name): \(e)")
                continue
            } catch let e as InputError {
                throw ConversionError(e.description, .badInput)
            } catch {
                throw ConversionError.from(error, input: f)
            }
            summary.append("\(tables.last!.header[key: "HDUCLAS4"]?.stringValue ?? "?") \(tables.last!.name) from \(name)")
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
                throw ConversionError("\(input): \(first) and \(source) would both be \(t.name): name each table's channel at the end of its file name (..._track.csv, ..._shower.csv), or convert them separately", .badInput)
            }
            seen[key] = source
        }
    }
}
