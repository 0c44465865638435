/// ROOT's streamer element type codes (TVirtualStreamerInfo::EReadWrite).
public enum StreamerType {
    public static let base = 0
    public static let offsetL = 20 // fixed-size array of a basic type: 20 + basic code
    public static let offsetP = 40 // pointer to array of a basic type: 40 + basic code
    public static let counter = 6
    public static let charStar = 7
    public static let object = 61, any = 62, objectp = 63, objectP = 64
    public static let tString = 65, tObject = 66, tNamed = 67, anyp = 68, anyP = 69
    public static let stl = 300, stlString = 365
    public static let streamer = 500, streamLoop = 501
}

/// One member of a class as described by its TStreamerInfo.
public struct StreamerElement: Sendable {
    public enum Kind: Sendable {
        case base, basicType, basicPointer, loop, stl, stlString, object, objectAny,
            objectPointer, objectAnyPointer, tString, artificial
        case other(String)
    }
    public var name: String
    public var type: Int
    public var size: Int
    public var arrayLength: Int
    public var maxIndex: [Int]
    public var typeName: String
    public var kind: Kind
    public var countName: String = ""
    public var baseVersion: Int = 0
    public var stlType: Int = 0
    public var ctype: Int = 0
}

/// A class's on-disk layout for one version.
public struct StreamerInfo: Sendable {
    public var className: String
    public var classVersion: Int
    public var checksum: UInt32
    public var elements: [StreamerElement]
}

/// All TStreamerInfo records of a file, by class name and version.
public struct StreamerRegistry: Sendable {
    public private(set) var infos: [String: [StreamerInfo]] = [:]

    init(file: ROOTFile, key: Key) throws {
        var c = try file.payload(of: key)
        c.object = "streamer info list"
        var reader = ObjectReader(registry: nil)
        guard let list = try reader.readCoreTList(&c) else { return }
        for v in list {
            if case .object(let o) = v, o.className == "TStreamerInfo", let info = o.streamerInfo {
                infos[info.className, default: []].append(info)
            }
        }
    }

    /// The layout for `className` at `version`; if that version is absent, the newest one
    /// (ROOT writes one per version used, but `hadd`ed files may lack some).
    public func info(_ className: String, version: Int? = nil) -> StreamerInfo? {
        guard let list = infos[className], !list.isEmpty else { return nil }
        if let version, let exact = list.first(where: { $0.classVersion == version }) { return exact }
        return list.max { $0.classVersion < $1.classVersion }
    }
}
