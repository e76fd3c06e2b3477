// swift-tools-version: 6.2
import PackageDescription

/// The ABI version: bump only on a real break of include/vibectl.h. It is the SONAME suffix.
let abiVersion = 1

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "vibectl",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "vibectl", type: .dynamic, targets: ["VibectlSharedLibrary"]),
        .executable(name: "vibectl-cli", targets: ["VibectlCLI"]),
        .executable(name: "vibectl-bench", targets: ["VibectlBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .systemLibrary(name: "CVibectl", path: "include"),
        .target(name: "VibectlCore", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .target(name: "VibectlStore", dependencies: ["VibectlCore", "Yams"], swiftSettings: strictSettings),
        .target(
            name: "VibectlModels",
            dependencies: [
                "VibectlCore", "VibectlStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "VibectlOutput", dependencies: ["VibectlCore", "Yams"], swiftSettings: strictSettings),
        .target(name: "VibectlKubectl", dependencies: ["VibectlCore", "VibectlStore"], swiftSettings: strictSettings),
        .target(
            name: "VibectlEngine",
            dependencies: [
                "VibectlCore", "VibectlStore", "VibectlModels", "VibectlOutput", "VibectlKubectl",
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VibectlABI",
            dependencies: [
                "CVibectl", "VibectlCore", "VibectlStore", "VibectlKubectl", "VibectlModels", "VibectlOutput", "VibectlEngine",
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VibectlSharedLibrary",
            dependencies: ["VibectlABI"],
            swiftSettings: strictSettings,
            linkerSettings: [
                .unsafeFlags([
                    // Carry the Swift runtime and Foundation inside the .so (docs/build.md).
                    "-static-stdlib",
                    // Foundation's own static dependencies are not autolinked from our objects.
                    "-Xlinker", "--start-group",
                    "-lFoundation", "-lFoundationEssentials", "-lFoundationInternationalization",
                    "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCShims", "-l_FoundationCollections",
                    "-Xlinker", "--end-group",
                    // Fail the link, not a host's, if any symbol is left unresolved.
                    "-Xlinker", "-z", "-Xlinker", "defs",
                    "-Xlinker", "-soname=libvibectl.so.\(abiVersion)",
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/include/vibectl.map",
                ])
            ]
        ),
        .executableTarget(
            name: "VibectlCLI",
            dependencies: ["CVibectl", "VibectlABI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "VibectlTestSupport",
            dependencies: [
                "VibectlCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "VibectlBench",
            dependencies: [
                "VibectlModels", "VibectlStore", "VibectlOutput", "VibectlEngine", "VibectlTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "VibectlStoreTests", dependencies: ["VibectlStore", "VibectlTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "VibectlKubectlTests", dependencies: ["VibectlKubectl", "VibectlTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "VibectlOutputTests", dependencies: ["VibectlOutput", "VibectlTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "VibectlABITests", dependencies: ["CVibectl", "VibectlABI", "VibectlTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "VibectlModelsTests", dependencies: ["VibectlModels", "VibectlTestSupport", "VibectlStore"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "VibectlEngineTests",
            dependencies: ["VibectlEngine", "VibectlTestSupport", "VibectlStore", "VibectlModels", "VibectlOutput", "VibectlKubectl"],
            swiftSettings: strictSettings),
        .testTarget(name: "VibectlCLITests", dependencies: ["VibectlTestSupport"], swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
