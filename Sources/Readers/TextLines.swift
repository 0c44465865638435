import Foundation
import Model

/// The lines of a text file, read in blocks so that a large table is never held whole (a 495 MB
/// CSV took 3 GB when it was read at once and split). Each line comes with its 1-based number and
/// without its `\n` (or `\r\n`).
///
/// A file whose last line has no newline is reported as truncated: every table vodfkit reads is
/// written line by line, and a cut in the middle of the last number ("54161.2" for "54161.2295")
/// still parses, so the missing newline is the only sign left of the cut.
public struct TextLines {
    public let path: String
    /// Where to start (the byte after a line already read) and that line's number.
    public var start: (offset: Int, line: Int) = (0, 0)
    public static let blockSize = 1 << 20

    /// Calls `body` with each line from `start`, and the byte offset after it (for a later read to
    /// resume there); `body` returns false to stop early.
    public func forEach(_ body: (_ number: Int, _ text: Substring, _ end: Int) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw InputError(file: path, reason: "cannot read file (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var pending = [UInt8]() // the start of a line whose end is in the next block
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        var offset = start.offset
        var number = start.line
        var lineStart = start.offset
        while true {
            let n = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Self.blockSize, off_t(offset)) }
            guard n >= 0 else {
                throw InputError(
                    file: path, reason: "read error at byte \(offset) (\(String(cString: strerror(errno))))")
            }
            if n == 0 { break }
            var from = 0
            while let nl = block[from..<n].firstIndex(of: 0x0a) {
                number += 1
                let bytes = pending.isEmpty ? Array(block[from..<nl]) : pending + block[from..<nl]
                pending.removeAll(keepingCapacity: true)
                let end = offset + nl + 1
                guard try body(number, try decode(bytes, line: number), end) else { return }
                lineStart = end
                from = nl + 1
            }
            pending += block[from..<n]
            offset += n
        }
        if !pending.isEmpty {
            let text = try decode(pending, line: number + 1)
            if !text.allSatisfy(\.isWhitespace) {
                throw InputError(
                    file: path, line: number + 1,
                    reason:
                        "the last line has no newline: the file looks truncated (\(pending.count) bytes after byte \(lineStart); if it is complete, end it with a newline)"
                )
            }
        }
    }

    private func decode(_ bytes: [UInt8], line: Int) throws -> Substring {
        var b = bytes
        if b.last == 0x0d { b.removeLast() }
        guard let s = String(validating: b, as: UTF8.self) else {
            throw InputError(
                file: path, line: line,
                reason: "not UTF-8 text: \(MessageText.quoted(String(decoding: b, as: UTF8.self)))")
        }
        return Substring(s)
    }
}
