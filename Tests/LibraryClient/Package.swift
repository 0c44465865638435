// swift-tools-version:6.0
import PackageDescription

// A program that uses vodfkit as a library, as another project would: it depends on the package by
// path (a versioned dependency resolves the same way) and on the VodfKit product only. SwiftPM
// refuses a dependency whose targets use unsafe flags, so building this proves there are none.
let package = Package(
    name: "vodfkit-client",
    dependencies: [.package(name: "vodfkit", path: "../..")],
    targets: [
        .executableTarget(name: "vodfkit-client", dependencies: [.product(name: "VodfKit", package: "vodfkit")])
    ]
)
