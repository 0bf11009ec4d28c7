// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "qgen",
    products: [
        // A user's model.swift is compiled against this library (like Package.swift against PackageDescription),
        // so it must be a dynamic library that `swift build` places next to the qgen binary.
        .library(name: "QGen", type: .dynamic, targets: ["QGen"]),
        .executable(name: "qgen", targets: ["qgen"]),
        .executable(name: "qgen-bench", targets: ["qgen-bench"]),
        .executable(name: "qgen-corpus", targets: ["qgen-corpus"]),
        .executable(name: "qgen-fuzz", targets: ["qgen-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // ONNX files are protobuf: Sources/QGenCompiler/Load/ONNX/onnx.pb.swift is generated once and committed.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "QGen"),
        .target(name: "QGenArithmetic"),
        // fork/exec of swiftc and the user's model in their own process group (Load/ChildProcess.swift).
        .target(name: "CProcess"),
        .target(
            name: "QGenCompiler",
            dependencies: ["QGen", "QGenArithmetic", "CProcess", .product(name: "Mustache", package: "swift-mustache"),
                           .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
        .target(name: "QGenReference", dependencies: ["QGenCompiler", "QGenArithmetic"]),
        .systemLibrary(name: "CTCC", path: "Sources/CTCC"),
        .target(name: "QGenJIT", dependencies: ["CTCC"]),
        .target(name: "QGenVerify", dependencies: ["QGenCompiler", "QGenReference", "QGenJIT"]),
        .executableTarget(
            name: "qgen",
            dependencies: ["QGenCompiler", "QGenVerify", "QGenJIT", "QGenReference", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "qgen-bench", dependencies: ["QGenCompiler", "QGenVerify", "QGenJIT"]),
        // Seeded random models: the differential tests' generator, and qgen-corpus, which writes their C for make check-targets.
        .target(name: "QGenRandom", dependencies: ["QGen", "QGenArithmetic"]),
        .executableTarget(name: "qgen-corpus", dependencies: ["QGenRandom", "QGenCompiler", "QGenReference"]),
        // Fuzz targets (make fuzz builds them with -sanitize=fuzzer,address); the plain build replays a corpus.
        .executableTarget(name: "qgen-fuzz", dependencies: ["QGen", "QGenCompiler"]),
        .testTarget(name: "QGenArithmeticTests", dependencies: ["QGenArithmetic"]),
        .testTarget(name: "QGenCompilerTests", dependencies: ["QGenCompiler", "QGen", "QGenReference"]),
        .testTarget(name: "QGenJITTests", dependencies: ["QGenVerify", "QGenJIT", "QGenCompiler", "QGenReference", "QGen", "QGenRandom"]),
        .testTarget(name: "QGenCLITests", dependencies: ["QGenCompiler"]),
    ]
)
