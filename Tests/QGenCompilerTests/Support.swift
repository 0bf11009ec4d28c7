import Foundation
import QGen
import QGenCompiler

/// Builds a model whose every element claims to be on a given line of "model.swift", so tests can
/// assert full diagnostic texts.
func at(_ line: Int) -> (file: String, line: Int) { ("model.swift", line) }

let input4x4 = Input("x", shape: [1, 2, 4, 4], .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)
let input10 = Input("x", shape: [1, 10], .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)

func linear(_ name: String = "fc", out: Int = 3, weights: Weights? = nil, bias: Bias? = nil, output: QuantParams = .uint8(scale: 0.05, zeroPoint: 10),
            activation: Activation = .none, line: Int = 3) -> Linear {
    Linear(name, outFeatures: out, weight: weights ?? .float(.values((0..<(out * 10)).map { Double($0 % 5) / 10 - 0.2 })),
           bias: bias, output: output, activation: activation, file: "model.swift", line: line)
}

func spec(_ layers: [LayerSpec], requantization: Requantization? = nil) -> ModelSpec {
    ModelSpec(name: "m", layers: layers, requantization: requantization, location: SourceLocation(file: "model.swift", line: 1))
}

/// The texts of the diagnostics that stop compilation (empty when it succeeds).
func errors(_ s: ModelSpec, options: CompileOptions = CompileOptions()) -> [String] {
    do {
        _ = try Pipeline.compile(s, options: options)
        return []
    } catch let error as DiagnosticsError {
        return error.errors.map(\.description)
    } catch {
        return ["unexpected: \(error)"]
    }
}

/// The package's root directory (this file is Tests/QGenCompilerTests/Support.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qgen-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Little-endian float32 values from base64 (how the engine fixtures store float32 tensors).
func float32s(base64: String) -> [Float] {
    let bytes = [UInt8](Data(base64Encoded: base64)!)
    return stride(from: 0, to: bytes.count, by: 4).map { i in
        Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
    }
}

/// A float32's bit pattern as 8 hex digits (how the fixtures write scales), e.g. "3c23d70a".
func float32Hex(_ value: Float) -> String {
    let hex = String(value.bitPattern, radix: 16)
    return String(repeating: "0", count: 8 - hex.count) + hex
}
