import ArgumentParser
import FITSIO
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a FITS file's HDUs, classes, keywords and column summaries.",
        discussion: """
            For each HDU: its type, EXTNAME, HDUCLASS/HDUCLAS1-4, row count, checksum state, and each column's type, unit, TDIM and value range. --json prints everything, including all keywords.
            --hdu and --keyword pick HDUs and keywords, as astropy's fitsheader -e and -k do.

            Examples:
              vodf inspect out/antares.fits
              vodf inspect out/aeff.fits --json | jq '.hdus[1].columns'
              vodf inspect hess_dl3_dr1_obs_id_020136.fits.gz --hdu EVENTS --keyword OBS_ID --keyword LIVETIME
              vodf inspect irf.fits --hdu 1
            """)

    @Argument(help: "FITS file to inspect.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(
        help: ArgumentHelp(
            "Only this HDU: its index (0 = primary) or its EXTNAME (case-insensitive). Repeatable.", valueName: "n|name"
        ))
    var hdu: [String] = []

    @Option(
        help: ArgumentHelp(
            "Only this keyword's value, one line per HDU (FILE[HDU] KEYWORD = value). Repeatable.", valueName: "keyword"
        ))
    var keyword: [String] = []

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        var summary: FITSSummary
        do { summary = try FITSSummary(path: file) } catch {
            throw Failure(message: "\(error)", code: Exit.badInput)
        }
        if !hdu.isEmpty { summary.hdus = try selected(summary.hdus) }
        let wanted = Set(keyword.map { $0.uppercased() })
        if !wanted.isEmpty, !json {
            for h in summary.hdus {
                for k in keyword {
                    print("\(file)[\(h.index)] \(k.uppercased()) = \(h.value(of: k).map { "\($0)" } ?? "(not set)")")
                }
            }
            return
        }
        if !wanted.isEmpty {
            for i in summary.hdus.indices { summary.hdus[i].keywords.removeAll { !wanted.contains($0.name) } }
        }
        if json {
            print(try summary.json())
            return
        }
        print(file)
        for h in summary.hdus { printText(h) }
    }

    /// The HDUs --hdu names, in the order given; a name that matches none is a usage error listing them.
    private func selected(_ hdus: [FITSSummary.HDU]) throws -> [FITSSummary.HDU] {
        try hdu.map { want in
            if let n = Int(want), let h = hdus.first(where: { $0.index == n }) { return h }
            if let h = hdus.first(where: { $0.extname.uppercased() == want.uppercased() }) { return h }
            let known = hdus.map { $0.extname.isEmpty ? "\($0.index)" : "\($0.index) (\($0.extname))" }.joined(
                separator: ", ")
            throw Failure(message: "\(file): no HDU '\(want)'; it has \(known)", code: Exit.usage)
        }
    }

    private func printText(_ h: FITSSummary.HDU) {
        let classes = h.classes.joined(separator: " / ")
        var line = "HDU \(h.index): \(h.type) \(h.extname)"
        if !classes.isEmpty { line += "  [\(classes)]" }
        if let rows = h.rows { line += "  rows=\(rows)" }
        line += "  keywords=\(h.keywordCount)  checksum=\(h.checksum)/\(h.datasum)"
        print(line)
        for c in h.columns ?? [] {
            var l = "    \(c.name)  \(c.tform)"
            if let u = c.unit, !u.isEmpty { l += "  [\(u)]" }
            if let d = c.tdim { l += "  TDIM=(\(d.map(String.init).joined(separator: ",")))" }
            if let mn = c.min, let mx = c.max { l += "  range \(mn) .. \(mx)" }
            print(l)
        }
    }
}
