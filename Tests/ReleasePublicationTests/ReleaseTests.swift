import Foundation
import Model
import Release
import TestSupport
import Testing

@Suite("Releases")
struct ReleaseTests {
    @Test func channelNamesFromARCA230FileNames() {
        let t = EventChannel.described(byFileName: "aeff_coszen_allnumuCC_track.csv")
        #expect(t.channel == "track" && t.flavour == "numu" && t.interaction == "CC")
        let s = EventChannel.described(byFileName: "psf_anueNC_shower.csv")
        #expect(s.channel == "shower" && s.flavour == "anue" && s.interaction == "NC")
        let none = EventChannel.described(byFileName: "aeff_coszen_sample.csv")
        #expect(none.channel == nil && none.flavour == nil)
    }

    func manifest(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).yaml")
            .path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func unknownKeyNamesFileLineAndKey() throws {
        let path = try manifest(
            "release: {name: x, version: '1', creator: c, licence: l}\nformats: [vodf]\nruns: []\nchannelz: []\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ManifestError.self) { try Manifest.load(path: path) }
        #expect(
            error?.description
                == "\(path):4: channelz: unknown key in top level (known: release, formats, site, runs, channels)")
    }

    @Test func cutWithoutBoundsIsRefused() throws {
        let path = try manifest(
            """
            release: {name: x, version: '1', creator: c, licence: l}
            formats: [gadf-0.3]
            runs:
              - file: a.dat
                obs_id: 1
            channels:
              - name: track
                cuts:
                  NHIT: {}
                irfs:
                  - tables: x.csv
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: ManifestError.self) { try Manifest.load(path: path) }
        #expect(error?.line == 9 && error?.reason == "a cut gives min:, max: or both")
    }

    @Test func shardsPartitionTheItems() throws {
        let base = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let plan = try ReleasePlan(
            manifest: try Manifest.load(path: base.appendingPathComponent("TestData/release/sample.yaml").path))
        let all = plan.items.map(\.id)
        #expect(all == ["irf-track-all", "irf-shower-all", "run-1", "run-2"])
        let halves = [plan.items(shard: (1, 2)), plan.items(shard: (2, 2))].map { $0.map(\.id) }
        #expect(Set(halves[0]).isDisjoint(with: halves[1]) && Set(halves[0] + halves[1]) == Set(all))
    }
}
