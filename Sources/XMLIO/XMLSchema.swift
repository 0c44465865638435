internal import CLibXML2
import Foundation

/// An XML Schema (XSD), compiled once by libxml2, that documents are checked against: the VOEvent
/// 2.0 and 2.1 schemas for alerts vodfkit writes and reads.
public final class XMLSchema: @unchecked Sendable {
    /// One way a document breaks the schema: the line, the element, and libxml2's message.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var element: String?
        public var message: String
        public var description: String { "line \(line): " + message }
    }

    public let path: String
    private let schema: xmlSchemaPtr
    // libxml2's validation contexts are not shared between threads; one check at a time.
    private let lock = NSLock()

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw XMLError(file: path, reason: "no such schema file")
        }
        guard let ctxt = xmlSchemaNewParserCtxt(path) else {
            throw XMLError(file: path, reason: "cannot open the schema")
        }
        defer { xmlSchemaFreeParserCtxt(ctxt) }
        let collector = Collector()
        xmlSchemaSetParserStructuredErrors(ctxt, Collector.handler, Unmanaged.passUnretained(collector).toOpaque())
        guard let s = xmlSchemaParse(ctxt) else {
            throw XMLError(
                file: path,
                reason: "not a usable XML Schema: " + (collector.violations.first?.message ?? "libxml2 refused it"))
        }
        self.path = path
        self.schema = s
    }

    deinit { xmlSchemaFree(schema) }

    /// The document's violations of this schema; empty when it is valid. Throws when the
    /// document is not well-formed XML.
    public func violations(of data: Data, file: String) throws -> [Violation] {
        lock.lock()
        defer { lock.unlock() }
        return try LibXMLDocument.withParsed(data, file: file) { doc in
            guard let ctxt = xmlSchemaNewValidCtxt(schema) else {
                throw XMLError(file: file, reason: "cannot start schema validation")
            }
            defer { xmlSchemaFreeValidCtxt(ctxt) }
            let collector = Collector()
            xmlSchemaSetValidStructuredErrors(ctxt, Collector.handler, Unmanaged.passUnretained(collector).toOpaque())
            let rc = xmlSchemaValidateDoc(ctxt, doc)
            if rc != 0 && collector.violations.isEmpty {
                collector.violations.append(
                    Violation(line: 0, element: nil, message: "the document does not validate (libxml2 code \(rc))"))
            }
            return collector.violations
        }
    }

    /// Gathers libxml2's structured errors, in order.
    final class Collector {
        var violations: [Violation] = []

        static let handler: xmlStructuredErrorFunc = { user, error in
            guard let user, let error else { return }
            let c = Unmanaged<Collector>.fromOpaque(user).takeUnretainedValue()
            let message =
                error.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? "schema violation"
            var element: String?
            if let node = error.pointee.node?.assumingMemoryBound(to: xmlNode.self),
                node.pointee.type == XML_ELEMENT_NODE
            {
                element = node.pointee.name.map { String(cString: $0) }
            }
            c.violations.append(Violation(line: Int(error.pointee.line), element: element, message: message))
        }
    }
}
