/// Input bytes quoted in a one-line message: control characters and the replacement character
/// (which stands for bytes that were not UTF-8) escaped as `\xNN`/`\u{FFFD}`, and long text cut
/// short. A flipped bit in a CSV cell otherwise puts a raw control byte, or a newline, into the
/// error line that CI logs and people read.
public enum MessageText {
    /// `text` without a leading "FILE: " or "FILE [HDU n]" that names `file` (a report line or
    /// finding names the file already).
    public static func withoutFilePrefix(_ text: String, file: String) -> String {
        guard !file.isEmpty else { return text }
        if text.hasPrefix(file + ": ") { return String(text.dropFirst(file.count + 2)) }
        if text.hasPrefix(file + " [") { return String(text.dropFirst(file.count + 1)) }
        return text
    }

    /// `'text'`, escaped, at most `limit` characters of it (then `...`).
    public static func quoted<S: StringProtocol>(_ text: S, limit: Int = 40) -> String {
        "'" + escaped(text, limit: limit) + "'"
    }

    /// The text with every character that could break a line or a terminal escaped.
    public static func escaped<S: StringProtocol>(_ text: S, limit: Int = .max) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count >= limit {
                out += "..."
                break
            }
            switch scalar.value {
            case 0x20..<0x7f: out.unicodeScalars.append(scalar)
            case 0..<0x20, 0x7f..<0xa0: out += "\\x" + hex2(scalar.value)
            case 0xfffd: out += "\\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
            count += 1
        }
        return out
    }

    private static func hex2(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(v >> 4) & 15], digits[Int(v) & 15]])
    }
}
