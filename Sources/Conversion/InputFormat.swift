import Foundation
import Model
import Readers

/// The first bytes of an input, for formats to recognise it by content (never by name).
public struct FileHead: Sendable {
    public let path: String
    public let bytes: [UInt8]
    /// The built-in kind these bytes show, if any.
    public let builtIn: InputKind?
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        builtIn = InputKind.kind(of: bytes)
    }
}

/// One input format: how it is named in lists and help, what it holds, how it is recognised and
/// how it is read into the model. `convert`, `release build`, `peek`, `alert` and the help texts
/// all find formats through `InputFormats`; nothing else switches over them.
public protocol InputFormat: Sendable {
    /// Its name in lists ("KM3NeT offline or dst file (ROOT)").
    var name: String { get }
    /// One line for the help: what the input is, and what it becomes.
    var help: String { get }
    /// How `convert` names what it detected ("FITS", "ROOT").
    var label: String { get }
    /// What it holds, as `convert --kind` names it, and what else a file of it may hold.
    var holds: Holding { get }
    var alsoHolds: [Holding] { get }
    /// Whether it is an alert document (its `Dataset` then has `alerts`).
    var holdsAlerts: Bool { get }
    /// Whether its files are FITS, which HDU-level tools (peek's --hdu, validate) read themselves.
    var isFITS: Bool { get }
    /// Whether `head` is this format (content only).
    func sniff(_ head: FileHead) -> Bool
    /// Everything the input holds, in the model. Errors name the file.
    func read(_ path: String, options: ConversionOptions) throws -> Dataset
    /// The run number the input's first event carries, read without reading it all (a release
    /// manifest's OBS_ID); nil when it has none.
    func runNumber(_ path: String) throws -> Int?
}

extension InputFormat {
    public var alsoHolds: [Holding] { [] }
    public var label: String { name }
    public var holdsAlerts: Bool { false }
    public var isFITS: Bool { false }
    public func runNumber(_ path: String) throws -> Int? { nil }
    /// Whether `convert --kind` may ask this format for `part`: a format holding IRFs may hold any kind.
    public func holds(_ part: Holding) -> Bool {
        part == holds || alsoHolds.contains(part) || (part.isIRFKind && holds(.irf))
    }
    /// A KM3NeT IRF table (one IRF kind per file), which a directory of tables (`convert DIR --kind irf`) holds.
    public var isIRFTable: Bool { holds.isIRFKind }
}

/// The one list of input formats: the built-in ones, then any a program registers.
public enum InputFormats {
    private static let registered = Registered()

    public static var all: [any InputFormat] { builtIn + registered.formats }

    /// Adds a format after the built-in ones (a program that links VodfKit, or a test).
    public static func register(_ format: any InputFormat) { registered.append(format) }

    /// The format of `path`, from its content.
    public static func detect(path: String) throws -> any InputFormat {
        let bytes = try InputKind.head(path: path)
        let head = FileHead(path: path, bytes: bytes)
        guard let format = all.first(where: { $0.sniff(head) }) else {
            throw InputKind.unrecognised(path: path, bytes: bytes)
        }
        return format
    }

    /// A lock-guarded list: registration may happen from any thread.
    final class Registered: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [any InputFormat] = []
        var formats: [any InputFormat] { lock.withLock { list } }
        func append(_ f: any InputFormat) { lock.withLock { list.append(f) } }
    }
}

/// A built-in format, recognised by `InputKind.kind(of:)`.
protocol BuiltInFormat: InputFormat {
    var kind: InputKind { get }
}

extension BuiltInFormat {
    public func sniff(_ head: FileHead) -> Bool { head.builtIn == kind }
    public var label: String { kind.rawValue }
}
