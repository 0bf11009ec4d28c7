import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// Where `liteRT` parts from `tflite`, on values that follow by hand; and `qgen explain` on the ops
/// that are not multiply-accumulates.
@Suite struct LiteRTTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    private func run(_ layers: [LayerSpec], scheme: Requantization, _ x: [Int32]) throws -> (reference: [Int32], c: [Int32]?) {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: layers, requantization: scheme, location: at), options: CompileOptions())
        return (IntegerReference.run(result.lowered, input: x), try Verifier.compile(result.output, model: result.lowered).run(x))
    }

    /// A one-weight Linear with s_in = s_w = 1 and s_out = 2: m = 0.5 exactly, so x = ±1, ±3, ±5 are
    /// ties. tflite's SRDHM (M = 2^30, shift 0) breaks them toward +∞: −1.5 → −1, −0.5 → 0, 2.5 → 3;
    /// LiteRT's round(double(acc) · 0.5) away from zero: −1.5 → −2, −0.5 → −1, 2.5 → 3.
    @Test func fullyConnectedTiesGoAwayFromZero() throws {
        let layers = [
            Input("x", shape: [6, 1], .int8(scale: 1, zeroPoint: 0)).layerSpec,
            Linear("fc", outFeatures: 1, weight: .int8([1], scale: 1), output: .int8(scale: 2, zeroPoint: 0)).layerSpec,
        ]
        let x: [Int32] = [-3, -1, 1, 3, 5, -5]
        let tflite = try run(layers, scheme: .tflite, x)
        #expect(tflite.reference == [-1, 0, 1, 2, 3, -2] && tflite.c == tflite.reference)
        let liteRT = try run(layers, scheme: .liteRT, x)
        #expect(liteRT.reference == [-2, -1, 1, 2, 3, -3] && liteRT.c == liteRT.reference)
    }

    /// RELU6 from s_in = 0.05, zp_in = 3 to s_out = 0.03, zp_out = −128. TFLite Micro clamps the input
    /// codes to [3, 3 + round(6 / 0.05)] = [3, 123]; LiteRT rescales x − 3 by 0.05 / 0.03 and clamps to
    /// [−128, −128 + round(6 / 0.03)] = [−128, 72]: x = 23 (1.0) → −128 + round(33.3) = −95.
    @Test func relu6RescalesUnderLiteRT() throws {
        let layers = [
            Input("x", shape: [1, 4], .int8(scale: 0.05, zeroPoint: 3)).layerSpec,
            ReLU6("r", output: .int8(scale: 0.03, zeroPoint: -128)).layerSpec,
        ]
        let x: [Int32] = [-128, 23, 127, 3]
        let tflite = try run(layers, scheme: .tflite, x)
        #expect(tflite.reference == [3, 23, 123, 3] && tflite.c == tflite.reference)
        let liteRT = try run(layers, scheme: .liteRT, x)
        #expect(liteRT.reference == [-128, -95, 72, -128] && liteRT.c == liteRT.reference)
    }

    /// MUL's multiplier for s_a = s_b = 0.1, s_out = 0.3: TFLite Micro forms 0.1·0.1/0.3 in double,
    /// LiteRT in float32 (mul.cc). The mantissas (numpy float32/float64 and frexp, computed outside
    /// qgen): 1145324601 · 2^-35 and 1145324672 · 2^-35.
    @Test func mulFormsItsMultiplierInFloat32() throws {
        func multiplier(_ scheme: Requantization) throws -> QuantizedMultiplier? {
            let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 4], .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
                Mul("y", "x", "x", output: .int8(scale: 0.3, zeroPoint: 0)).layerSpec,
            ], requantization: scheme, location: at), options: CompileOptions())
            guard case .mul(let mul) = result.lowered.nodes[0].op else { return nil }
            return mul.output.multipliers.first
        }
        #expect(try multiplier(.tflite) == QuantizedMultiplier(mantissa: 1145324601, shift: -4))
        #expect(try multiplier(.liteRT) == QuantizedMultiplier(mantissa: 1145324672, shift: -4))
    }

    /// LiteRT's CONCATENATION takes inputs quantized like its output only.
    @Test func requantizingConcatenationIsRefused() {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.5, zeroPoint: 3), file: "model.swift", line: 2).layerSpec,
            Quantize("q", output: .int8(scale: 0.2, zeroPoint: -10), file: "model.swift", line: 3).layerSpec,
            Concatenation("c", ["x", "q"], axis: 1, output: .int8(scale: 0.2, zeroPoint: -10), file: "model.swift", line: 4).layerSpec,
        ], requantization: .liteRT, location: at)
        #expect(throws: DiagnosticsError([Diagnostic(.error, "layer 'c' (Concatenation): LiteRT's int8 CONCATENATION requires every input to have the output's quantization (scale 0.2, zero point -10), but input 'x' has scale 0.5 and zero point 3; quantize every input like the output, or use tflite, whose Concatenation requantizes", at: SourceLocation(file: "model.swift", line: 4))])) {
            _ = try Pipeline.compile(spec, options: CompileOptions())
        }
    }

    /// `qgen explain` on an Add (AddTests' ties: y = x / 2 + 5 with s_x = 0.5, s_out = 2): x = −3 is
    /// 3 under tflite and 4 under singleRounding, and the trace names every step.
    @Test func explainTracesAnAdd() throws {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 8], .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
            Add("y", "x", "x", output: .int8(scale: 2, zeroPoint: 5)).layerSpec,
        ], location: at), options: CompileOptions())
        let x: [Int32] = [-3, -1, 1, 3, -2, 6, -128, 127]
        let e = try Explainer.explain(result, layer: "y", index: [0], input: x, compare: .singleRounding)
        #expect(e.value == 3 && e.comparison == 4 && e.emittedC == 3 && e.partingStep == "output")
        let lines = e.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("  input 1 = -3; (x - zp) * 2^20 = -3145728; R(-3145728 * m1) = -1572864 (s_a/(2*max(s_a,s_b)) = 0.5 ~ 1073741824 * 2^-31)"), "\(e.text)")
        #expect(lines.contains("tflite gives 3, singleRounding gives 4."), "\(e.text)")
        #expect(lines.contains { $0.hasPrefix("real arithmetic on the dequantized inputs: -3,") }, "\(e.text)")
        // A table op: the element's code and its entry.
        let table = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.05, zeroPoint: 3)).layerSpec,
            ReLU6("r", output: .int8(scale: 0.03, zeroPoint: -128)).layerSpec,
        ], requantization: .liteRT, location: at), options: CompileOptions())
        let r = try Explainer.explain(table, layer: "r", index: [1], input: [-128, 23, 127, 3], compare: .tflite)
        #expect(r.value == -95 && r.comparison == 23 && r.emittedC == -95)
        #expect(r.text.contains("  input = 23; the table (TFLite's fixed-point algorithm: s_in/s_out ~ "), "\(r.text)")
    }
}
