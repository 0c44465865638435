import Foundation

/// How findings are printed: `text` for people, `json` for tools, `junit` for CI test dashboards,
/// `github` for GitHub Actions annotations on the files of a pull request.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, json, junit, github

    /// `dialects`: which draft each file follows, where a family has competing ones (VODF); a
    /// statement beside the findings, not one of them.
    public func render(findings: [Finding], files: [String], profile: Profile, dialects: [DialectStatement] = []) throws
        -> String
    {
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        switch self {
        case .text:
            var lines = findings.map { f in
                "\(f.file): \(f.severity.rawValue): [\(f.rule)] \(Self.location(f).map { $0 + ": " } ?? "")\(f.message)"
            }
            lines += dialects.map { "\($0.file): dialect: \($0.text)" }
            lines.append(Self.summaryLine(findings, files: files, profile: profile))
            return lines.joined(separator: "\n")
        case .json:
            struct Summary: Codable {
                var errors: Int
                var warnings: Int
                var infos: Int
                var nothing_checked: Int
            }
            struct Doc: Codable {
                var profile: String
                var files: [String]
                var findings: [Finding]
                var dialects: [DialectStatement]
                var summary: Summary
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            let doc = Doc(
                profile: profile.rawValue, files: files, findings: findings, dialects: dialects,
                summary: Summary(
                    errors: errors, warnings: warnings, infos: findings.filter { $0.severity == .info }.count,
                    nothing_checked: Set(findings.filter { $0.rule == "spec:nothing-checked" }.map(\.file)).count))
            return String(decoding: try enc.encode(doc), as: UTF8.self)
        case .junit:
            // One test case per file, so a dashboard shows which file failed; every error is a failure line.
            var xml = [
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<testsuites name=\"vodf validate\" tests=\"\(files.count)\" failures=\"\(Set(findings.filter { $0.severity == .error }.map(\.file)).count)\">",
                "  <testsuite name=\"vodf validate (profile \(Self.xml(profile.rawValue)))\" tests=\"\(files.count)\">",
            ]
            for file in files {
                let mine = findings.filter { $0.file == file }
                let errs = mine.filter { $0.severity == .error }
                xml.append("    <testcase classname=\"vodf.validate\" name=\"\(Self.xml(file))\">")
                if !errs.isEmpty {
                    let body = errs.map { "[\($0.rule)] \(Self.location($0).map { $0 + ": " } ?? "")\($0.message)" }
                        .joined(separator: "\n")
                    xml.append(
                        "      <failure message=\"\(errs.count) error(s)\" type=\"\(Self.xml(errs[0].rule))\">\(Self.xml(body))</failure>"
                    )
                }
                let rest = mine.filter { $0.severity != .error }
                let said = dialects.filter { $0.file == file }.map { "dialect: \($0.text)" }
                if !rest.isEmpty || !said.isEmpty {
                    let out =
                        (rest.map {
                            "\($0.severity.rawValue): [\($0.rule)] \(Self.location($0).map { $0 + ": " } ?? "")\($0.message)"
                        } + said).joined(separator: "\n")
                    xml.append("      <system-out>\(Self.xml(out))</system-out>")
                }
                xml.append("    </testcase>")
            }
            xml += ["  </testsuite>", "</testsuites>"]
            return xml.joined(separator: "\n")
        case .github:
            // Workflow commands: https://docs.github.com/actions/reference/workflow-commands-for-github-actions
            var lines = findings.map { f -> String in
                let level = f.severity == .error ? "error" : (f.severity == .warning ? "warning" : "notice")
                let msg =
                    "\(Self.location(f).map { $0 + ": " } ?? "")\(f.message)" + (f.reference.map { " (\($0))" } ?? "")
                return
                    "::\(level) file=\(Self.ghProperty(f.file)),title=\(Self.ghProperty(f.rule))::\(Self.ghData(msg))"
            }
            lines += dialects.map { "::notice file=\(Self.ghProperty($0.file)),title=dialect::\(Self.ghData($0.text))" }
            lines.append(Self.summaryLine(findings, files: files, profile: profile))
            return lines.joined(separator: "\n")
        }
    }

    /// "3 file(s): 0 error(s), 2 warning(s) (profile gammapy)", and how many files had nothing checked.
    static func summaryLine(_ findings: [Finding], files: [String], profile: Profile) -> String {
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.filter { $0.severity == .warning }.count
        let unchecked = Set(findings.filter { $0.rule == "spec:nothing-checked" }.map(\.file)).count
        return "\(files.count) file(s): \(errors) error(s), \(warnings) warning(s)"
            + (unchecked > 0 ? "; nothing checked in \(unchecked) file(s)" : "") + " (profile \(profile.rawValue))"
    }

    static func location(_ f: Finding) -> String? {
        let loc = [f.hdu.map { "HDU \($0)" + (f.hduName.map { " (\($0))" } ?? "") }, f.target].compactMap { $0 }.joined(
            separator: " ")
        return loc.isEmpty ? nil : loc
    }

    static func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func ghData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(
            of: "\n", with: "%0A")
    }

    static func ghProperty(_ s: String) -> String {
        ghData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
