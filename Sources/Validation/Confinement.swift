import Foundation

/// The directories whose files a validation run may open when a file points at another: the rows
/// of an HDU index (FILE_DIR, FILE_NAME, BASE_DIR) and the members of a grouping table.
///
/// People run the validator on uploads in CI, so a row is not a licence to read the machine: a
/// path is first normalised as text and refused, without being touched, when it leaves every
/// root (`../../etc/passwd`, an absolute FILE_DIR, BASE_DIR `/`); only then is it resolved
/// through its symlinks, and refused if that leads out, or if it is not a regular file (a FIFO
/// would hang the run, a device would be read without end). Pass or fail then says nothing about
/// files outside the roots.
public struct Confinement: Sendable {
    /// Absolute, normalised roots, and the same with their symlinks resolved.
    private let roots: [String]
    private let resolvedRoots: [String]

    /// `roots`: the directories validated (for a file given on its own, its directory) and those
    /// of `--allow-outside`.
    public init(roots: [String]) {
        let lexical = roots.map { Self.normalised($0) }
        self.roots = lexical
        self.resolvedRoots = lexical.map { Self.resolved($0) ?? $0 }
    }

    /// No confinement: every path may be opened (library use that opts out).
    public static let none = Confinement(roots: ["/"])

    /// nil when `target` may be opened, else why not (for a finding). `target` is absolute or
    /// relative to the current directory.
    public func refusal(_ target: String) -> String? {
        let path = Self.normalised(target)
        guard Self.isInside(path, roots) else {
            return "outside the validated directories; not opened (--allow-outside DIR permits another)"
        }
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil } // missing: the caller reports it
        if let real = Self.resolved(path), !Self.isInside(real, resolvedRoots) {
            return "a symlink that leads outside the validated directories; not opened"
        }
        guard stat(path, &st) == 0 else { return nil }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            let kind =
                switch st.st_mode & S_IFMT {
                case S_IFIFO: "a FIFO"
                case S_IFCHR, S_IFBLK: "a device"
                case S_IFDIR: "a directory"
                case S_IFSOCK: "a socket"
                default: "not a regular file"
                }
            return "\(kind), not a regular file; not opened"
        }
        return nil
    }

    static func normalised(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    static func resolved(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func isInside(_ path: String, _ roots: [String]) -> Bool {
        roots.contains { root in root == "/" || path == root || path.hasPrefix(root + "/") }
    }
}
