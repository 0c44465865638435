import Conversion
import FITSIO
import Foundation
import GADF
import Model
import Readers

/// `vodf peek`: one figure for a whole file, a panel (or a few) per drawable HDU: IRFs of every
/// kind and producer, and event lists. A damaged HDU is skipped and named; the rest is drawn.
public enum Peek {
    public struct Options: Sendable {
        /// Only the HDUs whose EXTNAME (any case) or number is one of these; empty: all.
        public var hdus: [String] = []
        public var frame: EventPictures.Frame = .equatorial
        public init() {}
    }

    public struct NothingToDraw: Error, CustomStringConvertible { public let description: String }

    public static func figure(path: String, options: Options = Options()) throws -> Figure {
        let format = try InputFormats.detect(path: path)
        guard format.isFITS else { return try figure(of: format, path: path, options: options) }
        let headers = try hduHeaders(path)
        func wanted(_ hdu: Int, _ name: String) -> Bool {
            options.hdus.isEmpty
                || options.hdus.contains {
                    $0 == String(hdu) || $0.uppercased() == name.trimmingCharacters(in: .whitespaces).uppercased()
                }
        }
        var panels: [Panel] = []
        var skipped: [String] = []
        if let (hdu, name) = headers.first(where: { isEvents($0.header) }).map({ ($0.hdu, $0.name) }), wanted(hdu, name)
        {
            do { panels += try EventPictures.panels(try GADFFile.observation(path: path), frame: options.frame) } catch
            {
                skipped.append("HDU \(hdu) (\(name)): \(reason(error))")
            }
        }
        let irfs = try GADFIRFReader.read(path: path, skippingDamaged: true)
        skipped += irfs.skipped
        for e in irfs.entries where wanted(e.hdu, e.extname) {
            do { panels += try IRFPictures.panels(e.component, name: e.extname) } catch {
                skipped.append("HDU \(e.hdu) (\(e.extname)): \(reason(error))")
            }
        }
        guard !panels.isEmpty else {
            let what = headers.map { "\($0.name)" }.joined(separator: ", ")
            let why = skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: "; ")
            throw NothingToDraw(
                description:
                    "\(path): nothing to draw: no EVENTS, AEFF, EDISP, PSF, BKG or RAD_MAX HDU\(options.hdus.isEmpty ? "" : " among --hdu \(options.hdus.joined(separator: ","))") (HDUs: \(what.isEmpty ? "none" : what))\(why)"
            )
        }
        return Figure(title: title(path, headers), panels: panels, skipped: skipped)
    }

    /// An input of any other format, read into the model by its format: its observation and its
    /// responses drawn as they would be from FITS (`--hdu` selects responses by name).
    static func figure(of format: any InputFormat, path: String, options: Options) throws -> Figure {
        var read = ConversionOptions()
        read.clipNegative = false
        let dataset = try format.read(path, options: read)
        var panels: [Panel] = []
        var skipped: [String] = []
        if options.hdus.isEmpty, let obs = dataset.observations.first {
            panels += try EventPictures.panels(obs, frame: options.frame)
        }
        for r in dataset.responses {
            let name = r.name ?? r.kind.layout.extname
            guard options.hdus.isEmpty || options.hdus.contains(where: { $0.uppercased() == name.uppercased() }) else {
                continue
            }
            do { panels += try IRFPictures.panels(r.component, name: name) } catch {
                skipped.append("\(name): \(reason(error))")
            }
        }
        guard !panels.isEmpty else {
            throw NothingToDraw(
                description: "\(path): nothing to draw in this \(format.name)"
                    + (skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: "; ")))
        }
        let title = [
            dataset.observations.first.map { "OBS_ID \($0.meta.obsID)" }, dataset.telescope, format.name,
            (path as NSString).lastPathComponent,
        ].compactMap { $0 }.filter { !$0.isEmpty }
        return Figure(title: title.joined(separator: " - "), panels: panels, skipped: skipped)
    }

    struct HDUHeader {
        var hdu: Int
        var name: String
        var header: [HeaderCard]
    }

    static func hduHeaders(_ path: String) throws -> [HDUHeader] {
        let f: FITSFile
        do { f = try FITSFile.open(path: path, keepingCompleteHDUs: true) } catch {
            throw InputError(file: path, reason: reason(error))
        }
        defer { try? f.close() }
        var out: [HDUHeader] = []
        for i in try f.extensionNumbers {
            guard (try? f.moveTo(hdu: i)) == .binaryTable, let h = try? f.readHeader() else { continue }
            out.append(
                HDUHeader(hdu: i - 1, name: h[key: "EXTNAME"]?.stringValue?.trimmedBlanks ?? "HDU \(i - 1)", header: h))
        }
        return out
    }

    static func isEvents(_ h: [HeaderCard]) -> Bool {
        if case .events = GADFFile.role(of: h) { return true }
        return false
    }

    /// "OBS_ID 20136 · H.E.S.S. · GADF 0.2 · file.fits.gz".
    static func title(_ path: String, _ headers: [HDUHeader]) -> String {
        let h = headers.first { isEvents($0.header) }?.header ?? headers.first?.header ?? []
        var parts: [String] = []
        if let id = h[key: "OBS_ID"] { parts.append("OBS_ID \(id.stringValue?.trimmedBlanks ?? id.description)") }
        let instrument = [h[key: "TELESCOP"]?.stringValue, h[key: "INSTRUME"]?.stringValue].compactMap {
            $0?.trimmedBlanks
        }.filter { !$0.isEmpty }
        parts.append(
            instrument.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: " "))
        let format = [h[key: "HDUCLASS"]?.stringValue, h[key: "HDUVERS"]?.stringValue].compactMap { $0?.trimmedBlanks }
            .joined(separator: " ")
        if !format.isEmpty { parts.append(format) }
        parts.append((path as NSString).lastPathComponent)
        return parts.filter { !$0.isEmpty }.joined(separator: " - ")
    }

    static func reason(_ e: Error) -> String {
        (e as? ConversionError)?.message ?? GADFIRFReader.reason(e)
    }
}
