internal import CLibXML2
import Foundation

extension XMLDocument {
    /// The document as UTF-8 XML, indented, built as a libxml2 tree and dumped by libxml2 (which
    /// escapes every text and attribute value).
    public func serialized() throws -> Data {
        guard let doc = xmlNewDoc("1.0") else {
            throw XMLError(file: "(document)", reason: "libxml2 could not allocate a document")
        }
        defer { xmlFreeDoc(doc) }
        for comment in leadingComments {
            // "--" may not appear inside an XML comment.
            xmlAddChild(
                UnsafeMutablePointer(OpaquePointer(doc)),
                xmlNewDocComment(doc, comment.replacingOccurrences(of: "--", with: "- -")))
        }
        guard let node = xmlNewDocNode(doc, nil, root.name, nil) else {
            throw XMLError(file: "(document)", reason: "cannot create <\(root.name)>")
        }
        xmlDocSetRootElement(doc, node)
        var prefixes: [String: xmlNsPtr] = [:]
        if let ns = rootNamespace, let n = xmlNewNs(node, ns.uri, ns.prefix) {
            xmlSetNs(node, n)
            if let p = ns.prefix { prefixes[p] = n }
        }
        for ns in namespaces {
            if let n = xmlNewNs(node, ns.uri, ns.prefix), let p = ns.prefix { prefixes[p] = n }
        }
        try fill(node, with: root, prefixes: prefixes, doc: doc)
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpFormatMemoryEnc(doc, &buffer, &size, "UTF-8", 1)
        guard let buffer else { throw XMLError(file: "(document)", reason: "libxml2 could not serialise the document") }
        defer { vodf_xml_free(buffer) }
        return Data(bytes: buffer, count: Int(size))
    }

    fileprivate func fill(_ node: xmlNodePtr, with element: XMLElement, prefixes: [String: xmlNsPtr], doc: xmlDocPtr)
        throws
    {
        for a in element.attributes {
            let parts = a.name.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.count == 2, let ns = prefixes[parts[0]] {
                xmlNewNsProp(node, ns, parts[1], a.value)
            } else {
                xmlNewProp(node, a.name, a.value)
            }
        }
        if let text = element.text { xmlAddChild(node, xmlNewDocText(doc, text)) }
        for c in element.children {
            guard let child = xmlNewDocNode(doc, nil, c.name, nil) else {
                throw XMLError(file: "(document)", reason: "cannot create <\(c.name)>")
            }
            xmlAddChild(node, child)
            try fill(child, with: c, prefixes: prefixes, doc: doc)
        }
    }

    /// Reads a document. Network access, DTD loading and entity expansion are off: an alert or a
    /// VOTable from elsewhere must not make this process fetch or expand anything.
    public static func parse(_ data: Data, file: String) throws -> XMLDocument {
        try LibXMLDocument.withParsed(data, file: file) { doc in
            guard let root = xmlDocGetRootElement(doc) else {
                throw XMLError(file: file, reason: "the document has no root element")
            }
            var d = XMLDocument(root: element(root))
            if let ns = root.pointee.ns {
                d.rootNamespace = Namespace(
                    prefix: ns.pointee.prefix.map { String(cString: $0) },
                    uri: ns.pointee.href.map { String(cString: $0) } ?? "")
            }
            return d
        }
    }

    public static func read(path: String) throws -> XMLDocument {
        try parse(try LibXMLDocument.contents(path), file: path)
    }

    static func element(_ node: xmlNodePtr) -> XMLElement {
        var e = XMLElement(String(cString: node.pointee.name))
        e.line = Int(xmlGetLineNo(node))
        e.namespace = node.pointee.ns?.pointee.href.map { String(cString: $0) }
        var a = node.pointee.properties
        while let attr = a {
            let local = String(cString: attr.pointee.name)
            let prefix = attr.pointee.ns?.pointee.prefix.map { String(cString: $0) }
            var value = ""
            if let v = xmlNodeListGetString(node.pointee.doc, attr.pointee.children, 1) {
                value = String(cString: v)
                vodf_xml_free(v)
            }
            e.attributes.append(.init(name: prefix.map { "\($0):\(local)" } ?? local, value: value))
            a = attr.pointee.next
        }
        var texts: [String] = []
        var c = node.pointee.children
        while let n = c {
            switch n.pointee.type {
            case XML_ELEMENT_NODE: e.children.append(element(n))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = n.pointee.content { texts.append(String(cString: content)) }
            default: break
            }
            c = n.pointee.next
        }
        if !texts.isEmpty { e.text = texts.joined() }
        return e
    }
}

/// libxml2 documents parsed with the same safe options by the tree reader and the schema checker.
enum LibXMLDocument {
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    static func contents(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw XMLError(
                file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        return data
    }

    static func withParsed<T>(_ data: Data, file: String, _ body: (xmlDocPtr) throws -> T) throws -> T {
        xmlResetLastError()
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            xmlReadMemory(raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), file, nil, options)
        }
        guard let doc else {
            let e = xmlGetLastError()
            let line = e.map { Int($0.pointee.line) }
            let message =
                e?.pointee.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
                ?? "unknown parser error"
            throw XMLError(file: file, line: line, reason: "not well-formed XML: \(message)")
        }
        defer { xmlFreeDoc(doc) }
        return try body(doc)
    }
}

extension XMLDocument {
    /// The document as HTML (libxml2's HTML serialiser: void elements without end tags, script
    /// and style text as it is), with the HTML5 doctype. For pages, such as `release report`.
    public func serializedHTML() throws -> Data {
        guard let doc = htmlNewDocNoDtD(nil, nil) else {
            throw XMLError(file: "(document)", reason: "libxml2 could not allocate an HTML document")
        }
        defer { xmlFreeDoc(doc) }
        guard let node = xmlNewDocNode(doc, nil, root.name, nil) else {
            throw XMLError(file: "(document)", reason: "cannot create <\(root.name)>")
        }
        xmlDocSetRootElement(doc, node)
        try fill(node, with: root, prefixes: [:], doc: doc)
        var buffer: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        htmlDocDumpMemoryFormat(doc, &buffer, &size, 0)
        guard let buffer else { throw XMLError(file: "(document)", reason: "libxml2 could not serialise the page") }
        defer { vodf_xml_free(buffer) }
        return Data("<!DOCTYPE html>\n".utf8) + Data(bytes: buffer, count: Int(size))
    }
}
