// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way:
// C shims -> IO layers (FITSIO, ROOTIO, HDF5IO, VOTableIO) -> Model -> Astrometry -> Readers / Writers
// -> Conversion -> Validation -> CLI (docs/architecture.md draws the graph).
// No unsafe flags anywhere: the package can be a versioned SwiftPM dependency. libxml2's headers are
// reached through a link in CLibXML2/include, PLplot's are not needed (it is dlopen'd).

let package = Package(
    name: "vodfkit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vodf", targets: ["vodf"]),
        .library(
            name: "VodfKit",
            targets: [
                "Diagnostics", "FileOutput", "IOLimits", "FITSIO", "ROOTIO", "HDF5IO", "VOTableIO", "XMLIO", "JSONIO",
                "Model", "Astrometry", "Readers", "GADF", "KM3NeT", "ANTARES", "Alerts", "MCIRF", "Conversion",
                "Release", "Publication", "Pictures", "Validation", "ReleaseReport",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // C libraries from Debian, one system-library target each.
        // cfitsio and HDF5 are linked from their static archives (see CNetworkStubs), so these two
        // only provide the headers.
        .systemLibrary(name: "CFITSIO", providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CERFA", pkgConfig: "erfa", providers: [.apt(["liberfa-dev"])]),
        .systemLibrary(name: "CHDF5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        // libyaml: the one YAML parser (specs and the meta-schema), read from its events; only the
        // header here, the static archive is linked by Validation.
        .systemLibrary(name: "CLibYAML", providers: [.apt(["libyaml-dev"])]),

        // The static cfitsio and HDF5 archives, with failing stand-ins for the network libraries
        // they reference: their shared libraries would load ~35 more at every start.
        .target(
            name: "CNetworkStubs",
            linkerSettings: [
                .linkedLibrary(":libcfitsio.a"), .linkedLibrary(":libhdf5_serial.a"),
                .linkedLibrary("sz"), .linkedLibrary("bz2"), .linkedLibrary("z"), .linkedLibrary("m"),
                .linkedLibrary("dl"),
            ]),

        // libxml2 from its static archive, with failing stand-ins for the ICU converters it references
        // (its shared library would load ICU at every start). Its headers live in /usr/include/libxml2.
        .target(
            name: "CLibXML2",
            linkerSettings: [
                .linkedLibrary(":libxml2.a"), .linkedLibrary("lzma"), .linkedLibrary("z"), .linkedLibrary("m"),
            ]),
        // What kind of failure an error is (usage, bad input, output): one category per error type,
        // turned into the exit code in one place.
        .target(name: "Diagnostics"),
        // Every file written all-or-nothing: a temporary beside the target, fsync'd, renamed; devices,
        // FIFOs and symlinks never replaced.
        .target(name: "FileOutput", dependencies: ["Diagnostics"]),
        // Limits shared by the IO layers: what a size read from a file may make them allocate.
        .target(name: "IOLimits"),
        // One result slot per index of a parallel loop (no locks), shared by the layers that work on all cores.
        .target(name: "Parallel"),
        // IO layer: XML documents as value trees, serialised and parsed by libxml2, and checked
        // against XML Schemas (VOEvent, DaCHS resource descriptors, VOTables written).
        .target(name: "XMLIO", dependencies: ["CLibXML2"]),
        // IO layer: JSON documents with line numbers, checked against JSON Schemas (GCN notices).
        .target(name: "JSONIO"),
        // IO layer: VOTable (TABLEDATA, BINARY, BINARY2) over libxml2, read and written.
        .target(name: "VOTableIO", dependencies: ["CLibXML2", "XMLIO"]),
        // IO layer: FITS over cfitsio, no astronomy-format knowledge.
        .target(
            name: "FITSIO",
            dependencies: ["Diagnostics", "FileOutput", "CFITSIO", "CNetworkStubs", "CDeflate", "IOLimits", "Parallel"]),
        // IO layer: ROOT files read natively (no ROOT), no KM3NeT knowledge.
        .target(
            name: "ROOTIO",
            dependencies: ["Diagnostics", "CZlib", "CLZ4", "CZstd", "CLZMA", "CXXHash", "IOLimits", "Parallel"]),
        // IO layer: YAML documents from libyaml's events (specs, release manifests). libyaml from
        // its static archive: the binary needs no libyaml.so.
        .target(name: "YAMLIO", dependencies: ["CLibYAML"], linkerSettings: [.linkedLibrary(":libyaml.a")]),
        // IO layer: HDF5 over libhdf5 (km3pipe tables).
        .target(name: "HDF5IO", dependencies: ["Diagnostics", "CHDF5", "CNetworkStubs", "IOLimits"]),
        // Canonical model: pure values, no I/O.
        .target(name: "Model"),
        // Time scales and coordinates through ERFA.
        .target(name: "Astrometry", dependencies: ["CERFA", "Model"]),
        // What every reader shares: one-line input errors, content sniffing of the built-in kinds,
        // delimited text tables.
        .target(name: "Readers", dependencies: ["Diagnostics", "Model", "FITSIO"]),
        // One module per format family, reading and writing it.
        // GADF 0.2/0.3 and the VODF drafts: event lists, IRFs, indexes, grouping tables; the output profiles.
        .target(name: "GADF", dependencies: ["Diagnostics", "FileOutput", "FITSIO", "Model", "Astrometry", "Readers"]),
        // KM3NeT: offline/dst ROOT and km3pipe HDF5 events, the IRF tables, detector sites.
        .target(name: "KM3NeT", dependencies: ["Model", "Astrometry", "ROOTIO", "HDF5IO", "JSONIO", "Readers"]),
        // ANTARES: the public sample in each published layout (text, VO CSV, VOTable).
        .target(name: "ANTARES", dependencies: ["Diagnostics", "Model", "Astrometry", "VOTableIO", "Readers"]),
        // Alerts: VOEvent and GCN notices read, written and checked against their schemas.
        .target(name: "Alerts", dependencies: ["Model", "XMLIO", "JSONIO", "Readers"]),
        // IRFs built from Monte Carlo dst files: binning, histogramming, smoothing (km3irf-compatible or corrected).
        .target(name: "MCIRF", dependencies: ["Model", "ROOTIO", "Readers", "Parallel"]),
        // Inputs -> FITS tables: the input-kind registry that `convert`, its directory mode and
        // releases share; a Swift user converts through it as the CLI does.
        .target(
            name: "Conversion",
            dependencies: [
                "Diagnostics", "Model", "Astrometry", "FITSIO", "Readers", "MCIRF", "ANTARES", "Alerts", "GADF",
                "KM3NeT",
            ]),
        // Releases: a manifest's runs, channels and IRFs built into GADF and VODF releases with their
        // index and grouping tables, in parallel, resumably and in shards.
        .target(
            name: "Release",
            dependencies: [
                "Model", "Astrometry", "FITSIO", "FileOutput", "Diagnostics", "Readers", "Conversion", "Validation",
                "YAMLIO", "Parallel", "CXXHash", "GADF", "KM3NeT",
            ]),
        // PLplot, loaded at the first picture (its library is not mapped at every start); headers only.
        .target(name: "CPLplot", linkerSettings: [.linkedLibrary("dl")]),
        // Pictures: IRFs and event lists as figures (data), drawn by PLplot as SVG or PNG.
        .target(
            name: "Pictures",
            dependencies: ["CPLplot", "Model", "Astrometry", "FITSIO", "Readers", "Conversion", "GADF"]),
        // Publication: ObsCore rows of a release (VOTable) and its DaCHS resource descriptor; it reads
        // releases through Release and event files through GADF.
        .target(
            name: "Publication",
            dependencies: [
                "Diagnostics", "Model", "Astrometry", "FITSIO", "FileOutput", "GADF", "Release", "XMLIO", "VOTableIO",
            ]),
        // Validation against versioned YAML specs (Specs/), read from libyaml's events.
        // The specs are compiled in from Specs/ by the EmbedSpecs plugin (an installed vodf needs no
        // Specs/ beside it; --specs DIR and VODF_SPECS select others).
        .target(
            name: "Validation",
            dependencies: [
                "FITSIO", "Model", "Astrometry", "YAMLIO", "Parallel", "Readers", "XMLIO", "JSONIO", "Alerts",
            ],
            plugins: [.plugin(name: "EmbedSpecs")]),
        .plugin(name: "EmbedSpecs", capability: .buildTool()),
        // `release report`: a release as one self-contained HTML page (metadata, validation, pictures).
        .target(
            name: "ReleaseReport",
            dependencies: ["Pictures", "Publication", "Validation", "Release", "GADF", "Model", "XMLIO"]),
        // The `vodf` command.
        .executableTarget(
            name: "vodf",
            dependencies: [
                "FITSIO", "ROOTIO", "IOLimits", "Model", "Astrometry", "Readers", "MCIRF", "Conversion", "Release",
                "Publication", "Pictures", "ReleaseReport", "Validation", "Diagnostics", "FileOutput", "Alerts", "GADF",
                "KM3NeT",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // `make bench`: in-process timings (ROOT reading against the inflate floor, IRF builds).
        .executableTarget(
            name: "vodf-bench", dependencies: ["FITSIO", "ROOTIO", "Readers", "MCIRF", "CDeflate", "GADF"],
            path: "Benchmarks/vodf-bench"),
        // libFuzzer targets (make fuzz builds it with -sanitize=fuzzer -DFUZZING); built normally it
        // replays files, the kept crash inputs among them (make test).
        .executableTarget(
            name: "vodf-fuzz",
            dependencies: [
                "Astrometry", "FITSIO", "IOLimits", "ROOTIO", "Readers", "Validation", "Publication", "JSONIO", "XMLIO",
                "ANTARES",
                "Alerts", "GADF", "KM3NeT",
            ], path: "Fuzz/vodf-fuzz"),
        // Shared by the test targets: where the test data and the corpus are, scratch directories.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // One test target per family of modules.
        .testTarget(
            name: "FoundationLayerTests",
            dependencies: [
                "TestSupport", "IOLimits", "HDF5IO", "FITSIO", "ROOTIO", "VOTableIO", "Model", "Astrometry", "Parallel",
                "Readers", "GADF", "ANTARES",
            ]),
        .testTarget(
            name: "FormatFamilyTests",
            dependencies: [
                "TestSupport", "FITSIO", "Model", "Astrometry", "Readers", "GADF", "KM3NeT", "ANTARES", "MCIRF",
                "Conversion", "Diagnostics",
            ]),
        .testTarget(
            name: "SpecValidationTests",
            dependencies: [
                "TestSupport", "FITSIO", "Model", "Readers", "GADF", "KM3NeT", "ANTARES", "Validation", "YAMLIO",
            ]),
        .testTarget(
            name: "ReleasePublicationTests",
            dependencies: [
                "TestSupport", "FITSIO", "Model", "Readers", "GADF", "Release", "Publication", "Pictures", "Alerts",
                "JSONIO", "XMLIO", "VOTableIO",
            ]),
        .testTarget(
            name: "CommandLineTests",
            dependencies: ["TestSupport", "FITSIO", "Model", "Readers", "GADF", "MCIRF", "Conversion", "vodf"]),
    ]
)
