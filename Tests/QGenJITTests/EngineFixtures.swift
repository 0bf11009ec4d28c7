import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import Testing

/// The fixtures made by Tools/engines/make_fixtures.py from the real engines (PyTorch fbgemm and
/// qnnpack, ONNX Runtime, TFLite Micro): quantized layers with the engine's integer outputs.
struct EngineFixture: Decodable {
    struct Quant: Decodable {
        var dtype: String
        var scale: Double
        var zeroPoint: Int
        var params: QuantParams { QuantParams(dtype: dtype == "int8" ? .int8 : .uint8, scale: scale, zeroPoint: zeroPoint) }
    }
    struct BiasValues: Decodable {
        var kind: String
        var values: [Double]
    }
    struct Geometry: Decodable {
        var in_features: Int?
        var out_features: Int?
        var in_channels: Int?
        var out_channels: Int?
        var height: Int?
        var width: Int?
        var kernel: Int?
        var stride: Int?
        var padding: Int?
        var dilation: Int?
        var groups: Int?
    }
    struct Case: Decodable {
        var id: String
        var kind: String
        var geometry: Geometry
        var input: Quant
        var output: Quant
        var weights: String
        var weightScales: [Double]
        var weightZeroPoints: [Int]
        var bias: BiasValues?
        var relu: Bool
        var inputs: [String]
        var outputs: [String]
        /// Set on fbgemm(saturatingPairs) cases: whether some pair of products leaves int16.
        var saturates: Bool?

        func decoded(_ base64: String, signed: Bool) -> [Int32] {
            let bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
            return bytes.map { signed ? Int32(Int8(bitPattern: $0)) : Int32($0) }
        }
        var inputVectors: [[Int32]] { inputs.map { decoded($0, signed: input.dtype == "int8") } }
        var outputVectors: [[Int32]] { outputs.map { decoded($0, signed: output.dtype == "int8") } }
        var weightValues: [Double] { decoded(weights, signed: true).map(Double.init) }

        /// The case as a qgen model.
        func spec(scheme: String) -> ModelSpec {
            let g = geometry
            let weight = Weights.int8(.values(weightValues), scales: weightScales, zeroPoints: weightZeroPoints)
            let b: Bias? = bias.map { $0.kind == "int32" ? .int32(.values($0.values)) : .float(.values($0.values)) }
            let activation: Activation = relu ? .relu : .none
            let layers: [LayerSpec]
            if kind == "linear" {
                layers = [Input("x", shape: [1, g.in_features!], input.params).layerSpec,
                          Linear("fc", outFeatures: g.out_features!, weight: weight, bias: b, output: output.params, activation: activation).layerSpec]
            } else {
                let k = g.kernel!, s = g.stride!, p = g.padding!, d = g.dilation!
                layers = [Input("x", shape: [1, g.in_channels!, g.height!, g.width!], input.params).layerSpec,
                          Conv2d("conv", outChannels: g.out_channels!, kernel: Size2(k, k), stride: Size2(s, s), padding: Size2(p, p),
                                 dilation: Size2(d, d), groups: g.groups!, weight: weight, bias: b, output: output.params,
                                 activation: activation).layerSpec]
            }
            return ModelSpec(name: "engine_case", layers: layers, requantization: Requantization(name: scheme),
                             location: SourceLocation(file: "\(id).swift", line: 1))
        }
    }

    var provenance: String
    var scheme: String
    var cases: [Case]

    static let files = ["pytorch_fbgemm", "pytorch_fbgemm_saturating", "pytorch_qnnpack", "onnxruntime", "tflite_micro"]

    static func load(_ name: String) throws -> EngineFixture {
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/\(name).json")
        return try JSONDecoder().decode(EngineFixture.self, from: Data(contentsOf: url))
    }
}

/// Codes of `dtype` stored as base64 in an engine fixture: one byte each (int8 signed, uint8), or two
/// little-endian bytes (int16).
func fixtureCodes(_ base64: String, dtype: DType) -> [Int32] {
    let bytes = [UInt8](Data(base64Encoded: base64) ?? Data())
    if dtype == .int16 { return stride(from: 0, to: bytes.count - 1, by: 2).map { Int32(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8)) } }
    return bytes.map { dtype == .int8 ? Int32(Int8(bitPattern: $0)) : Int32($0) }
}

/// Imports and compiles every `prefixStep`-th prefix of a file's bytes, then 300 copies with 1 to 4
/// seeded random bytes replaced: each must be refused with the importer's `Refusal` or a
/// diagnostic, or compile; anything else (and a trap, which ends the run) is a failure.
func corruptedFileOutcomes<Refusal: Error>(of bytes: [UInt8], prefixStep: Int, seed: UInt64, refusal: Refusal.Type,
                                           load: ([UInt8]) throws -> ModelSpec) -> (refused: Int, compiled: Int) {
    var rng = SeededGenerator(seed: seed)
    var variants = stride(from: 0, to: bytes.count, by: prefixStep).map { Array(bytes[..<$0]) }
    for _ in 0..<300 {
        var b = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
        variants.append(b)
    }
    var refused = 0, compiled = 0
    for b in variants {
        do {
            _ = try Pipeline.compile(try load(b), options: CompileOptions())
            compiled += 1
        } catch is Refusal {
            refused += 1
        } catch is DiagnosticsError {
            refused += 1
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
    return (refused, compiled)
}
