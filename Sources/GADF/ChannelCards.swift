import FITSIO
import Model

/// The keywords that say which event channel an HDU belongs to (docs/formats.md, "Event channels").
enum ChannelCards {
    /// One channel: its name, its event-type number and, for IRFs, the neutrino flavour.
    static func single(_ c: EventChannel) -> [HeaderCard] {
        var cards = [
            HeaderCard("CHANNEL", .string(c.name), comment: "vodfkit: event channel (selection) of this HDU"),
            HeaderCard("EVTTYPE", .int(Int64(c.number)), comment: "vodfkit: event type number of the channel"),
        ]
        if let f = c.flavour {
            cards.append(HeaderCard("NUFLAVOR", .string(f), comment: "vodfkit: neutrino flavour of the IRF"))
        }
        if let i = c.interaction {
            cards.append(HeaderCard("NUINTER", .string(i), comment: "vodfkit: neutrino interaction (CC/NC)"))
        }
        return cards
    }

    /// The event types an event list holds: `EVTTYPn = name` for each (the EVT_TYPE column's values).
    static func types(_ channels: [EventChannel]) -> [HeaderCard] {
        channels.map {
            HeaderCard(
                "EVTTYP\($0.number)", .string($0.name), comment: "vodfkit: EVT_TYPE \($0.number) is this channel")
        }
    }

    /// The channel an HDU's keywords name (CHANNEL, EVTTYPE, NUFLAVOR, NUINTER), read back; nil
    /// when CHANNEL is absent or blank.
    static func single(of header: [HeaderCard]) -> EventChannel? {
        guard let name = header[key: "CHANNEL"]?.stringValue?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return nil
        }
        return EventChannel(
            name: name, number: Int(header[key: "EVTTYPE"]?.intValue ?? 1),
            flavour: header[key: "NUFLAVOR"]?.stringValue, interaction: header[key: "NUINTER"]?.stringValue)
    }

    /// The event types an event list's EVTTYPn keywords name, read back.
    static func types(of header: [HeaderCard]) -> [EventChannel] {
        var out: [EventChannel] = []
        while let name = header[key: "EVTTYP\(out.count + 1)"]?.stringValue {
            out.append(EventChannel(name: name, number: out.count + 1))
        }
        return out
    }

    static func period(_ p: String?) -> [HeaderCard] {
        p.map { [HeaderCard("PERIOD", .string($0), comment: "vodfkit: detector period whose IRFs apply")] } ?? []
    }
}
