import Diagnostics
import FITSIO
import Foundation
import GADF
import Readers

/// Why a conversion failed, in one line that names the file, and what kind of failure it is (the
/// CLI turns the category into its exit code).
public struct ConversionError: Error, CustomStringConvertible, CategorizedError, Sendable {
    public typealias Category = ErrorCategory
    public var message: String
    public var category: ErrorCategory
    public var description: String { message }

    public init(_ message: String, _ category: Category) {
        self.message = message
        self.category = category
    }

    /// An error from a reader or writer on `input`, with the category it declares. The readers'
    /// errors name the file already; a writer's does not.
    static func from(_ error: Error, input: String) -> ConversionError {
        switch error {
        case let e as ConversionError: e
        case let e as WriterError: ConversionError("\(input): \(e)", e.category)
        case let e as CategorizedError: ConversionError("\(error)", e.category)
        default: ConversionError("\(input): \(error)", .badInput)
        }
    }
}
