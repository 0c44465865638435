// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way:
// C shims -> IO layers (FITSIO) -> Model -> Astrometry -> Readers / Writers -> CLI.
let package = Package(
    name: "vodfkit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vodf", targets: ["vodf"]),
        .library(name: "VodfKit", targets: ["FITSIO", "ROOTIO", "HDF5IO", "Model", "Astrometry", "Readers", "Writers"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C libraries from Debian, one system-library target each.
        .systemLibrary(name: "CFITSIO", pkgConfig: "cfitsio", providers: [.apt(["libcfitsio-dev"])]),
        .systemLibrary(name: "CERFA", pkgConfig: "erfa", providers: [.apt(["liberfa-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),

        // IO layer: FITS over cfitsio, no astronomy-format knowledge.
        .target(name: "FITSIO", dependencies: ["CFITSIO"]),
        // IO layer: ROOT files read natively (no ROOT), no KM3NeT knowledge.
        .target(name: "ROOTIO", dependencies: ["CZlib", "CLZ4", "CZstd", "CLZMA", "CXXHash"]),
        // IO layer: HDF5 over libhdf5 (km3pipe tables).
        .target(name: "HDF5IO", dependencies: ["CHDF5"]),
        // Canonical model: pure values, no I/O.
        .target(name: "Model"),
        // Time scales and coordinates through ERFA.
        .target(name: "Astrometry", dependencies: ["CERFA", "Model"]),
        // Native inputs -> model.
        .target(name: "Readers", dependencies: ["Model", "Astrometry", "ROOTIO", "HDF5IO", "FITSIO"]),
        // Model -> GADF / VODF FITS.
        .target(name: "Writers", dependencies: ["FITSIO", "Model", "Astrometry"]),
        // Validation against versioned YAML specs (Specs/).
        .target(name: "Validation", dependencies: ["FITSIO", "Model", .product(name: "Yams", package: "Yams")]),
        // The `vodf` command.
        .executableTarget(name: "vodf", dependencies: [
            "FITSIO", "ROOTIO", "Model", "Astrometry", "Readers", "Writers", "Validation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `make bench`: in-process timings against the inflate floor.
        .executableTarget(name: "vodf-bench", dependencies: ["ROOTIO", "Readers"], path: "Benchmarks/vodf-bench"),
        .testTarget(name: "VodfKitTests", dependencies: ["FITSIO", "ROOTIO", "Model", "Astrometry", "Readers", "Writers", "Validation"]),
    ]
)
