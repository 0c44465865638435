internal import CLibXML2
import Foundation

/// A problem with an XML document: the file, the line when known, and why.
public struct XMLError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let reason: String
    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
    public var description: String { "\(file)" + (line.map { ":\($0)" } ?? "") + ": " + reason }
}

/// One element of an XML document as a value: the documents vodfkit writes (VOTable, VOEvent,
/// DaCHS resource descriptors) are built as these trees and serialised by libxml2, which escapes
/// text and attributes; documents read are turned into them with the line each element starts on.
public struct XMLElement: Sendable, Equatable {
    public struct Attribute: Sendable, Equatable {
        /// `local` or `prefix:local` for a namespaced attribute (xsi:schemaLocation).
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var attributes: [Attribute]
    /// The element's own text (its text children joined), nil when it has none.
    public var text: String?
    public var children: [XMLElement]
    /// The line the element starts on, in a parsed document (0 in a built one).
    public var line: Int
    /// The namespace URI of the element, in a parsed document.
    public var namespace: String?

    /// An element; attributes whose value is nil are left out, so optional ones read naturally.
    public init(
        _ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text: String? = nil,
        children: [XMLElement] = []
    ) {
        self.name = name
        self.attributes = attributes.compactMap { k, v in v.map { Attribute(name: k, value: $0) } }
        self.text = text
        self.children = children
        self.line = 0
    }

    public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    /// The first child called `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    public func children(named name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The element at a path of child names (`["WhereWhen", "ObsDataLocation"]`).
    public func find(_ path: [String]) -> XMLElement? {
        path.reduce(Optional(self)) { e, name in e?.child(name) }
    }

    /// Every element below this one, depth first, this one included.
    public var descendants: [XMLElement] { [self] + children.flatMap(\.descendants) }

    /// The trimmed text, nil when empty.
    public var trimmedText: String? {
        let t = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        return t?.isEmpty == false ? t : nil
    }
}

/// A whole document: its root and the namespaces declared on it.
public struct XMLDocument: Sendable {
    public struct Namespace: Sendable, Equatable {
        public var prefix: String?
        public var uri: String
        public init(prefix: String?, uri: String) {
            self.prefix = prefix
            self.uri = uri
        }
    }

    public var root: XMLElement
    /// The namespace the root element is in (with a prefix, only the root is qualified: VOEvent's
    /// children are unqualified; without one, it is the default namespace of every element).
    public var rootNamespace: Namespace?
    /// Further declarations on the root (xsi).
    public var namespaces: [Namespace]
    /// Comments written before the root element.
    public var leadingComments: [String]

    public init(
        root: XMLElement, rootNamespace: Namespace? = nil, namespaces: [Namespace] = [], leadingComments: [String] = []
    ) {
        self.root = root
        self.rootNamespace = rootNamespace
        self.namespaces = namespaces
        self.leadingComments = leadingComments
    }

    public static let xsi = Namespace(prefix: "xsi", uri: "http://www.w3.org/2001/XMLSchema-instance")
}
