import Foundation
import Model
import Readers

/// What an input holds, as `convert --kind` names it: `events`, `irf` (any IRF HDUs), or one IRF kind by
/// its HDU-index type (`aeff`, `psf`, ...), which the kinds declare in their layouts (`IRFKinds`).
public struct Holding: RawRepresentable, Hashable, Sendable, CaseIterable {
    public let rawValue: String

    private init(name: String) { rawValue = name }

    public init?(rawValue: String) {
        guard let h = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = h
    }

    public static let events = Holding(name: "events")
    /// A GADF or VODF IRF file (any of `IRFKinds`), or a directory of KM3NeT IRF tables.
    public static let irf = Holding(name: "irf")

    /// One IRF kind's part (every PSF layout is `psf`).
    public static func of(_ kind: any IRFComponent.Type) -> Holding { Holding(name: kind.layout.hduIndexType) }

    /// events, each IRF kind's index type in `IRFKinds` order, then irf.
    public static var allCases: [Holding] {
        var kinds: [Holding] = []
        for k in IRFKinds.all where !kinds.contains(of(k)) { kinds.append(of(k)) }
        return [events] + kinds + [irf]
    }

    /// Whether this names a single IRF kind.
    public var isIRFKind: Bool { self != .events && self != .irf }
}
