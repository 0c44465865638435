import CFITSIO
import Diagnostics
import Foundation

/// An error from cfitsio (or from this layer), carrying the file, the HDU and cfitsio's own text.
public struct FITSError: Error, CategorizedError, CustomStringConvertible, Sendable {
    /// Raised while reading an input.
    public var category: ErrorCategory { .badInput }
    public let file: String
    /// 1-based HDU number, when one was current.
    public let hdu: Int?
    /// What we were doing, e.g. "reading column ENERGY".
    public let context: String
    /// cfitsio status code (0 when the error comes from this layer's own checks).
    public let status: Int32
    /// cfitsio's status text and error-stack messages.
    public let detail: String

    public init(file: String, hdu: Int?, context: String, status: Int32 = 0, detail: String = "") {
        self.file = file
        self.hdu = hdu
        self.context = context
        self.status = status
        self.detail = detail
    }

    public var description: String {
        var s = file
        if let hdu { s += " [HDU \(hdu)]" }
        s += ": \(context)"
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    /// cfitsio's short text for a status code, plus whatever is on its (process-global) message stack.
    static func cfitsioText(_ status: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 32)
        ffgerr(status, &buf)
        var parts = [String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)]
        var msg = [CChar](repeating: 0, count: 96)
        // The message stack is shared by every handle; drain it so it does not leak into later errors.
        while ffgmsg(&msg) != 0 {
            let m = String(decoding: msg.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingCharacters(in: CharacterSet(charactersIn: " :"))
            // cfitsio pushes the bare file name as its own message; the caller already names the file.
            if !m.isEmpty, m.contains(" "), !parts.contains(m) { parts.append(m) }
        }
        return parts.joined(separator: "; ")
    }
}
