// swift-tools-version:6.2
import PackageDescription

// Layers as modules: protocols in SenseHardware, Linux (C, pointers, errno) in
// SenseHardwareLinux, simulation in SenseSimulator. See docs/architecture.md.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "sensegate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sensegate", targets: ["sensegate"]),
        .executable(name: "sensegate-bench", targets: ["sensegate-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2")
    ],
    targets: [
        // C layer: system libraries from Debian and a small shim for ioctls and sd_notify.
        .systemLibrary(
            name: "CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .systemLibrary(
            name: "CGPIOD", pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(
            name: "CYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(
            name: "CCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .target(name: "CLinuxShim", linkerSettings: [.linkedLibrary("i2c")]),

        .target(name: "SenseCore", swiftSettings: strict),
        // The one OS layer: threads, system calls that retry on EINTR and finish partial writes,
        // durable state files and their writer thread.
        .target(name: "SenseOS", dependencies: ["SenseCore", "CCrypto"], swiftSettings: strict),
        .target(name: "SenseHardware", dependencies: ["SenseCore"], swiftSettings: strict),
        .target(
            name: "SenseHardwareLinux",
            dependencies: [
                "SenseCore", "SenseHardware", "SenseOS", "CLinuxShim", "CGPIOD",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(name: "SenseSimulator", dependencies: ["SenseCore", "SenseHardware"], swiftSettings: strict),
        .target(name: "SenseModels", dependencies: ["SenseCore"], swiftSettings: strict),
        .target(name: "SenseAnalysis", dependencies: ["SenseCore", "SenseModels"], swiftSettings: strict),
        .target(name: "SenseTraffic", dependencies: ["SenseCore", "SenseModels"], swiftSettings: strict),
        .target(name: "SenseReaction", dependencies: ["SenseCore"], swiftSettings: strict),
        .target(
            name: "SenseDrivers",
            dependencies: ["SenseCore", "SenseHardware", "SenseModels", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Every payload and topic, pure: readings, SenML, aggregates, alarms, rules, actuators,
        // traffic, commands and their parsing, CAP; JSON written and parsed. No I/O.
        .target(
            name: "SenseWire", dependencies: ["SenseCore", "SenseAnalysis", "SenseReaction", "SenseTraffic"],
            swiftSettings: strict),
        .target(
            name: "SenseMQTT",
            dependencies: [
                "SenseCore", "SenseOS", "SenseWire", "CMosquitto", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "SenseConfig",
            dependencies: [
                "SenseCore", "SenseHardware", "SenseDrivers", "SenseAnalysis", "SenseModels", "SenseReaction", "SenseTraffic", "SenseWire", "CYAML",
            ], swiftSettings: strict),
        // The simulated board's world as a configuration asks for it: emulators on the simulated
        // buses, contacts, the catchment and the road, fault schedules (docs/simulator.md).
        .target(
            name: "SenseSimulationRig",
            dependencies: [
                "SenseCore", "SenseHardware", "SenseSimulator", "SenseConfig", "SenseAnalysis",
                "SenseModels", "SenseTraffic", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // One folder per I2C part (its keys, channels, driver factory and emulator) and the one
        // catalogue that lists them (docs/architecture.md, "Adding a driver").
        .target(
            name: "SenseParts",
            dependencies: [
                "SenseConfig", "SenseCore", "SenseDrivers", "SenseHardware", "SenseModels", "SenseSimulationRig",
                "SenseSimulator",
            ],
            swiftSettings: strict),
        .target(
            name: "SenseDaemon",
            dependencies: [
                "SenseSimulationRig", "SenseCore", "SenseHardware", "SenseHardwareLinux", "SenseSimulator", "SenseAnalysis",
                "SenseReaction", "SenseDrivers", "SenseMQTT", "SenseConfig", "SenseTraffic", "SenseOS", "SenseWire", "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The command line's pure parts: argument parsing and `sensegate model` (fuzzed like any input).
        .target(name: "SenseCLI", dependencies: ["SenseCore", "SenseModels", "SenseWire"], swiftSettings: strict),
        .executableTarget(
            name: "sensegate",
            dependencies: [
                "SenseParts", "SenseWire", "SenseCLI", "SenseConfig", "SenseCore", "SenseDaemon", "SenseHardware", "SenseHardwareLinux",
                "SenseModels", "SenseMQTT", "SenseOS",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        .executableTarget(
            name: "sensegate-bench",
            dependencies: [
                "SenseParts", "SenseHardware", "SenseOS", "SenseCore", "SenseAnalysis", "SenseConfig", "SenseDaemon", "SenseMQTT", "SenseSimulator",
                "SenseSimulationRig", "SenseTraffic", "SenseHardwareLinux", "SenseWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The kernel test suite: run inside a QEMU guest with the kernel's i2c-stub and gpio-sim
        // (deploy/kernel-vm); a plain executable, since the guest has no toolchain.
        .executableTarget(
            name: "sensegate-kernel-tests",
            dependencies: [
                "SenseParts", "SenseWire", "SenseCore", "SenseOS", "SenseHardware", "SenseHardwareLinux", "SenseDrivers", "SenseSimulator",
                "SenseConfig", "SenseDaemon", "SenseMQTT", "SenseTraffic", "CLinuxShim",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KernelTests", swiftSettings: strict),

        // The fuzz targets' harness: each parser of outside input as a function of bytes. libFuzzer
        // drives it (Fuzz/fuzz.sh), `swift test` replays the committed corpora through it.
        .target(
            name: "SenseFuzzing",
            dependencies: [
                "SenseParts", "SenseWire", "SenseOS", "SenseCore", "SenseHardware", "SenseAnalysis", "SenseConfig", "SenseDaemon", "SenseMQTT",
                "SenseCLI", "SenseDrivers",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Harness", swiftSettings: strict),

        // Test support: hand-written fakes and a real-broker fixture (Foundation allowed here only).
        // Lives under Tests/ so that Foundation (for Process) never appears under Sources/.
        .target(
            name: "SenseTesting",
            dependencies: [
                "SenseParts", "SenseWire", "SenseCore", "SenseOS", "SenseHardware", "SenseSimulator", "SenseDrivers", "SenseMQTT", "SenseConfig",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/SenseTesting", resources: [.copy("Vectors")], swiftSettings: strict),

        .testTarget(name: "SenseCoreTests", dependencies: ["SenseCore"], swiftSettings: strict),
        .testTarget(name: "SenseModelsTests", dependencies: ["SenseModels", "SenseTesting"], swiftSettings: strict),
        .testTarget(name: "SenseTrafficTests", dependencies: ["SenseCore", "SenseTraffic", "SenseModels", "SenseSimulator"], swiftSettings: strict),
        .testTarget(name: "SenseReactionTests", dependencies: ["SenseCore", "SenseReaction"], swiftSettings: strict),
        .testTarget(name: "SenseAnalysisTests", dependencies: ["SenseCore", "SenseAnalysis", "SenseModels"], swiftSettings: strict),
        .testTarget(
            name: "SenseDriversTests",
            dependencies: ["SenseCore", "SenseHardware", "SenseModels", "SenseDrivers", "SenseSimulator", "SenseTesting"],
            swiftSettings: strict),
        .testTarget(
            name: "SensePartsTests",
            dependencies: [
                "SenseParts", "SenseConfig", "SenseCore", "SenseDrivers", "SenseHardware", "SenseModels", "SenseSimulationRig",
                "SenseSimulator", "SenseTesting",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SenseSimulatorTests", dependencies: ["SenseCore", "SenseHardware", "SenseParts", "SenseSimulator", "SenseTesting"],
            swiftSettings: strict),
        .testTarget(
            name: "SenseConfigTests",
            dependencies: [
                "SenseParts", "SenseWire", "SenseAnalysis", "SenseCore", "SenseDrivers", "SenseTraffic", "SenseConfig", "SenseHardware",
                "SenseTesting",
            ],
            swiftSettings: strict),
        .testTarget(name: "SenseOSTests", dependencies: ["SenseOS"], swiftSettings: strict),
        .testTarget(name: "SenseCLITests", dependencies: ["SenseCLI", "SenseCore", "SenseWire"], swiftSettings: strict),
        .testTarget(name: "SenseWireTests", dependencies: ["SenseCore", "SenseOS", "SenseTesting", "SenseWire"], swiftSettings: strict),
        .testTarget(
            name: "SenseMQTTTests",
            dependencies: ["SenseWire", "SenseCore", "SenseMQTT", "SenseTesting", "SenseSimulator", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "SenseDaemonTests",
            dependencies: [
                "SenseParts", "sensegate-bench", "SenseWire", "SenseDrivers", "SenseAnalysis", "SenseConfig", "SenseCore", "SenseHardware",
                "SenseMQTT", "SenseOS",
                "SenseReaction", "SenseSimulator", "SenseDaemon", "SenseTesting", "SenseTraffic", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SenseHardwareLinuxTests", dependencies: ["SenseHardware", "SenseHardwareLinux"],
            swiftSettings: strict),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["SenseFuzzing", "SenseTesting"], swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "SenseCore", "SenseOS", "SenseTesting", "SenseSimulator", "SenseMQTT", "SenseDaemon", "SenseModels",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
    ]
)
