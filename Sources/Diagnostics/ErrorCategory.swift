/// What kind of failure an error is, which decides the exit code in one place (the CLI's `Exit`):
/// every error type of the library declares its category instead of each command guessing.
public enum ErrorCategory: Sendable, Equatable {
    /// The request cannot be met as asked (an option the format cannot hold, a wrong --kind).
    case usage
    /// An input is unreadable, damaged or not what was asked for.
    case badInput
    /// An output could not be written.
    case output
}

/// An error that knows its category. Errors that do not conform count as bad input (they come
/// from reading: a parser, a decoder).
public protocol CategorizedError: Error {
    var category: ErrorCategory { get }
}

extension ErrorCategory {
    /// The category of any error.
    public static func of(_ error: Error) -> ErrorCategory {
        (error as? CategorizedError)?.category ?? .badInput
    }
}
