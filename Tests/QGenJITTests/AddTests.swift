import Testing
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference
import QGenVerify

/// Add: TFLite's quantized ADD, checked against values computed by hand from its algorithm
/// (add_common.cc: left shift 20, inputs rescaled to twice the larger scale, the sum rescaled to the
/// output), and in graphs (a residual branch) against the reference under every fixed-point scheme.
@Suite struct AddTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    private func compile(_ layers: [LayerSpec], scheme: Requantization = .tflite) throws -> Pipeline.Result {
        try Pipeline.compile(ModelSpec(name: "m", layers: layers, requantization: scheme, location: at), options: CompileOptions())
    }

    private func errors(_ layers: [LayerSpec], scheme: Requantization = .tflite) -> [String] {
        do {
            _ = try compile(layers, scheme: scheme)
            return []
        } catch let error as DiagnosticsError {
            return error.errors.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    /// x + x with s_x = 0.5 and s_out = 2: y = x / 2 + 5 in real terms, so odd x are ties.
    /// Both inputs rescale by 0.5 (M = 2^30, shift 0): x · 2^20 → x · 2^19 each, sum x · 2^20;
    /// the output multiplier 1 / (2^20 · 2) = 2^-21 (M = 2^30, shift −20) divides it by 2^21.
    /// tflite: SRDHM exact, then RDBPOT by 20 rounds the tie x/2 away from zero;
    /// singleRounding: one rounding of x · 2^20 · 2^30 / 2^51, ties toward +∞.
    @Test(arguments: [(Requantization.tflite, [3, 4, 6, 7, 4, 8, -59, 69]), (.singleRounding, [4, 5, 6, 7, 4, 8, -59, 69])])
    func tiesFollowTheSchemesRounding(scheme: Requantization, expected: [Int32]) throws {
        let x: [Int32] = [-3, -1, 1, 3, -2, 6, -128, 127]
        let result = try compile([
            Input("x", shape: [1, 8], .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
            Add("y", "x", "x", output: .int8(scale: 2, zeroPoint: 5)).layerSpec,
        ], scheme: scheme)
        #expect(IntegerReference.run(result.lowered, input: x) == expected)
        #expect(try Verifier.compile(result.output, model: result.lowered).run(x) == expected)
    }

    /// Sub and Mul by hand: x − x is 0 in real terms, so every output is the output zero point; with
    /// s_x = 0.5 and s_out = 0.25, Mul's multiplier is exactly 1 (M = 2^30, shift 1) and x · x gives
    /// x² codes, clamped to 127 from x = ±12 on.
    @Test func subAndMulByHand() throws {
        let x: [Int32] = [3, -4, 11, 12, -128, 0]
        let sub = try compile([
            Input("x", shape: [1, 6], .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
            Sub("d", "x", "x", output: .int8(scale: 2, zeroPoint: 5)).layerSpec,
        ])
        #expect(IntegerReference.run(sub.lowered, input: x) == Array(repeating: 5, count: 6))
        #expect(try Verifier.compile(sub.output, model: sub.lowered).run(x) == Array(repeating: 5, count: 6))
        let mul = try compile([
            Input("x", shape: [1, 6], .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
            Mul("sq", "x", "x", output: .int8(scale: 0.25, zeroPoint: 0)).layerSpec,
        ])
        #expect(IntegerReference.run(mul.lowered, input: x) == [9, 16, 121, 127, 127, 0])
        #expect(try Verifier.compile(mul.output, model: mul.lowered).run(x) == [9, 16, 121, 127, 127, 0])
    }

    /// A residual block: the Add reads the block's input (a branch) and the second convolution.
    private func residual(_ scheme: Requantization, activation: Activation) -> [LayerSpec] {
        let w1 = (0..<144).map { Double(($0 * 37) % 11 - 5) / 40 }
        let w2 = (0..<144).map { Double(($0 * 53) % 13 - 6) / 50 }
        let dtype: DType = [Requantization.fbgemm, .qnnpack].contains(scheme) ? .uint8 : .int8
        let q = { (scale: Double, zp: Int) in QuantParams(dtype: dtype, scale: scale, zeroPoint: dtype == .uint8 ? zp + 128 : zp) }
        return [
            Input("x", shape: [2, 4, 5, 5], q(0.05, -3)).layerSpec,
            Conv2d("c1", outChannels: 4, kernel: 3, padding: 1, weight: .float(.values(w1)), bias: .float([0.1, -0.2, 0.05, 0]),
                   output: q(0.04, -10), activation: .relu).layerSpec,
            Conv2d("c2", outChannels: 4, kernel: 3, padding: 1, weight: .float(.values(w2)), output: q(0.07, 4)).layerSpec,
            Add("res", "c2", "x", output: q(0.09, -20), activation: activation).layerSpec,
            Flatten("flat").layerSpec,
            Linear("fc", outFeatures: 3, weight: .float(.values((0..<300).map { Double($0 % 17 - 8) / 100 })), output: q(0.2, 0)).layerSpec,
        ]
    }

    @Test(arguments: [Requantization.tflite, .singleRounding, .powerOfTwo(rounding: .halfEven, tolerance: 0.5),
                      .fixedPoint(multiplierBits: 16, rounding: .halfAwayFromZero)])
    func residualBlockMatchesTheReference(scheme: Requantization) throws {
        for activation in [Activation.none, .relu, .relu6] {
            let result = try compile(residual(scheme, activation: activation), scheme: scheme)
            #expect(result.lowered.nodes.map(\.kindName) == ["Conv2d", "Conv2d", "Add", "Flatten", "Linear"])
            let report = try Verifier.verify(result, inputs: 64, seed: 5)
            #expect(report.mismatches == 0, "\(scheme.name), \(activation): first mismatch \(String(describing: report.firstMismatch))")
            #expect(report.sqnr > 10, "\(scheme.name): SQNR \(report.sqnr) dB against real arithmetic")
        }
    }

    /// The arena holds x's consumers' outputs while x stays in the caller's buffer: c1 and c2 are
    /// live together (c2 reads c1), then c2 and res, then res alone: 100 + 100 bytes at most... and
    /// x (the model input) is never copied.
    @Test func theBranchKeepsItsInputAliveInTheCallersBuffer() throws {
        let result = try compile(residual(.tflite, activation: .none))
        let t = result.lowered.tensors
        #expect(t.map(\.name) == ["x", "c1", "c2", "res", "flat", "fc"])
        #expect(t[0].buffer == .modelInput(0) && t[5].buffer == .modelOutput(0))
        #expect(t[4].buffer == t[3].buffer)   // Flatten shares its input's memory
        #expect(result.lowered.arenaSize == 400)   // two live [2, 4, 5, 5] int8 tensors
    }

    @Test func badGraphsAreDiagnosedWithTheLine() throws {
        let x = Input("x", shape: [1, 4], .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec
        let fc = Linear("fc", outFeatures: 2, weight: .float(.values(Array(repeating: 0.5, count: 8))), output: .int8(scale: 0.1, zeroPoint: 0),
                        file: "model.swift", line: 3).layerSpec
        #expect(errors([x, fc, Add("sum", "fc", "y", output: .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'sum': it reads 'y', which is not the name of an Input or a layer of model 'm'; the names are 'x', 'fc', 'sum'",
        ])
        #expect(errors([x, fc, Add("sum", "fc", "x", output: .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'sum' (Add): its inputs 'fc' [1, 2] and input 'x' [1, 4] differ in shape; Add takes two tensors of the same shape",
        ])
        #expect(errors([x, fc, Add("sum", "fc", "fc", output: .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'sum' (Add): Add takes and produces one integer type, but its inputs are int8 ('fc') and int8 ('fc') and its output is uint8; quantize all three as the same type",
        ])
        let a = Linear("a", input: "b", outFeatures: 4, weight: .float(.values(Array(repeating: 0.5, count: 16))), output: .int8(scale: 0.1, zeroPoint: 0),
                       file: "model.swift", line: 5).layerSpec
        let b = Linear("b", input: "a", outFeatures: 4, weight: .float(.values(Array(repeating: 0.5, count: 16))), output: .int8(scale: 0.1, zeroPoint: 0),
                       file: "model.swift", line: 6).layerSpec
        #expect(errors([x, a, b]) == [
            "model.swift:5: error: layer 'a': layers form a cycle ('a' reads 'b' reads 'a'); a model must be acyclic, each layer reading only layers that do not depend on it",
        ])
        let own = Linear("own", input: "own", outFeatures: 4, weight: .float(.values(Array(repeating: 0.5, count: 16))), output: .int8(scale: 0.1, zeroPoint: 0),
                         file: "model.swift", line: 7).layerSpec
        #expect(errors([x, own]) == ["model.swift:7: error: layer 'own': it reads its own output; a layer can read only Inputs and other layers"])
        // Two unconnected heads are two model outputs (MultipleIOTests), in declaration order.
        let head = Linear("head", input: "x", outFeatures: 3, weight: .float(.values(Array(repeating: 0.5, count: 12))), output: .int8(scale: 0.1, zeroPoint: 0),
                          file: "model.swift", line: 8).layerSpec
        #expect(errors([x, fc, head]) == [])
        let heads = try compile([x, fc, head]).lowered
        #expect(heads.outputs.map { heads.tensors[$0].name } == ["fc", "head"])
    }

    /// Scales are float32 as in TFLite: 0.1 is 0.100000001490116, 1e-8 is 9.99999993922529e-9, so
    /// 2 · 0.1 / (2^20 · 1e-8) = 19.0734867 and the bound 2 · 0.1 / 2^20 = 1.90734866e-7; with
    /// s_out = 0.3 (0.300000011920929) the multiplier 6.35782862e-7 lies 25% above 2^-21.
    /// fbgemm's add takes ATen's vector path over whole vector blocks only: for 100 codes that is the
    /// first 64 under AVX2 (64-code blocks) and none under AVX512 (128-code blocks).
    @Test func fbgemmAddSplitsAtATensVectorBlocks() throws {
        for (scheme, end) in [(Requantization.fbgemm(), 64), (.fbgemm(avx512: true), 0)] {
            let spec = ModelSpec(name: "m", layers: [Input("x", shape: [1, 100], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec,
                                                     Add("sum", "x", "x", output: .uint8(scale: 0.2, zeroPoint: 10)).layerSpec],
                                 requantization: scheme, location: SourceLocation(file: "model.swift", line: 1))
            let lowered = try Pipeline.compile(spec, options: CompileOptions()).lowered
            guard case .pytorchAdd(let add)? = lowered.node(named: "sum")?.op, case .fbgemm(let f) = add.arithmetic else {
                Issue.record("\(scheme.name): not lowered to fbgemm's add")
                continue
            }
            #expect(f.loop.vectorEnd == end, "\(scheme.name)")
        }
    }

    @Test func schemesWithoutAddAndUnrepresentableScalesAreRefused() {
        let x = Input("x", shape: [1, 4], .uint8(scale: 0.1, zeroPoint: 128), file: "model.swift", line: 2).layerSpec
        #expect(errors([x, Add("sum", "x", "x", output: .uint8(scale: 0.1, zeroPoint: 128), activation: .relu, file: "model.swift", line: 3).layerSpec], scheme: .onnxRuntime) == [
            "model.swift:3: error: layer 'sum' (Add): ONNX Runtime's QLinearAdd fuses no activation (relu); a ReLU there is the output range of a zero point at the type's minimum: use activation .none",
        ])
        #expect(errors([x, Sub("d", "x", "x", output: .uint8(scale: 0.1, zeroPoint: 128), file: "model.swift", line: 3).layerSpec], scheme: .onnxRuntime) == [
            "model.swift:3: error: layer 'd' (Sub): ONNX Runtime has no quantized Sub (QLinearAdd and QLinearMul only), so the onnxRuntime scheme has none; use a TFLite scheme",
        ])
        // QNNPACK refuses scale ratios outside [2^-14, 2^8): float(0.1) / float(1e-4) = 1000.00006 in binary32.
        #expect(errors([x, Add("sum", "x", "x", output: .uint8(scale: 1e-4, zeroPoint: 128), file: "model.swift", line: 3).layerSpec], scheme: .qnnpack) == [
            "model.swift:3: error: layer 'sum' (Add): input 1's scale over the output scale is 1000.00006, outside QNNPACK's [2^-14, 2^8) (PyTorch's qnnpack add refuses it); choose an output scale between 0.000390625 and 1638.4",
        ])
        #expect(errors([x, Add("sum", "x", "x", output: .uint8(scale: 1e-8, zeroPoint: 128), file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'sum' (Add): the output multiplier 2·max(s_a, s_b)/(2^20·s_out) = 19.0734867 is not below 1, as TFLite's Add requires: the output scale 1e-08 is too small for input scales 0.1 and 0.1; it must be above 1.90734866e-07",
        ])
        #expect(errors([x, Add("sum", "x", "x", output: .uint8(scale: 0.3, zeroPoint: 128), file: "model.swift", line: 3).layerSpec], scheme: .powerOfTwo) == [
            "model.swift:3: error: layer 'sum' (Add): the output multiplier 2*max(s_a,s_b)/(2^20*s_out) = 6.35782862e-07 is 24.9999981% from the nearest power of two 2^-21, beyond the powerOfTwo tolerance 0.390625%; choose scales whose ratios are powers of two, or use fixedPoint(multiplierBits:…)",
        ])
    }
}
