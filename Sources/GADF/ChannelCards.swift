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

    static func period(_ p: String?) -> [HeaderCard] {
        p.map { [HeaderCard("PERIOD", .string($0), comment: "vodfkit: detector period whose IRFs apply")] } ?? []
    }
}
