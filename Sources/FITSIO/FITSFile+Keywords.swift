import CFITSIO
import Foundation

/// Reading a header: every card, long strings joined, values typed.
extension FITSFile {
    // MARK: - Reading keywords

    /// Every card of the current HDU, with long (CONTINUE) strings joined.
    public func readHeader() throws -> [HeaderCard] {
        let f = try handle()
        var status: Int32 = 0
        var nkeys: Int32 = 0
        var more: Int32 = 0
        ffghsp(f, &nkeys, &more, &status)
        try check(status, "reading header size")
        var cards: [HeaderCard] = []
        cards.reserveCapacity(Int(nkeys))
        var name = [CChar](repeating: 0, count: Int(FLEN_KEYWORD))
        var value = [CChar](repeating: 0, count: Int(FLEN_VALUE))
        var comment = [CChar](repeating: 0, count: Int(FLEN_COMMENT))
        var record = [CChar](repeating: 0, count: Int(FLEN_CARD))
        // The string card that a CONTINUE card would extend (its value ended in '&').
        var open: (card: Int, text: String)? = nil
        for i in 1...max(nkeys, 1) where nkeys > 0 {
            ffgkyn(f, i, &name, &value, &comment, &status)
            try check(status, "reading header card \(i)")
            let key = Self.string(name)
            let com = Self.string(comment)
            if key == "CONTINUE" {
                // Long strings (the CONTINUE convention): the quoted text from column 11 on. Joined
                // here, card by card, rather than by asking cfitsio for the keyword by name, which
                // searches the header again for every string (quadratic in the header's length).
                ffgrec(f, i, &record, &status)
                try check(status, "reading header card \(i)")
                if let o = open, case .string(let head)? = cards[o.card].value {
                    let part = Self.unquote(String(Self.string(record).dropFirst(10)).trimmedBlanks) ?? ""
                    let joined = String(head.dropLast()) + part
                    cards[o.card].value = .string(joined)
                    open = part.hasSuffix("&") ? (o.card, joined) : nil
                }
                continue
            }
            open = nil
            if key == "COMMENT" || key == "HISTORY" || key.isEmpty {
                // ffgkyn puts a value-less card's text in `comment`.
                cards.append(HeaderCard(key.isEmpty ? "COMMENT" : key, nil, comment: com))
                continue
            }
            let raw = Self.string(value)
            let parsed = try parseValue(raw, key: key)
            cards.append(HeaderCard(key, parsed, comment: com))
            if case .string(let text)? = parsed, text.hasSuffix("&") { open = (cards.count - 1, text) }
        }
        return cards
    }

    /// The text of a FITS string value `'...'` ('' is a quote; trailing blanks are not significant).
    /// Works on the bytes: headers hold hundreds of these per file.
    static func unquote(_ raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { b -> String? in
            guard b.first == UInt8(ascii: "'") else { return nil }
            let quote = UInt8(ascii: "'")
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            var i = 1
            while i < b.count {
                if b[i] == quote {
                    guard i + 1 < b.count, b[i + 1] == quote else { break }
                    out.append(quote)
                    i += 2
                } else {
                    out.append(b[i])
                    i += 1
                }
            }
            while out.last == UInt8(ascii: " ") { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }

    func parseValue(_ raw: String, key: String) throws -> HeaderValue? {
        if raw.isEmpty { return nil }
        if let text = Self.unquote(raw) { return .string(text) }
        if raw == "T" { return .bool(true) }
        if raw == "F" { return .bool(false) }
        if let i = Int64(raw) { return .int(i) }
        // FITS allows D as exponent letter.
        if let d = Double(raw) ?? (raw.contains("D") ? Double(raw.replacingOccurrences(of: "D", with: "E")) : nil) {
            return .double(d)
        }
        return .string(raw)
    }

    public func readKey(_ name: String) throws -> HeaderValue? {
        try readHeader()[key: name]
    }

    static func string(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
