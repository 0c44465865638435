import Diagnostics
import Foundation
import YAMLIO

/// A release manifest (docs/release-manifest.md): what a release is, which runs it holds, its
/// event channels and, per channel and detector period, where the IRFs come from.
public struct Manifest: Sendable {
    public struct Metadata: Codable, Sendable, Equatable {
        public var name: String
        public var version: String
        public var creator: String
        public var contact: String?
        public var licence: String
        public var doi: String?
        public var references: [String]
        public var description: String?
        /// Statements a user of the release must read (e.g. which IRFs stand in for which).
        public var notes: [String]
    }

    /// One `runs:` entry: a file (with an optional OBS_ID) or a glob of files.
    public struct RunEntry: Sendable {
        public var pattern: String
        public var isGlob: Bool
        public var obsID: Int?
        public var period: String?
        public var site: String?
        public var line: Int
        /// The line of `obs_id:`, for errors about it.
        public var obsIDLine: Int
    }

    /// Keep events whose `column` lies within [min, max] (either bound may be absent).
    public struct Cut: Sendable, Codable, Equatable {
        public var column: String
        public var min: Double?
        public var max: Double?
    }

    public enum IRFSourceKind: String, Sendable, Codable, CaseIterable { case tables, gadf, mc }

    public struct IRFSource: Sendable {
        public var period: String?
        public var kind: IRFSourceKind
        public var pattern: String
        public var line: Int
    }

    public struct Channel: Sendable {
        public var name: String
        public var reco: String
        public var cuts: [Cut]
        public var irfs: [IRFSource]
        public var line: Int
    }

    public var path: String
    public var release: Metadata
    public var formats: [String]
    public var site: String?
    public var runs: [RunEntry]
    public var channels: [Channel]

    /// The directory relative paths in the manifest start from.
    public var baseDirectory: String {
        (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
    }

    public func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : baseDirectory + "/" + p }
}

/// A manifest problem: the file, the line and the key, on one line.
public struct ManifestError: Error, CategorizedError, CustomStringConvertible, Sendable {
    /// The manifest is the request itself (what to build, from which files): an error in it is a
    /// usage error, as a wrong option is. A run file that cannot be read while building is bad input.
    public var category: ErrorCategory { .usage }
    public let file: String
    public let line: Int?
    public let key: String?
    public let reason: String
    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.map { "\($0): " } ?? "")\(reason)"
    }
}
