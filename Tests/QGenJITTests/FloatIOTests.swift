import Foundation
import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenJIT

/// --float-io: the emitted `<prefix>_quantize_input` / `<prefix>_dequantize_output` against
/// `BoundaryQuantization` (which reproduces PyTorch's own codes for the story inputs, and ONNX
/// Runtime's and PyTorch's in the boundary fixture), for each stack's rule.
@Suite struct FloatIOTests {
    typealias Quantize = @convention(c) (UnsafePointer<Float>?, UnsafeMutableRawPointer?) -> Void
    typealias Dequantize = @convention(c) (UnsafeRawPointer?, UnsafeMutablePointer<Float>?) -> Void

    @Test(arguments: [("fbgemm", DType.uint8, 0.0078125 * 1.37), ("onnxRuntime", DType.int8, 0.013), ("tflite", DType.int8, 0.1)])
    func boundaryFunctionsFollowTheStacksRule(scheme: String, dtype: DType, scale: Double) throws {
        let count = 4096
        let zp = dtype == .uint8 ? 3 : -5
        let spec = ModelSpec(name: "io", layers: [
            Input("x", shape: [16, 256], QuantParams(dtype: dtype, scale: scale, zeroPoint: zp)).layerSpec,
            Linear("fc", outFeatures: 16, weight: .int8(.values(Array(repeating: 1, count: 16 * 256)), scale: 0.001),
                   output: QuantParams(dtype: dtype, scale: 0.37, zeroPoint: zp)).layerSpec,
        ], requantization: Requantization(name: scheme), location: SourceLocation(file: "io.swift", line: 1))
        let result = try Pipeline.compile(spec, options: CompileOptions(floatIO: true))
        let module = try TCCModule(source: result.output.source, fileName: result.output.sourceName, headers: [result.output.headerName: result.output.header])
        let quantize = try #require(module.function("io_quantize_input", as: Quantize.self))
        let dequantize = try #require(module.function("io_dequantize_output", as: Dequantize.self))
        let rule = try #require(RequantizationScheme(parsing: scheme)).boundary

        var rng = SeededGenerator(seed: 11)
        let s = Float(scale)
        var x = (0..<count).map { i -> Float in
            switch i % 4 {
            case 0: return Float(Int.random(in: -300...300, using: &rng)) * s / 2          // near-ties in codes
            case 1: return (Float(Int.random(in: -300...300, using: &rng)) + 0.5) * s      // ties before float rounding
            case 2: return Float.random(in: -3...3, using: &rng)
            default: return Float.random(in: -1e6...1e6, using: &rng)
            }
        }
        x[0] = .nan; x[1] = .infinity; x[2] = -.infinity; x[3] = 0; x[4] = -0.0; x[5] = 0.273939937; x[6] = .leastNonzeroMagnitude
        var codes = [UInt8](repeating: 0, count: count)
        x.withUnsafeBufferPointer { xp in codes.withUnsafeMutableBytes { quantize(xp.baseAddress, $0.baseAddress) } }
        for (i, v) in x.enumerated() {
            let expected = rule.quantize(v, scale: scale, zeroPoint: zp, range: dtype.range)
            let got = dtype == .int8 ? Int(Int8(bitPattern: codes[i])) : Int(codes[i])
            #expect(got == expected, "\(scheme): x[\(i)] = \(v): C \(got), \(rule) \(expected)")
        }
        var outCodes = (0..<256).map { UInt8(truncatingIfNeeded: $0) }
        var y = [Float](repeating: .nan, count: 256)
        outCodes.withUnsafeMutableBytes { q in y.withUnsafeMutableBufferPointer { dequantize(q.baseAddress, $0.baseAddress) } }
        for (i, byte) in outCodes.enumerated() {
            let q = dtype == .int8 ? Int(Int8(bitPattern: byte)) : Int(byte)
            #expect(y[i] == rule.dequantize(q, scale: 0.37, zeroPoint: zp))
        }
    }
}
