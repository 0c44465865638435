import Alerts
import ArgumentParser
import Conversion
import FileOutput
import Foundation
import Model
import Publication
import Readers
import Release

extension VOEventVersion: ExpressibleByArgument {}
extension EventTopology: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.replacingOccurrences(of: "-", with: " ")) }
}

struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert",
        abstract: "Make a VOEvent or a GCN KM3NeT notice from one event of an event list, checked against its schema.",
        discussion: """
            From one row of a GADF or VODF EVENTS file (found by its EVENT_ID): the \
            position and its error circle (DIR_ERR, or --error-radius), the time in \
            UTC (ISO 8601), the energy, the topology (TOPOLOGY column, EVT_TYPE \
            channel, or the file's CHANNEL; or --topology) and the provenance (file, \
            OBS_ID, the inputs and tools the file records). An alert document can be \
            given instead, to turn a VOEvent into a notice or back.

            The document is checked against its schema before it is written (the \
            VOEvent 2.0 or 2.1 XSD; the GCN KM3NeT alert JSON Schema), and written \
            all-or-nothing. The schemas are read from --standards DIR, \
            $VODF_STANDARDS, or a standards/ or shared/standards/ folder beside the \
            working directory or a parent of it.

            Conventions: notices give cos_zenith with 1 = up-going (ARCA230 tables: \
            1 = down-going), energies in GeV and the false-alarm rate in Hz.

            Examples:
              vodf alert voevent ev.fits --event-id 17 -o alert.xml
              vodf alert voevent ev.fits --event-id 17 -o a21.xml --schema 2.1
              vodf alert gcn ev.fits --event-id 17 -o n.json --name KM3-240901A
              vodf alert gcn alert.xml -o notice.json
              vodf convert notice.json -o event.fits     (back to EVENTS + GTI)
            """,
        subcommands: [AlertVOEvent.self, AlertGCN.self])
}

/// What both alert commands take: the input, the event and what the file may not say.
struct AlertInputOptions: ParsableArguments {
    @Argument(help: "A GADF or VODF EVENTS file, or an alert (VOEvent or GCN notice) to convert.")
    var input: String

    @Option(help: "EVENT_ID of the event to announce (required for an EVENTS file).")
    var eventID: Int64?

    @Option(name: .shortAndLong, help: "Output file (written only when it passes its schema).")
    var output: String

    @Option(help: "Alert name. Default: KM3-YYMMDDA from the event's UTC date.")
    var name: String?

    @Option(help: "Error-circle radius in degrees, when the file has no DIR_ERR column (or to override it).")
    var errorRadius: Double?

    @Option(help: "Probability that the error circle contains the source.")
    var containment = 0.9

    @Option(help: "Event topology, when the file does not say it: track, starting-track, shower.")
    var topology: EventTopology?

    @Option(help: "Name of the pipeline issuing the alert.")
    var pipeline: String?

    @Option(help: "When the alert is issued (ISO 8601, UTC). Default: now. Fix it for reproducible output.")
    var issued: String?

    @Option(
        help: ArgumentHelp(
            "Folder with voevent/VOEvent-v2.x.xsd and gcn/notices/ (default: searched, see above).", valueName: "dir"))
    var standards: String?

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let issued, UTCInstant(iso: issued) == nil {
            throw ValidationError("--issued '\(issued)' is not an ISO 8601 date and time")
        }
        if let r = errorRadius, !(r > 0) { throw ValidationError("--error-radius must be positive") }
        if !(containment > 0 && containment <= 1) { throw ValidationError("--containment must be in (0, 1]") }
    }

    /// The alert of the input: read from an alert document, or made from an event row of any
    /// input that holds events (a GADF or VODF event list, the ANTARES sample, a KM3NeT file).
    func alert() throws -> NeutrinoAlert {
        do {
            let format = try InputFormats.detect(path: input)
            guard format.holdsAlerts || format.holds(.events) else {
                throw Failure(message: "\(input): \(format.name) is not an event list or an alert", code: Exit.badInput)
            }
            var options = ConversionOptions()
            options.creator = creatorName
            let dataset = try format.read(input, options: options)
            if var a = dataset.alerts.first {
                if let name { a.name = name }
                return a
            }
            guard let obs = dataset.observations.first else {
                throw InputError(file: input, reason: "holds no event list")
            }
            guard let eventID else {
                throw Failure(
                    message:
                        "\(input): an EVENTS file needs --event-id N (an event list; alerts are made from one row)",
                    code: Exit.usage)
            }
            var o = AlertOptions()
            o.name = name
            o.errorRadiusDeg = errorRadius
            o.containment = containment
            o.topology = topology
            o.pipeline = pipeline
            o.creator = creatorName
            if let issued { o.issued = UTCInstant(iso: issued)! }
            return try AlertConversion.alert(from: obs, file: input, eventID: eventID, options: o)
        } catch let f as Failure { throw f } catch { throw Failure(error) }
    }

    func locateStandards() throws -> Standards {
        do { return try Standards.locate(standards) } catch { throw Failure(message: "\(error)", code: Exit.usage) }
    }

    func write(_ produce: () throws -> Data, what: String, alert: NeutrinoAlert) throws {
        let data: Data
        do { data = try produce() } catch let e as AlertOutput.Invalid {
            throw Failure(message: e.description, code: Exit.badInput)
        } catch {
            throw Failure(message: "\(error)", code: Exit.badInput)
        }
        do { try AtomicOutput.write(data, to: output) } catch { throw Failure(error) }
        if !quiet {
            let e = alert.localization
            print(
                "\(output): \(what) \(alert.name): RA \(e.raDeg) deg, Dec \(e.decDeg) deg, error \(e.errorRadiusDeg.map { "\($0) deg" } ?? "none"), \(e.time.iso(digits: 3)), \(alert.events.count) event(s)"
            )
        }
    }
}

struct AlertVOEvent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voevent",
        abstract: "Write a VOEvent 2.0 or 2.1 for one event, valid against the XSD.")

    @OptionGroup var alertInput: AlertInputOptions

    @Option(help: "VOEvent version (its XSD checks the output).")
    var schema: VOEventVersion = .v2_0

    @Option(help: "The publisher's IVOA authority; the IVORN is AUTHORITY/alerts#NAME.")
    var authority = "ivo://km3net.org"

    func run() throws {
        let alert = try alertInput.alert()
        let standards = try alertInput.locateStandards()
        try alertInput.write(
            { try AlertOutput.voevent(alert, version: schema, authority: authority, standards: standards) },
            what: "VOEvent \(schema.rawValue)", alert: alert)
    }
}

struct AlertGCN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gcn",
        abstract: "Write a GCN KM3NeT alert notice (JSON) for one event, valid against the notice schema.")

    @OptionGroup var alertInput: AlertInputOptions

    func run() throws {
        let alert = try alertInput.alert()
        let standards = try alertInput.locateStandards()
        try alertInput.write(
            { try AlertOutput.gcnNotice(alert, standards: standards) }, what: "GCN notice", alert: alert)
    }
}
