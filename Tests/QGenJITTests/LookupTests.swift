import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// Logistic and Tanh (TFLite's int8 LOGISTIC and TANH as 256-entry tables): the values TFLite's
/// algorithm gives by construction. With s_in = 0.1 (float32 0.100000001…), s_in · 2^27 lies in
/// [2^23, 2^24), so frexp's shift is 24 and the input radius is floor(15 · 2^27 / 2^24) = 120:
/// v = x − zp at or beyond ±120 saturates. At v = 0 logistic is 1/2 = 2^30 in Q0.31, which
/// RoundingDivideByPOT(·, 23) makes 128, and 128 − 128 = 0; tanh(0) = 0.
@Suite struct LookupTests {
    private func run(_ op: Lookup, _ x: [Int32]) throws -> (reference: [Int32], c: [Int32]?, table: [Int32]) {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, x.count], .int8(scale: 0.1, zeroPoint: 3)).layerSpec, op.layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
        guard case .lookup(let lookup) = result.lowered.nodes[0].op else { preconditionFailure() }
        return (IntegerReference.run(result.lowered, input: x), try Verifier.compile(result.output, model: result.lowered).run(x), lookup.table)
    }

    @Test func logisticAndTanhFollowTFLitesFixedPoint() throws {
        // x = zp (v = 0), v = ±119 (inside the radius), v = 120 and −120 (saturated).
        let x: [Int32] = [3, 122, -116, 123, -117]
        let logistic = try run(Logistic("sig"), x)
        #expect(logistic.reference[0] == 0 && logistic.reference[3] == 127 && logistic.reference[4] == -128)
        #expect(logistic.c == logistic.reference)
        let tanh = try run(Tanh("th"), x)
        #expect(tanh.reference[0] == 0 && tanh.reference[3] == 127 && tanh.reference[4] == -128)
        #expect(tanh.c == tanh.reference)
        // Both are monotonic, and tanh is odd around the zero point where it does not saturate
        // (127 has no negative counterpart).
        for table in [logistic.table, tanh.table] { #expect(zip(table, table.dropFirst()).allSatisfy { $0 <= $1 }) }
        for v in 1...100 where tanh.table[128 + 3 + v] < 127 { #expect(tanh.table[128 + 3 + v] == -tanh.table[128 + 3 - v], "v = \(v)") }
    }

    /// ReLU6 on s = 0.05 (float32 0.0500000007), zp −10: 6 / s = 119.99999… rounds to 120, so codes
    /// clamp to [−10, 110]. ReLU with the input's quantization has multiplier 1: max(x, zp). LeakyReLU
    /// with α = 0.5 and one quantization: v ≥ 0 stays, v < 0 becomes SRDHM(v, 2^30) = v / 2 with ties
    /// toward +∞ (−3 → −1, −4 → −2).
    @Test func rectifiersByHand() throws {
        func run(_ op: Lookup, scale: Double, zeroPoint: Int, _ x: [Int32]) throws -> [Int32] {
            let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, x.count], .int8(scale: scale, zeroPoint: zeroPoint)).layerSpec, op.layerSpec,
            ], location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
            let reference = IntegerReference.run(result.lowered, input: x)
            #expect(try Verifier.compile(result.output, model: result.lowered).run(x) == reference)
            return reference
        }
        #expect(try run(ReLU6("r6"), scale: 0.05, zeroPoint: -10, [-128, -10, 50, 110, 127]) == [-10, -10, 50, 110, 110])
        #expect(try run(ReLU("r"), scale: 0.1, zeroPoint: 0, [-5, 7, -128, 127]) == [0, 7, 0, 127])
        #expect(try run(LeakyReLU("l", alpha: 0.5), scale: 0.25, zeroPoint: 0, [-3, -4, 5, -128]) == [-1, -2, 5, -64])
    }

    @Test func theOutputQuantizationIsTFLites() throws {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec,
            Logistic("sig", file: "model.swift", line: 3).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        #expect(throws: DiagnosticsError([Diagnostic(.error, "layer 'sig' (Logistic): TFLite's Logistic takes int8, but its input 'x' is uint8; Quantize it to int8 first (ONNX Runtime's tables, scheme onnxRuntime, take uint8)", at: SourceLocation(file: "model.swift", line: 3))])) {
            _ = try Pipeline.compile(spec, options: CompileOptions())
        }
    }
}
