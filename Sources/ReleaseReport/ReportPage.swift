import Foundation
import Pictures
import Publication
import Release
import Validation
import XMLIO

/// The HTML of the report, built as a tree and serialised by libxml2; style and script inline,
/// pictures inline as SVG: the page needs nothing beside it and asks the network for nothing.
extension ReleaseReport {
    static func document(
        root: String, described: ObsCoreRelease, check: ReleaseCheck.Outcome, profile: Profile,
        observations: [ObservationRow],
        figures: [XMLElement], irfFigures: [XMLElement], release: Figure
    ) throws -> XMLDocument {
        var body = XMLElement("body", children: [XMLElement("h1", text: "Release \(described.collection)")])
        body.children += metadata(root, described: described, check: check)
        body.children.append(validation(check, profile: profile))
        body.children += [
            XMLElement("h2", ["id": "observations"], text: "Observations (\(observations.count))"),
            XMLElement("p", text: "Click a column heading to sort."), table(observations),
        ]
        body.children += [
            XMLElement("h2", ["id": "release"], text: "The whole release"),
            try figure(
                release, id: "release-figure", className: "release", caption: "All events and the exposure over time"),
        ]
        body.children +=
            [XMLElement("h2", ["id": "irfs"], text: "Instrument responses (\(irfFigures.count) file(s))")] + irfFigures
        body.children += [XMLElement("h2", ["id": "figures"], text: "Observation pictures")] + figures
        body.children.append(XMLElement("script", text: script))
        let head = XMLElement(
            "head",
            children: [
                XMLElement("meta", ["charset": "utf-8"]),
                XMLElement("title", text: "Release \(described.collection)"),
                XMLElement("style", text: style),
            ])
        return XMLDocument(root: XMLElement("html", ["lang": "en"], children: [head, body]))
    }

    static func metadata(_ root: String, described: ObsCoreRelease, check: ReleaseCheck.Outcome) -> [XMLElement] {
        var items: [(String, String)] = [
            ("Directory", (root as NSString).lastPathComponent), ("Files checked", String(check.files.count)),
        ]
        if let d = try? ReleaseDocuments.load(root) {
            let r = d.release
            var head: [(String, String)] = [
                ("Name", r.name), ("Version", r.version), ("Creator", r.creator), ("Licence", r.licence),
            ]
            if let c = r.contact { head.append(("Contact", c)) }
            if let doi = r.doi { head.append(("DOI", doi)) }
            let channels = d.channels.map { "\($0.name) (EVT_TYPE \($0.evtType), \($0.reconstruction))" }.joined(
                separator: "; ")
            head += [
                ("Formats", d.formats.joined(separator: ", ")), ("Channels", channels),
                ("Detector periods", d.periods.joined(separator: ", ")),
                ("Built with", d.builtWith),
            ]
            items = head + items
            if let text = r.description { items.append(("Description", text)) }
        }
        let list = XMLElement(
            "dl", children: items.flatMap { [XMLElement("dt", text: $0.0), XMLElement("dd", text: $0.1)] })
        return [XMLElement("h2", ["id": "metadata"], text: "Metadata"), list]
    }

    /// Findings grouped by rule: severity, count, and the first three places.
    static func validation(_ check: ReleaseCheck.Outcome, profile: Profile) -> XMLElement {
        let errors = check.findings.filter { $0.severity == .error }.count
        let warnings = check.findings.filter { $0.severity == .warning }.count
        var section = XMLElement(
            "section", ["id": "validation"],
            children: [
                XMLElement("h2", text: "Validation"),
                XMLElement(
                    "p", ["class": errors > 0 ? "bad" : "good"],
                    text:
                        "\(check.files.count) file(s): \(errors) error(s), \(warnings) warning(s), profile \(profile.rawValue)"
                ),
            ])
        let groups = Dictionary(grouping: check.findings, by: { "\($0.severity.rawValue)|\($0.rule)" })
        guard !groups.isEmpty else { return section }
        var rows: [XMLElement] = []
        for key in groups.keys.sorted() {
            let fs = groups[key]!
            let places = fs.prefix(3).map { f in
                (f.file as NSString).lastPathComponent + (f.target.map { " \($0)" } ?? "") + ": " + f.message
            }.joined(separator: "\n")
            rows.append(
                XMLElement(
                    "tr", ["class": fs[0].severity.rawValue],
                    children: [
                        XMLElement("td", text: fs[0].rule), XMLElement("td", text: fs[0].severity.rawValue),
                        XMLElement("td", ["data-v": String(fs.count)], text: String(fs.count)),
                        XMLElement(
                            "td",
                            children: [
                                XMLElement("pre", text: places + (fs.count > 3 ? "\n(+\(fs.count - 3) more)" : ""))
                            ]),
                    ]))
        }
        section.children.append(
            XMLElement(
                "table", ["class": "sortable", "id": "findings"],
                children: [
                    XMLElement(
                        "thead",
                        children: [
                            XMLElement(
                                "tr",
                                children: ["rule", "severity", "count", "first places"].map {
                                    XMLElement("th", text: $0)
                                })
                        ]),
                    XMLElement("tbody", children: rows),
                ]))
        return section
    }

    static func table(_ rows: [ObservationRow]) -> XMLElement {
        func cell(_ v: Double?, _ format: String) -> XMLElement {
            XMLElement("td", ["data-v": v.map { String($0) } ?? ""], text: v.map { String(format: format, $0) } ?? "-")
        }
        let body = rows.map { o in
            XMLElement(
                "tr",
                children: [
                    XMLElement(
                        "td", ["data-v": o.obsID],
                        children: [XMLElement("a", ["href": "#obs-\(o.obsID)"], text: o.obsID)]),
                    XMLElement("td", text: Array(Set(o.formats)).sorted().joined(separator: ", ")),
                    XMLElement(
                        "td",
                        text: o.channels.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(
                            separator: ", ")),
                    cell(o.tMin, "%.5f"), cell(o.tMax, "%.5f"), cell(o.livetime, "%.1f"),
                    cell(o.events.map(Double.init), "%.0f"),
                    cell(o.energy.map { $0.0 / 1e12 }, "%.3g"), cell(o.energy.map { $0.1 / 1e12 }, "%.3g"),
                    XMLElement("td", text: o.file),
                ])
        }
        let heads = [
            "OBS_ID", "formats", "channels", "start (MJD)", "stop (MJD)", "livetime (s)", "events", "E min (TeV)",
            "E max (TeV)", "file",
        ]
        return XMLElement(
            "table", ["class": "sortable", "id": "observation-table"],
            children: [
                XMLElement(
                    "thead",
                    children: [XMLElement("tr", children: heads.map { XMLElement("th", ["title": "sort"], text: $0) })]),
                XMLElement("tbody", children: body),
            ])
    }

    /// A figure drawn as SVG and placed in the page as a tree (PLplot's XML prolog and doctype left out).
    static func figure(_ f: Figure, id: String, className: String, caption: String) throws -> XMLElement {
        let svg = try XMLDocument.parse(try PLplotRenderer.render(f, as: .svg), file: "\(id).svg").root
        // Every SVG PLplot writes names its clip paths text-clipping0, 1, ...: inline in one page,
        // the names must be made the figure's own, or the first figure's clips cut the others' text.
        var scaled = prefixingIDs(svg, with: id + "-")
        scaled.attributes = scaled.attributes.filter { !["width", "height", "xmlns", "xmlns:xlink"].contains($0.name) }
        scaled.attributes.append(.init(name: "role", value: "img"))
        scaled.attributes.append(.init(name: "aria-label", value: f.title))
        return XMLElement(
            "figure", ["id": id, "class": className], children: [scaled, XMLElement("figcaption", text: caption)])
    }

    static func prefixingIDs(_ e: XMLElement, with prefix: String) -> XMLElement {
        var out = e
        out.attributes = e.attributes.map { a in
            var a = a
            if a.name == "id" { a.value = prefix + a.value }
            a.value = a.value.replacingOccurrences(of: "url(#", with: "url(#" + prefix)
            if a.name == "href" || a.name == "xlink:href", a.value.hasPrefix("#") {
                a.value = "#" + prefix + a.value.dropFirst()
            }
            return a
        }
        out.children = e.children.map { prefixingIDs($0, with: prefix) }
        return out
    }

    static let style = """
        body { font-family: sans-serif; margin: 1.5em auto; max-width: 1300px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
        th { background: #eee; cursor: pointer; }
        tr.error td { background: #fdd; } tr.warning td { background: #ffd; }
        pre { margin: 0; white-space: pre-wrap; font-size: 0.85em; }
        p.good { color: #060; } p.bad { color: #a00; font-weight: bold; }
        figure { margin: 1em 0; border: 1px solid #ddd; padding: 0.5em; }
        figure svg { width: 100%; height: auto; }
        dt { font-weight: bold; float: left; clear: left; width: 10em; } dd { margin-left: 11em; }
        """

    /// Sorting by a column: numbers by value (data-v), text alphabetically; a second click reverses.
    static let script = """
        document.querySelectorAll('table.sortable').forEach(function (table) {
          table.querySelectorAll('th').forEach(function (th, column) {
            th.addEventListener('click', function () {
              var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
              var ascending = th.getAttribute('data-order') !== 'asc';
              table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('data-order'); });
              th.setAttribute('data-order', ascending ? 'asc' : 'desc');
              rows.sort(function (a, b) {
                var x = a.cells[column].getAttribute('data-v') || a.cells[column].textContent;
                var y = b.cells[column].getAttribute('data-v') || b.cells[column].textContent;
                var nx = parseFloat(x), ny = parseFloat(y);
                var order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
                return ascending ? order : -order;
              });
              rows.forEach(function (r) { body.appendChild(r); });
            });
          });
        });
        """
}
