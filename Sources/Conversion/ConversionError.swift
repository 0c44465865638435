import FITSIO
import Foundation
import Readers
import ROOTIO
import Writers

/// Why a conversion failed, in one line that names the file, and what kind of failure it is (the
/// CLI turns the category into its exit code).
public struct ConversionError: Error, CustomStringConvertible, Sendable {
    public enum Category: Sendable {
        /// The request cannot be met as asked (a kind the format cannot hold, a directory without --kind irf).
        case usage
        /// The input is unreadable, damaged or not what was asked for.
        case badInput
        /// The output could not be written.
        case output
    }
    public var message: String
    public var category: Category
    public var description: String { message }

    public init(_ message: String, _ category: Category) {
        self.message = message
        self.category = category
    }

    /// An error from a reader or writer on `input`, with the category it belongs to. The readers'
    /// errors name the file already.
    static func from(_ error: Error, input: String) -> ConversionError {
        switch error {
        case let e as ConversionError: e
        case let e as InputError: ConversionError(e.description, .badInput)
        case let e as ROOTError: ConversionError(e.description, .badInput)
        case let e as FITSError: ConversionError(e.description, .badInput)
        case let e as WriterError: ConversionError("\(input): \(e)", .usage)
        default: ConversionError("\(input): \(error)", .badInput)
        }
    }
}
