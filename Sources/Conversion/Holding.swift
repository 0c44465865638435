import Foundation
import Model
import Readers

/// What an input holds, as `convert --kind` names it.
public enum Holding: String, CaseIterable, Sendable {
    case events, aeff, psf, edisp, bkg
    /// A GADF or VODF IRF file (any of `IRFKinds`).
    case irf
}
