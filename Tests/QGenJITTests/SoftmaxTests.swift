import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// Softmax: TFLite's int8 algorithm on rows whose result follows by hand. Equal inputs: the sum of
/// exponentials is n · RDBPOT(INT32_MAX, 12) = n · 2^19 exactly, its reciprocal for n = 2^k is
/// 2^31 − ε with k bits over the unit, and each output RDBPOT(SRDHM(2^31 − ε, INT32_MAX), k + 23)
/// is 256 / n, so n = 4 gives 64 − 128 = −64 and n = 2 gives 0. A row whose other values lie more
/// than d_max below its maximum gives 256 − 128, clamped to 127, and −128 for the rest.
@Suite struct SoftmaxTests {
    private func run(_ shape: [Int], scale: Double, _ x: [Int32]) throws -> (reference: [Int32], c: [Int32]?) {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: shape, .int8(scale: scale, zeroPoint: 0)).layerSpec,
            Softmax("prob").layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
        return (IntegerReference.run(result.lowered, input: x), try Verifier.compile(result.output, model: result.lowered).run(x))
    }

    @Test func equalInputsShareTheUnit() throws {
        let four = try run([2, 4], scale: 0.1, [5, 5, 5, 5, -7, -7, -7, -7])
        #expect(four.reference == Array(repeating: -64, count: 8) && four.c == four.reference)
        let two = try run([1, 2], scale: 0.1, [100, 100])
        #expect(two.reference == [0, 0] && two.c == two.reference)
    }

    /// With s_in = 1, β · s_in · 2^26 = 2^26 is M = 2^30, shift 27, so d_max = floor(31 · 2^26 / 2^27)
    /// = 15: differences of 100 and 200 are left out and the top takes everything (256 − 128,
    /// clamped to 127; −128 for the rest).
    @Test func aDominantValueTakesEverything() throws {
        let r = try run([1, 3], scale: 1, [100, 0, -100])
        #expect(r.reference == [127, -128, -128] && r.c == r.reference)
    }

    @Test func theOutputQuantizationIsTFLites() {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec,
            Softmax("prob", output: .int8(scale: 0.01, zeroPoint: 0), file: "model.swift", line: 3).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        #expect(throws: DiagnosticsError([Diagnostic(.error, "layer 'prob' (Softmax): TFLite's int8 softmax produces scale 1/256 (0.00390625) with zero point -128, not int8 scale 0.01 with zero point 0; leave output: out or give .int8(scale: 1.0 / 256, zeroPoint: -128), or .int16(scale: 1.0 / 65536, zeroPoint: -32768) for TFLite's int16 output", at: SourceLocation(file: "model.swift", line: 3))])) {
            _ = try Pipeline.compile(spec, options: CompileOptions())
        }
    }

    /// TFLite's int8 → int16 softmax (scale 1/65536, zero point −32768): the same sums, the output
    /// shift 16 bits shorter. The dominant value's 2^16 − ε clamps to 32767, the rest are −32768; two
    /// equal values are 2^15 each, which is 0.
    @Test func int16OutputByHand() throws {
        func run(_ shape: [Int], scale: Double, _ x: [Int32]) throws -> (reference: [Int32], c: [Int32]?) {
            let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: shape, .int8(scale: scale, zeroPoint: 0)).layerSpec,
                Softmax("prob", output: .int16(scale: 1.0 / 65536, zeroPoint: -32768)).layerSpec,
            ], location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
            #expect(result.output.header.contains("int m_run(const int8_t *input, int16_t *output, void *arena);"))
            return (IntegerReference.run(result.lowered, input: x), try Verifier.compile(result.output, model: result.lowered).run(x))
        }
        let dominant = try run([1, 3], scale: 1, [100, 0, -100])
        #expect(dominant.reference == [32767, -32768, -32768] && dominant.c == dominant.reference)
        let two = try run([1, 2], scale: 0.1, [100, 100])
        #expect(two.reference == [0, 0] && two.c == two.reference)
    }

    /// int16 lives only in the caller's output buffer: a layer may not read it, and an Input is not int16.
    @Test func int16IsAModelOutputOnly() {
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec,
            Softmax("prob", output: .int16(scale: 1.0 / 65536, zeroPoint: -32768), file: "model.swift", line: 3).layerSpec,
            Flatten("flat", file: "model.swift", line: 4).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        #expect(throws: DiagnosticsError([Diagnostic(.error, "layer 'prob': its int16 output is read by another layer; qgen's int8 ops take int8 or uint8, so an int16 Softmax must be a model output", at: SourceLocation(file: "model.swift", line: 3))])) {
            _ = try Pipeline.compile(spec, options: CompileOptions())
        }
        let input16 = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int16(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec,
            Softmax("prob", file: "model.swift", line: 3).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        #expect(throws: DiagnosticsError([Diagnostic(.error, "input 'x': model inputs are int8 or uint8 (int16 is the output of an int8 → int16 Softmax only)", at: SourceLocation(file: "model.swift", line: 2))])) {
            _ = try Pipeline.compile(input16, options: CompileOptions())
        }
    }
}

/// ONNX Runtime's QLinearSoftmax (ONNXRuntimeSoftmax.swift), on rows whose results follow by hand
/// whatever the table's exact values: three equal codes give T·256 / (3T) = 85.33 → 85 each; a
/// code 200 steps (s_in = 0.1: e^-20) above the other gives 256 / (1 + 2·10^-9) → 256, saturated
/// to the type's top (255, or 127 for int8 with zero point −128, where ONNX Runtime saturates),
/// and 256 · 2·10^-9 → 0.
@Suite struct ONNXRuntimeSoftmaxTests {
    private func run(_ dtype: DType, _ x: [Int32], floatRequant: Bool) throws -> [Int32] {
        let zp = dtype == .int8 ? -128 : 0
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, x.count], QuantParams(dtype: dtype, scale: 0.1, zeroPoint: 0)).layerSpec,
            Softmax("s", output: QuantParams(dtype: dtype, scale: 1.0 / 256, zeroPoint: zp)).layerSpec,
        ], requantization: .onnxRuntime, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions(floatRequant: floatRequant))
        let c = try Verifier.compile(result.output, model: result.lowered).run(x) ?? []
        #expect(IntegerReference.run(result.lowered, input: x) == c)
        return c
    }

    @Test func rowsNormalizeAsONNXRuntime() throws {
        for native in [false, true] {
            #expect(try run(.uint8, [10, 10, 10], floatRequant: native) == [85, 85, 85])
            #expect(try run(.int8, [10, 10, 10], floatRequant: native) == [-43, -43, -43])
            #expect(try run(.uint8, [200, 0], floatRequant: native) == [255, 0])
            #expect(try run(.int8, [100, -100], floatRequant: native) == [127, -128])
        }
    }

    @Test func aRowTooShortForTheOutputScaleIsRefused() {
        #expect(throws: DiagnosticsError.self) {
            _ = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 1], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                Softmax("s", output: .uint8(scale: 1.0 / 256, zeroPoint: 0)).layerSpec,
            ], requantization: .onnxRuntime, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
        }
    }
}
