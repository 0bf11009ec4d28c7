import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// PyTorch's avg_pool2d paths (PyTorchAverage.swift), on values computed by hand. A 1×1×1×2 uint8
/// image [4, 7] with zero point 3, kernel 1×2, stride 1, padding (0, 1) gives three windows:
/// [pad, 4], [4, 7], [7, pad], acc = Σq − covered · zp = 1, 5, 4.
///
///   count_include_pad, d = 2, 2, 2: acc / d = 0.5, 2.5, 2
///     contiguous (zp added in float before rounding): RNE(3.5), RNE(5.5), RNE(5) = 4, 6, 5
///     channels-last and QNNPACK (zp added after):     3 + RNE(0.5), 3 + RNE(2.5), 3 + 2 = 3, 5, 5
///   count_include_pad false, d = 1, 2, 1 (contiguous): RNE(4), RNE(5.5), RNE(7) = 4, 6, 7
///   divisor_override 4 (contiguous): RNE(3.25), RNE(4.25), RNE(4) = 3, 4, 4
///   TFLite (count excludes padding, half away from zero on raw codes): 4, (11 + 1) / 2 = 6, 7
@Suite struct PyTorchAveragePoolTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    private func run(_ scheme: Requantization, countIncludePad: Bool = true, divisor: Int? = nil, formats: [MemoryFormat] = [],
                     floatRequant: Bool = false) throws -> [Int32] {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 1, 1, 2], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec,
            AvgPool2d("p", kernel: Size2(1, 2), stride: 1, padding: Size2(0, 1), countIncludePad: countIncludePad, divisor: divisor,
                      memoryFormats: formats).layerSpec,
        ], requantization: scheme, location: at), options: CompileOptions(floatRequant: floatRequant))
        let x: [Int32] = [4, 7]
        let c = try Verifier.compile(result.output, model: result.lowered).run(x) ?? []
        #expect(IntegerReference.run(result.lowered, input: x) == c)
        return c
    }

    @Test func eachPathRoundsAsPyTorch() throws {
        for native in [false, true] {
            #expect(try run(.fbgemm, floatRequant: native) == [4, 6, 5])
            #expect(try run(.fbgemm, formats: [.channelsLast], floatRequant: native) == [3, 5, 5])
            #expect(try run(.qnnpack, floatRequant: native) == [3, 5, 5])
            #expect(try run(.fbgemm, countIncludePad: false, floatRequant: native) == [4, 6, 7])
            #expect(try run(.fbgemm, divisor: 4, floatRequant: native) == [3, 4, 4])
        }
        // QNNPACK divides by the kernel's area whatever count_include_pad says.
        #expect(try run(.qnnpack, countIncludePad: false) == [3, 5, 5])
        #expect(try run(.tflite, countIncludePad: false) == [4, 6, 7])
    }

    @Test func refusalsNameWhatWouldBeValid() {
        func errors(_ pool: Pool2d, scheme: Requantization = .tflite) -> [String] {
            do {
                _ = try Pipeline.compile(ModelSpec(name: "m", layers: [
                    Input("x", shape: [1, 2, 4, 4], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec, pool.layerSpec,
                ], requantization: scheme, location: at), options: CompileOptions())
                return []
            } catch let error as DiagnosticsError {
                return error.errors.map(\.description)
            } catch {
                return ["unexpected: \(error)"]
            }
        }
        #expect(errors(AvgPool2d("p", kernel: 2, padding: 1, countIncludePad: true, file: "model.swift", line: 2)) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): countIncludePad and divisor are PyTorch's (the fbgemm and qnnpack schemes); TFLite's average divides by the input elements a window covers. Pad the input with Pad instead, or choose fbgemm or qnnpack",
        ])
        // Without padding every window covers its whole kernel: count_include_pad changes nothing.
        #expect(errors(AvgPool2d("p", kernel: 2, countIncludePad: true, file: "model.swift", line: 2)) == [])
        #expect(errors(AvgPool2d("p", kernel: 2, divisor: 3, file: "model.swift", line: 2), scheme: .onnxRuntime) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): divisor and memoryFormats are PyTorch's (fbgemm, qnnpack); ONNX Runtime's average pooling divides by the kernel's area (countIncludePad) or the covered count",
        ])
        #expect(errors(AvgPool2d("p", kernel: 2, output: .uint8(scale: 0.2, zeroPoint: 3), file: "model.swift", line: 2), scheme: .fbgemm) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): the fbgemm scheme's average pooling keeps its input's quantization (scale 0.1, zero point 3), as TFLite and PyTorch do; only ONNX Runtime's QLinearAveragePool (onnxRuntime) requantizes. Leave output: out",
        ])
        #expect(errors(MaxPool2d("p", kernel: 2, file: "model.swift", line: 2).with { $0.output = .uint8(scale: 0.2, zeroPoint: 3) }, scheme: .onnxRuntime) == [
            "model.swift:2: error: layer 'p' (MaxPool2d): MaxPool2d keeps its input's quantization; give no output:",
        ])
        #expect(errors(AvgPool2d("p", kernel: 1, file: "model.swift", line: 2), scheme: .qnnpack) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): PyTorch's qnnpack engine refuses a 1x1 average pooling of quint8 (QNNPACK: \"1x1 pooling is meaningless\"); remove the layer, it copies its input",
        ])
        #expect(errors(MaxPool2d("p", kernel: 2, file: "model.swift", line: 2).with { $0.countIncludePad = true }) == [
            "model.swift:2: error: layer 'p' (MaxPool2d): countIncludePad and divisor are average pooling's; a maximum takes neither",
        ])
        #expect(errors(AvgPool2d("p", kernel: 2, padding: .same, countIncludePad: true, file: "model.swift", line: 2), scheme: .fbgemm) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): countIncludePad needs explicit padding (PyTorch pads both sides alike)",
        ])
        #expect(errors(AvgPool2d("p", kernel: 2, divisor: 0, file: "model.swift", line: 2), scheme: .fbgemm) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): divisor 0 must be in 1...16777216",
        ])
        #expect(errors(AvgPool2d("p", kernel: 2, memoryFormats: [.channelsLast, .channelsLast], file: "model.swift", line: 2), scheme: .fbgemm) == [
            "model.swift:2: error: layer 'p' (AvgPool2d): 2 memory formats for 1 inputs; give one per input, or none (all contiguous)",
        ])
    }
}

/// ONNX Runtime's QLinearAveragePool (ONNXRuntimeAverage.swift) on values computed by hand: a
/// 1×1×1×2 uint8 image [4, 8] with s_x = 1, zp_x = 3, kernel 1×2, stride 1, padding (0, 1), output
/// scale 1 and zero point 10. The windows [pad, 4], [4, 8], [8, pad] dequantize to sums 1, 6, 5.
///
///   count_include_pad (d = 2): 0.5, 3, 2.5 → + 10 → RNE: 10, 13, 12 (ties to even)
///   covered count (d = 1, 2, 1): 1, 3, 5 → 11, 13, 15
@Suite struct ONNXRuntimeAveragePoolTests {
    private func run(countIncludePad: Bool, floatRequant: Bool) throws -> [Int32] {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 1, 1, 2], .uint8(scale: 1, zeroPoint: 3)).layerSpec,
            AvgPool2d("p", kernel: Size2(1, 2), stride: 1, padding: Size2(0, 1), countIncludePad: countIncludePad,
                      output: .uint8(scale: 1, zeroPoint: 10)).layerSpec,
        ], requantization: .onnxRuntime, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions(floatRequant: floatRequant))
        let x: [Int32] = [4, 8]
        let c = try Verifier.compile(result.output, model: result.lowered).run(x) ?? []
        #expect(IntegerReference.run(result.lowered, input: x) == c)
        return c
    }

    @Test func averagesInBinary32AsONNXRuntime() throws {
        for native in [false, true] {
            #expect(try run(countIncludePad: true, floatRequant: native) == [10, 13, 12])
            #expect(try run(countIncludePad: false, floatRequant: native) == [11, 13, 15])
        }
    }
}

private extension Pool2d {
    func with(_ change: (inout Pool2d) -> Void) -> Pool2d {
        var copy = self
        change(&copy)
        return copy
    }
}
