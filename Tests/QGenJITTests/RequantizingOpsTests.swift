import Testing
import QGen
import QGenCompiler
import QGenReference
import QGenVerify

/// Quantize and Concatenation's requantization: TFLite's QUANTIZE (reference_ops::Requantize),
/// `y = clamp(MultiplyByQuantizedMultiplier(x − zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out)`,
/// checked against values computed by hand.
@Suite struct RequantizingOpsTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    private func errors(_ layers: [LayerSpec]) -> [String] {
        do {
            _ = try Pipeline.compile(ModelSpec(name: "m", layers: layers, location: at), options: CompileOptions())
            return []
        } catch let error as DiagnosticsError {
            return error.errors.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    /// s_in = 0.375, zp_in = 3 → s_out = 0.25, zp_out = −10 (both exact in float32): the ratio
    /// 1.5 = 0.75 · 2^1 is M = 1610612736, shift 1. TFLite shifts x − zp left by 1, then SRDHM
    /// rounds ties toward +∞: x = 10: 7 · 1.5 = 10.5 → 11, + (−10) = 1; x = 2: −1.5 → −1 → −11;
    /// x = 4: 1.5 → 2 → −8; x = 0: −4.5 → −4 → −14; x = 127: 186 → 176 → 127 (clamp);
    /// x = −128: −196.5 → −196 → −206 → −128.
    @Test func quantizeAndConcatenationRequantizeAsTFLite() throws {
        let x: [Int32] = [10, 2, 4, 0, 127, -128]
        let expected: [Int32] = [1, -11, -8, -14, 127, -128]
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 6], .int8(scale: 0.375, zeroPoint: 3)).layerSpec,
            Quantize("q", output: .int8(scale: 0.25, zeroPoint: -10)).layerSpec,
            // x is requantized into the output's quantization; q already has it and is copied.
            Concatenation("c", ["x", "q"], axis: -1, output: .int8(scale: 0.25, zeroPoint: -10)).layerSpec,
        ], location: at), options: CompileOptions())
        #expect(result.lowered.tensors.map(\.shape) == [[1, 6], [1, 6], [1, 12]])
        #expect(IntegerReference.run(result.lowered, input: x) == expected + expected)
        #expect(try Verifier.compile(result.output, model: result.lowered).run(x) == expected + expected)
    }

    @Test func badConcatenationsAreDiagnosed() {
        let x = Input("x", shape: [1, 2, 3, 3], .int8(scale: 0.5, zeroPoint: 3), file: "model.swift", line: 2).layerSpec
        let pool = MaxPool2d("p", kernel: 2, stride: 1, file: "model.swift", line: 3).layerSpec
        #expect(errors([x, pool, Concatenation("c", ["x", "p"], axis: 1, file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'c' (Concatenation): 'p' [1, 2, 2, 2] and input 'x' [1, 2, 3, 3] differ in shape other than along axis 1; Concatenation joins tensors that match in every other axis",
        ])
        #expect(errors([x, Concatenation("c", ["x", "x"], axis: 4, file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'c' (Concatenation): axis 4 is out of range for input 'x', shape [1, 2, 3, 3] (rank 4): give an axis in -4...3",
        ])
        let q = Quantize("q", output: .int8(scale: 0.25, zeroPoint: 0), file: "model.swift", line: 3).layerSpec
        #expect(errors([x, q, Concatenation("c", ["x", "q"], axis: 1, file: "model.swift", line: 4).layerSpec]) == [
            "model.swift:4: error: layer 'c' (Concatenation): input 'x' and 'q' are quantized differently (scale 0.5, zero point 3 and scale 0.25, zero point 0); give output: to requantize them to one",
        ])
        #expect(errors([x, Mean("m", axes: [2, -5], output: .int8(scale: 0.5, zeroPoint: 3), file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'm' (Mean): axis -5 is out of range for input 'x', shape [1, 2, 3, 3] (rank 4): give axes in -4...3",
        ])
        #expect(errors([x, Mean("m", axes: [1, 3], output: .int8(scale: 0.5, zeroPoint: 3), file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'm' (Mean): axes [1, 3] are not adjacent; qgen's Mean reduces adjacent axes (H and W of NCHW or NHWC, or the last axes)",
        ])
        #expect(errors([x, Squeeze("s", axes: [1], file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 's' (Squeeze): axis 1 of input 'x', shape [1, 2, 3, 3], has size 2; Squeeze removes axes of size 1",
        ])
        #expect(errors([x, Reshape("r", shape: [5, -1], file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'r' (Reshape): shape [5, -1] cannot hold the 18 elements of input 'x' [1, 2, 3, 3]: 18 is not a multiple of 5",
        ])
    }
}

/// Pad: every element outside the input reads the zero point.
@Suite struct PadTests {
    @Test func padReadsTheZeroPoint() throws {
        let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 2, 2, 1], layout: .nhwc, .int8(scale: 0.1, zeroPoint: -7)).layerSpec,
            Pad("p", padding: [[0, 0], [1, 0], [0, 1], [0, 0]]).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
        // [[1, 2], [3, 4]] → one row above, one column to the right: 3 × 3.
        let expected: [Int32] = [-7, -7, -7, 1, 2, -7, 3, 4, -7]
        #expect(result.lowered.output.shape == [1, 3, 3, 1])
        #expect(IntegerReference.run(result.lowered, input: [1, 2, 3, 4]) == expected)
        #expect(try Verifier.compile(result.output, model: result.lowered).run([1, 2, 3, 4]) == expected)
    }
}

/// MaxPool2d's ceilMode, checked against windows worked out by hand.
@Suite struct MaxPoolCeilModeTests {
    /// PyTorch's ceil_mode max pooling on a 5×5 image of codes 0...24 (value = 5·row + column):
    /// kernel 2, stride 2, no padding gives ceil(3/2) + 1 = 3 outputs per axis, the last window
    /// clipped to row (column) 4, so each output is the code at its window's last valid row and
    /// column: rows {1, 3, 4} × columns {1, 3, 4}. With padding 1 and kernel 3, stride 2:
    /// ceil((5 + 2 − 3) / 2) + 1 = 3 windows starting at −1, 1, 3 (the last starts inside the input).
    /// With kernel 2, stride 2, padding 1 on a 4×4 image: ceil(4/2) + 1 = 3, and the last window
    /// would start at 4 − 1 = 3 < 4 + 1, so 3 stay.
    @Test func maxPoolCeilModeRoundsOutputSizesUp() throws {
        func run(_ size: Int, kernel: Int, stride: Int, padding: Int) throws -> ([Int], [Int32]) {
            let result = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 1, size, size], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                MaxPool2d("p", kernel: kernel, stride: stride, padding: padding, ceilMode: true).layerSpec,
            ], requantization: .fbgemm, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
            let x = (0..<Int32(size * size)).map { $0 }
            let c = try Verifier.compile(result.output, model: result.lowered).run(x) ?? []
            #expect(IntegerReference.run(result.lowered, input: x) == c)
            return (result.lowered.output.shape, c)
        }
        let (shape, y) = try run(5, kernel: 2, stride: 2, padding: 0)
        #expect(shape == [1, 1, 3, 3])
        #expect(y == [6, 8, 9, 16, 18, 19, 21, 23, 24])
        let (padded, z) = try run(5, kernel: 3, stride: 2, padding: 1)
        #expect(padded == [1, 1, 3, 3])
        #expect(z == [6, 8, 9, 16, 18, 19, 21, 23, 24])
        let (four, w) = try run(4, kernel: 2, stride: 2, padding: 1)
        #expect(four == [1, 1, 3, 3])
        #expect(w == [0, 2, 3, 8, 10, 11, 12, 14, 15])
        let x = Input("x", shape: [1, 1, 5, 5], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec
        func errors(_ layers: [LayerSpec]) -> [String] {
            do {
                _ = try Pipeline.compile(ModelSpec(name: "m", layers: layers, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions())
                return []
            } catch let error as DiagnosticsError {
                return error.errors.map(\.description)
            } catch {
                return ["unexpected: \(error)"]
            }
        }
        #expect(errors([x, Pool2d(.average, "p", kernel: 2, padding: .same, ceilMode: true, file: "model.swift", line: 2).layerSpec]) ==
                ["model.swift:2: error: layer 'p' (AvgPool2d): ceilMode needs explicit padding (SAME already rounds up)"])
        #expect(errors([x, MaxPool2d("p", kernel: 2, padding: .same, ceilMode: true, file: "model.swift", line: 2).layerSpec]) ==
                ["model.swift:2: error: layer 'p' (MaxPool2d): ceilMode needs explicit padding (SAME already rounds up)"])
    }
}

/// The graph ops' refusals, each with its line and what would be valid.
@Suite struct GraphOpDiagnosticsTests {
    private func errors(_ layers: [LayerSpec], scheme: Requantization = .tflite) -> [String] {
        do {
            _ = try Pipeline.compile(ModelSpec(name: "m", layers: layers, requantization: scheme, location: SourceLocation(file: "model.swift", line: 1)),
                                     options: CompileOptions())
            return []
        } catch let error as DiagnosticsError {
            return error.errors.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    @Test func refusalsNameTheLayerAndTheFix() {
        let wide = Input("x", shape: [1, 600], .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec
        #expect(errors([wide, Softmax("p", file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'p' (Softmax): it normalizes 600 values (the last axis of input 'x' [1, 600]); TFLite's int8 softmax holds at most 511 (its sum of exponentials is Q12.19 and its output shift must stay ≤ 31)",
        ])
        let x = Input("x", shape: [1, 4, 4, 2], layout: .nhwc, .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2).layerSpec
        #expect(errors([x, Softmax("p", file: "model.swift", line: 3).layerSpec], scheme: .powerOfTwo) == [
            "model.swift:3: error: layer 'p' (Softmax): Softmax follows TFLite's fixed-point algorithm, under the tflite, liteRT and singleRounding schemes only; the powerOfTwo scheme has no Softmax yet",
        ])
        let ux = Input("x", shape: [1, 4, 4, 2], layout: .nhwc, .uint8(scale: 0.1, zeroPoint: 128), file: "model.swift", line: 2).layerSpec
        #expect(errors([ux, Mean("m", axes: [1, 2], output: .uint8(scale: 1e-5, zeroPoint: 128), file: "model.swift", line: 3).layerSpec], scheme: .onnxRuntime) == [
            "model.swift:3: error: layer 'm' (Mean): its multiplier s_in/(s_out·16) = 625.0 is outside [2^-32, 256), which ONNX Runtime's QLinearGlobalAveragePool refuses; bring the output scale closer to the input scale",
        ])
        #expect(errors([x, AvgPool2d("a", kernel: 2, padding: 2, file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'a' (AvgPool2d): padding 2 must be smaller than the kernel 2, or a window could cover padding only",
        ])
        #expect(errors([x, Pad("p", padding: [[0, 0], [1, 1]], file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'p' (Pad): padding has 2 entries for input 'x', shape [1, 4, 4, 2]; give one [before, after] pair per axis (4)",
        ])
        #expect(errors([x, LeakyReLU("l", alpha: -0.1, file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'l' (LeakyReLU): alpha must be a finite number ≥ 0, got -0.1",
        ])
        #expect(errors([x, Conv2d("c", outChannels: 2, kernel: 1, weightLayout: .oneHWC, weight: .float([1, 1, 1, 1]),
                                  output: .int8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 3).layerSpec]) == [
            "model.swift:3: error: layer 'c' (Conv2d): weightLayout 1hwc is DEPTHWISE_CONV_2D's; give Conv2d weights as oihw or ohwi, or use DepthwiseConv2d",
        ])
    }
}

/// Mul's broadcasting under TFLite's MUL, with a multiplier of exactly 1: s_a = s_b = 0.5 and
/// s_out = 0.25 give s_a·s_b/s_out = 1, QuantizeMultiplier(1) = 2^30 · 2^1, and TFLite's
/// MultiplyByQuantizedMultiplier returns the product itself. A per-channel gate [2, 3] times the
/// channels [1, 2] and [3, 4] is [2, 4] and [9, 12], in either order of the inputs.
@Suite struct BroadcastMulTests {
    @Test func aGateScalesEachChannel() throws {
        for gateFirst in [true, false] {
            let gate = Input("g", shape: [1, 2, 1, 1], .int8(scale: 0.5, zeroPoint: 0)).layerSpec
            let x = Input("x", shape: [1, 2, 1, 2], .int8(scale: 0.5, zeroPoint: 0)).layerSpec
            let mul = Mul("m", gateFirst ? "g" : "x", gateFirst ? "x" : "g", output: .int8(scale: 0.25, zeroPoint: 0)).layerSpec
            let result = try Pipeline.compile(ModelSpec(name: "m", layers: [gate, x, mul], location: SourceLocation(file: "model.swift", line: 1)),
                                              options: CompileOptions())
            #expect(result.lowered.output.shape == [1, 2, 1, 2])
            let inputs: [[Int32]] = [[2, 3], [1, 2, 3, 4]]
            #expect(IntegerReference.run(result.lowered, inputs: inputs)[result.lowered.outputs[0]] == [2, 4, 9, 12])
            #expect(try Verifier.compile(result.output, model: result.lowered).run(inputs: inputs)?.first == [2, 4, 9, 12])
        }
    }
}

/// Transpose: output axis k is input axis permutation[k]; the codes move, unchanged.
@Suite struct TransposeTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    /// An NHWC 1×2×3×2 image (code = 10·h + 3·w + c) to NCHW with [0, 3, 1, 2]: channel 0 is
    /// 0, 3, 6, 10, 13, 16 and channel 1 the same plus 1; a 2×3 matrix transposed with [1, 0].
    @Test func movesEachCodeToItsPermutedPlace() throws {
        let image = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 2, 3, 2], layout: .nhwc, .int8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Transpose("t", permutation: [0, 3, 1, 2]).layerSpec,
        ], location: at), options: CompileOptions())
        #expect(image.lowered.output.shape == [1, 2, 2, 3] && image.lowered.output.layout == .nchw)
        var x: [Int32] = []
        for h in 0..<2 { for w in 0..<3 { for c in 0..<2 { x.append(Int32(10 * h + 3 * w + c)) } } }
        let expected: [Int32] = [0, 3, 6, 10, 13, 16, 1, 4, 7, 11, 14, 17]
        #expect(try Verifier.compile(image.output, model: image.lowered).run(x) == expected)
        #expect(IntegerReference.run(image.lowered, input: x) == expected)
        let matrix = try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [2, 3], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
            Transpose("t", permutation: [1, 0]).layerSpec,
        ], requantization: .onnxRuntime, location: at), options: CompileOptions())
        #expect(try Verifier.compile(matrix.output, model: matrix.lowered).run([1, 2, 3, 4, 5, 6]) == [1, 4, 2, 5, 3, 6])
    }

    @Test func aPermutationMustReorderEveryAxis() {
        do {
            _ = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 3], .uint8(scale: 0.1, zeroPoint: 0)).layerSpec,
                Transpose("t", permutation: [0, 2, 2], file: "model.swift", line: 3).layerSpec,
            ], location: at), options: CompileOptions())
            Issue.record("a repeated axis compiled")
        } catch let error as DiagnosticsError {
            #expect(error.errors.map(\.description) == [
                "model.swift:3: error: layer 't' (Transpose): permutation [0, 2, 2] does not reorder the 3 axes of input 'x', shape [1, 2, 3]; give each of 0...2 once",
            ])
        } catch {
            Issue.record("unexpected: \(error)")
        }
    }
}

/// Quantize under onnxRuntime: QuantizeLinear(DequantizeLinear(x)) as ONNX Runtime computes a
/// DequantizeLinear → Slice/Reshape/… → QuantizeLinear of another scale, code by code.
@Suite struct ONNXRuntimeRequantizeTests {
    /// s_in 0.5, zp_in 10 to s_out 0.2, zp_out 3: 10 → 0 → 3; 11 → 0.5/0.2f = 2.49999994 → 2 → 5;
    /// 12 → 1.0/0.2f = 4.99999988 → 5 → 8; 0 → −25, clamped to −3 → 0; 255 → 612.5, clamped to 252 → 255.
    @Test func readsEachCodeThroughOnnxRuntimesArithmetic() throws {
        let x: [Int32] = [10, 11, 12, 0, 255]
        for native in [false, true] {
            let image = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 5], .uint8(scale: 0.5, zeroPoint: 10)).layerSpec,
                Quantize("q", output: .uint8(scale: 0.2, zeroPoint: 3)).layerSpec,
            ], requantization: .onnxRuntime, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions(floatRequant: native))
            #expect(try Verifier.compile(image.output, model: image.lowered).run(x) == [3, 5, 8, 0, 255])
            #expect(IntegerReference.run(image.lowered, input: x) == [3, 5, 8, 0, 255])
        }
    }
}

/// Slice: indices start, start + step, … below end of one axis; the codes move, unchanged.
@Suite struct SliceTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    /// A 1×4×2 tensor (code = 10·c + w) cut along the channels: [1, 3) keeps 10, 11, 20, 21;
    /// [0, 4) step 3 keeps channels 0 and 3; the last axis [1, 2) keeps the odd codes.
    @Test func copiesTheKeptIndices() throws {
        let x: [Int32] = [0, 1, 10, 11, 20, 21, 30, 31]
        for (slice, shape, expected) in [
            (Slice("s", axis: 1, start: 1, end: 3), [1, 2, 2], [10, 11, 20, 21] as [Int32]),
            (Slice("s", axis: 1, start: 0, end: 4, step: 3), [1, 2, 2], [0, 1, 30, 31]),
            (Slice("s", axis: -1, start: 1, end: 2), [1, 4, 1], [1, 11, 21, 31]),
        ] {
            let image = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 4, 2], .int8(scale: 0.1, zeroPoint: 0)).layerSpec, slice.layerSpec,
            ], requantization: .fbgemm(), location: at), options: CompileOptions())
            #expect(image.lowered.output.shape == shape)
            #expect(try Verifier.compile(image.output, model: image.lowered).run(x) == expected)
            #expect(IntegerReference.run(image.lowered, input: x) == expected)
        }
    }

    @Test func anEmptyOrOutsideRangeIsAnError() {
        for (slice, message) in [
            (Slice("s", axis: 1, start: 2, end: 2, file: "model.swift", line: 3),
             "model.swift:3: error: layer 's' (Slice): the range 2..<2 of axis 1 is not inside input 'x', shape [1, 4, 2], or is empty: give 0 ≤ start < end ≤ 4"),
            (Slice("s", axis: 3, start: 0, end: 1, file: "model.swift", line: 3),
             "model.swift:3: error: layer 's' (Slice): axis 3 is out of range for input 'x', shape [1, 4, 2] (rank 3): give -3...2"),
            (Slice("s", axis: 1, start: 0, end: 1, step: 0, file: "model.swift", line: 3),
             "model.swift:3: error: layer 's' (Slice): step 0 is not valid; give a step ≥ 1"),
        ] {
            do {
                _ = try Pipeline.compile(ModelSpec(name: "m", layers: [
                    Input("x", shape: [1, 4, 2], .int8(scale: 0.1, zeroPoint: 0)).layerSpec, slice.layerSpec,
                ], location: at), options: CompileOptions())
                Issue.record("compiled: \(slice)")
            } catch let error as DiagnosticsError {
                #expect(error.errors.map(\.description) == [message])
            } catch {
                Issue.record("unexpected: \(error)")
            }
        }
    }
}

/// PyTorch's quantized mean (torch.mean), whose output keeps the input's quantization.
@Suite struct ATenMeanTests {
    private let at = SourceLocation(file: "model.swift", line: 1)

    /// Contiguous, innermost axes: nearbyint(float(Σ q) / n) over the codes, ties to even:
    /// pairs 1+2, 2+3, 0+1 and 200+201 give 1.5 → 2, 2.5 → 2, 0.5 → 0 and 200.5 → 200.
    @Test func averagesTheCodesOfAContiguousTensor() throws {
        let x: [Int32] = [1, 2, 2, 3, 0, 1, 200, 201]
        let expected: [Int32] = [2, 2, 0, 200]
        for native in [false, true] {
            let image = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 2, 2], .uint8(scale: 0.1, zeroPoint: 7)).layerSpec,
                Mean("m", axes: [3], keepDims: false, output: .uint8(scale: 0.1, zeroPoint: 7), atenOp: .mean).layerSpec,
            ], requantization: .fbgemm(), location: at), options: CompileOptions(floatRequant: native))
            #expect(try Verifier.compile(image.output, model: image.lowered).run(x) == expected)
            #expect(IntegerReference.run(image.lowered, input: x) == expected)
        }
    }

    /// Channels-last, axes [2, 3]: dequantize (q − zp)·s, sum, divide by n, quantize with
    /// float(1/s). With s = 0.5 (exact) the sums are exact and the result is RNE(mean/s) + zp:
    /// channel codes 10, 11, 13, 12 (zp 10) give (0 + 1 + 3 + 2)·0.5/4 = 0.75 → 1.5 → 2 → 12.
    @Test func channelsLastDequantizesAndSums() throws {
        // Channel 1: (−69·3 − 68.5)/4 = −68.875, times 2 = −137.75 → −138, plus 10 is −128.
        let x: [Int32] = [10, 11, 13, 12, -128, -128, -128, -127]
        for native in [false, true] {
            let image = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 2, 2], .int8(scale: 0.5, zeroPoint: 10)).layerSpec,
                Mean("m", axes: [2, 3], keepDims: true, output: .int8(scale: 0.5, zeroPoint: 10), atenOp: .mean, memoryFormats: [.channelsLast]).layerSpec,
            ], requantization: .fbgemm(), location: at), options: CompileOptions(floatRequant: native))
            #expect(try Verifier.compile(image.output, model: image.lowered).run(x) == [12, -128])
            #expect(IntegerReference.run(image.lowered, input: x) == [12, -128])
        }
    }

    @Test func theOutputMustKeepTheInputQuantization() {
        do {
            _ = try Pipeline.compile(ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 3], .uint8(scale: 0.1, zeroPoint: 7)).layerSpec,
                Mean("m", axes: [2], output: .uint8(scale: 0.2, zeroPoint: 7), atenOp: .mean, file: "model.swift", line: 4).layerSpec,
            ], requantization: .fbgemm(), location: at), options: CompileOptions())
            Issue.record("compiled")
        } catch let error as DiagnosticsError {
            #expect(error.errors.map(\.description) == [
                "model.swift:4: error: layer 'm' (Mean): atenOp .mean keeps the input's quantization (PyTorch's quantized mean does), but its output .uint8(scale: 0.2, zeroPoint: 7) differs from that of input 'x', .uint8(scale: 0.1, zeroPoint: 7); give output: .uint8(scale: 0.1, zeroPoint: 7)",
            ])
        } catch {
            Issue.record("unexpected: \(error)")
        }
    }
}
