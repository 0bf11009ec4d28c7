import Foundation
import Testing
import QGen
import QGenCompiler

/// Every kind of bad input gets an error that names the layer, the model.swift line, the value and
/// what would be valid. The full texts are asserted.
@Suite struct DiagnosticsTests {
    @Test func zeroNegativeNaNAndInfiniteScales() {
        #expect(errors(spec([input10.layerSpec, linear(output: .uint8(scale: 0, zeroPoint: 0)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear) output: scale must be a finite number > 0, got 0.0"])
        #expect(errors(spec([input10.layerSpec, linear(output: .uint8(scale: -0.1, zeroPoint: 0)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear) output: scale must be a finite number > 0, got -0.1"])
        let nanInput = Input("x", shape: [1, 10], .uint8(scale: .nan, zeroPoint: 0), file: "model.swift", line: 2)
        #expect(errors(spec([nanInput.layerSpec, linear().layerSpec])) ==
                ["model.swift:2: error: input 'x': scale must be a finite number > 0, got nan"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 1, count: 30)), scale: .infinity)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight scale[0] must be a finite number > 0, got inf"])
        // Every stack stores scales as float32 (and the boundary conversions use the reciprocal): the
        // usable range is 1 / FLT_MAX = 2.938736052218037e-39 to FLT_MAX.
        #expect(errors(spec([input10.layerSpec, linear(output: .uint8(scale: 1e-50, zeroPoint: 0)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear) output: scale 1e-50 is outside the scales float32 can hold with their reciprocals (2.938736052218037e-39 to 3.4028234663852886e+38); the stacks store scales as float32"])
        #expect(errors(spec([input10.layerSpec, linear(output: .uint8(scale: 1e100, zeroPoint: 0)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear) output: scale 1e+100 is outside the scales float32 can hold with their reciprocals (2.938736052218037e-39 to 3.4028234663852886e+38); the stacks store scales as float32"])
    }

    @Test func zeroPointsOutsideTheirType() {
        #expect(errors(spec([input10.layerSpec, linear(output: .int8(scale: 0.1, zeroPoint: 200)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear) output: zero point 200 is outside int8 [-128, 127]"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 1, count: 30)), scale: 0.1, zeroPoint: -129)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight zero point[0] = -129 is outside int8 [-128, 127]"])
    }

    @Test func weightValuesAndShapes() {
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 130, count: 30)), scale: 0.1)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): int8 weight[0] = 130.0 is not an integer in [-128, 127]"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .float(.values([1, 2, 3]))).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): 3 weight values given, the layer needs 30 (shape [3, 10], [outFeatures, inFeatures])"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 1, count: 30)), scales: [0.1, 0.2])).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): 2 weight scales given; give 1 (per tensor) or 3 (one per output channel)"])
        #expect(errors(spec([input10.layerSpec, linear(bias: .float([1, 2])).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): 2 bias values given, the layer needs 3 (shape [3], [3])"])
        #expect(errors(spec([input10.layerSpec, linear(bias: .float([1, .infinity, 0])).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): bias[1] is inf; biases must be finite"])
    }

    @Test func inputShapesALayerCannotTake() {
        let conv = Conv2d("conv", outChannels: 2, kernel: 3, weight: .float(.values([])), output: .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(spec([input10.layerSpec, conv.layerSpec])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): needs a [N, C, H, W] input, but input 'x' produces [1, 10]"])
        let big = Conv2d("conv", outChannels: 2, kernel: 5, weight: .float(.values(Array(repeating: 0.1, count: 100))), output: .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(spec([input4x4.layerSpec, big.layerSpec])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): kernel 5 with dilation 1 spans 5×5, larger than the padded input 4×4 (input 'x' produces [1, 2, 4, 4])"])
        let grouped = Conv2d("conv", outChannels: 3, kernel: 1, groups: 2, weight: .float(.values([1, 2, 3])), output: .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 3)
        #expect(errors(spec([input4x4.layerSpec, grouped.layerSpec])) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): groups = 2 must divide both the input channels (2, from input 'x') and outChannels (3)"])
        let badInput = Input("x", shape: [1, 0, 4], .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 2)
        #expect(errors(spec([badInput.layerSpec, linear().layerSpec])) ==
                ["model.swift:2: error: input 'x': shape [1, 0, 4] is not valid; give [N, features] or [N, C, H, W] with every dimension ≥ 1"])
    }

    @Test func multiplierTheSchemeCannotRepresent() {
        let s = spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 1, count: 30)), scale: 1e6), output: .uint8(scale: 1e-6, zeroPoint: 0)).layerSpec])
        #expect(errors(s) == ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·1000000/1e-06 = 2.00000001e+10 is too large for the tflite scheme (it needs < 2^31); with these input and weight scales the output scale must be above 9.31322554e-06"])
        // 2^30 ≤ m < 2^31 fits double rounding's left shift range but not single rounding's.
        let m30 = spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 0, count: 30)), scale: 0x1p30), output: .uint8(scale: 0.02, zeroPoint: 0)).layerSpec])
        #expect(errors(m30, options: CompileOptions(scheme: .singleRounding)) ==
                ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·1.07374182e+09/0.02 = 1.07374182e+09 is too large for the singleRounding scheme (it needs < 2^30); with these input and weight scales the output scale must be above 0.0199999996"])
    }

    @Test func accumulatorThatCouldOverflowInt32() {
        let wide = Input("x", shape: [1, 70000], .uint8(scale: 0.02, zeroPoint: 0), file: "model.swift", line: 2)
        let big = Linear("big", outFeatures: 1, weight: .int8(.values(Array(repeating: 127, count: 70000)), scale: 0.01), output: .uint8(scale: 1000, zeroPoint: 0), file: "model.swift", line: 3)
        // 70000 · 127 · 255 = 2266950000 > 2^31 − 1 (hand computed).
        #expect(errors(spec([wide.layerSpec, big.layerSpec])) ==
                ["model.swift:3: error: layer 'big' (Linear): an accumulator can reach 2266950000 over all inputs, beyond int32 (2147483647): 70000 taps per output, Σ|w − zp_w| up to 8890000, inputs up to 255 in magnitude; split the layer or reduce its fan-in"])
    }

    /// The zero-weight Conv2d of the user story: bias 0.5 with weight scale 2^-23 and input scale
    /// 1/255 is about 0.5 · 255 · 2^23 in int32 units, just under 2^30; bias 1.0 doubles it (a
    /// warning: within a factor 2 of overflow); 1.01 no longer fits int32. Expected values: TFLite's
    /// converter formula `round(float(b) · float(1 / float(s_in · s_w)))` evaluated with numpy
    /// float32 (1069547456, not the exact-arithmetic 1069547520: float(1/255) is not exact).
    @Test func biasThatOverflowsInt32() throws {
        func model(bias: Double) -> ModelSpec {
            spec([Input("x", shape: [1, 5, 7, 7], .quint8(scale: 1.0 / 255, zeroPoint: 0), file: "model.swift", line: 2).layerSpec,
                  Conv2d("conv", outChannels: 2, kernel: 3, weight: .float(.values(Array(repeating: 0, count: 90)), .perChannel(.affine)),
                         bias: .float([bias, bias]), output: .quint8(scale: 0.5 / 255, zeroPoint: 0), file: "model.swift", line: 3).layerSpec])
        }
        let ok = try Pipeline.compile(model(bias: 0.5), options: CompileOptions())
        #expect(ok.lowered.nodes[0].mac!.bias == [1_069_547_456, 1_069_547_456])
        #expect(ok.diagnostics.isEmpty)
        let close = try Pipeline.compile(model(bias: 1.0), options: CompileOptions())
        #expect(close.lowered.nodes[0].mac!.bias == [2_139_094_912, 2_139_094_912])
        #expect(close.diagnostics.map(\.description) == ["model.swift:3: warning: layer 'conv' (Conv2d): the accumulator bound 2139094912 is within a factor of 2 of int32 overflow"])
        #expect(errors(model(bias: 1.01)) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): bias[0] = 1.01 is 2.16048589e+09 in units of s_in·s_w = 4.67487438e-10, beyond int32; the weight scale is too small for this bias"])
    }

    @Test func duplicateNames() {
        #expect(errors(spec([input10.layerSpec, linear(out: 10, line: 3).layerSpec, linear(out: 10, line: 4).layerSpec])) ==
                ["model.swift:4: error: duplicate layer name 'fc' (first used at model.swift:3); every layer needs its own name"])
    }

    @Test func namesThatAreNotValidCIdentifiers() {
        #expect(errors(spec([input10.layerSpec, linear("2fc").layerSpec])) ==
                ["model.swift:3: error: layer name '2fc' cannot become a C identifier: it starts with a digit; rename it, e.g. 'layer_2fc'"])
        #expect(errors(spec([input10.layerSpec, linear("int").layerSpec])) ==
                ["model.swift:3: error: layer name 'int' cannot become a C identifier: 'int' is a C keyword; rename it, e.g. 'int_layer'"])
        #expect(errors(spec([input10.layerSpec, linear("_fc").layerSpec])) ==
                ["model.swift:3: error: layer name '_fc' cannot become a C identifier: names starting with '_' are reserved for the C implementation; rename it, e.g. 'fc'"])
        #expect(errors(spec([input10.layerSpec, linear("qgen_fc").layerSpec])) ==
                ["model.swift:3: error: layer name 'qgen_fc' cannot become a C identifier: names starting with 'qgen' are reserved for qgen's helpers; rename it, e.g. 'layer_fc'"])
        #expect(errors(spec([input10.layerSpec, linear().layerSpec]), options: CompileOptions(prefix: "9lives")) ==
                ["model.swift:1: error: --prefix '9lives' cannot be used as a C prefix: it starts with a digit; choose a name like 'my_model'"])
    }

    @Test func namesThatCollideAfterSanitizing() {
        #expect(errors(spec([input10.layerSpec, linear("a.b", out: 10, line: 3).layerSpec, linear("a_b", out: 10, line: 4).layerSpec])) ==
                ["model.swift:4: error: layer names 'a.b' (model.swift:3) and 'a_b' both become the C identifier 'a_b'; rename one of them"])
        // A layer whose name equals another's generated array name.
        #expect(errors(spec([input10.layerSpec, linear("fc", out: 10, line: 3).layerSpec, linear("fc_bias", out: 10, line: 4).layerSpec])) ==
                ["model.swift:4: error: layer 'fc_bias': its C identifier 'fc_bias' collides with layer 'fc'; rename the layer"])
        // A layer named like the model's API.
        #expect(errors(spec([input10.layerSpec, linear("m_run").layerSpec])) ==
                ["model.swift:3: error: layer 'm_run': its C identifier 'm_run' collides with the model's C API; rename the layer"])
    }

    @Test func missingAndMalformedNpyFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = CompileOptions(baseDirectory: dir)
        #expect(errors(spec([input10.layerSpec, linear(weights: .float(.npy("nope.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight file 'nope.npy': cannot read '\(dir.path)/nope.npy': no such file or directory"])
        try Data("not numpy".utf8).write(to: dir.appendingPathComponent("bad.npy"))
        #expect(errors(spec([input10.layerSpec, linear(weights: .float(.npy("bad.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight file 'bad.npy': 'bad.npy' is not a valid .npy file: missing the \\x93NUMPY magic"])
        let truncated = NpyArray.encode(shape: [3, 10], float32: Array(repeating: 0.5, count: 30)).dropLast(8)
        try Data(truncated).write(to: dir.appendingPathComponent("short.npy"))
        #expect(errors(spec([input10.layerSpec, linear(weights: .float(.npy("short.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight file 'short.npy': 'short.npy' is not a valid .npy file: data is truncated: shape [3, 10] needs 120 bytes, the file has 112"])
        try Data(NpyArray.encode(shape: [10, 3], float32: Array(repeating: 0.5, count: 30))).write(to: dir.appendingPathComponent("t.npy"))
        #expect(errors(spec([input10.layerSpec, linear(weights: .float(.npy("t.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight file 't.npy' has shape [10, 3], the layer needs [3, 10] ([outFeatures, inFeatures])"])
    }

    /// Per-channel scales and zero points from .npy files: read like inline values, checked the same way.
    @Test func scalesAndZeroPointsFromNpyFiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = CompileOptions(baseDirectory: dir)
        func write(_ name: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        try write("s3.npy", NpyArray.encode(shape: [3], float64: [0.01, 0.02, 0.03]))
        try write("z3.npy", NpyArray.encode(shape: [3], int8: [0, 1, -1]))
        try write("s2.npy", NpyArray.encode(shape: [2], float64: [0.01, 0.02]))
        try write("s13.npy", NpyArray.encode(shape: [1, 3], float64: [0.01, 0.02, 0.03]))
        try write("zbad.npy", NpyArray.encode(shape: [3], float64: [0, 0.5, 200]))
        let w = TensorData.values(Array(repeating: 1, count: 30))
        let inline = try Pipeline.compile(spec([input10.layerSpec, linear(weights: .int8(w, scales: [0.01, 0.02, 0.03], zeroPoints: [0, 1, -1])).layerSpec]), options: options)
        let fromFiles = try Pipeline.compile(spec([input10.layerSpec, linear(weights: .int8(w, scales: .npy("s3.npy"), zeroPoints: .npy("z3.npy"))).layerSpec]), options: options)
        #expect(fromFiles.output.source == inline.output.source)
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(w, scales: .npy("s2.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): 2 weight scales given; give 1 (per tensor) or 3 (one per output channel)"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(w, scales: .npy("s13.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight scale file 's13.npy' has shape [1, 3]; give one dimension (one value per output channel, or one value)"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(w, scales: .npy("s3.npy"), zeroPoints: .npy("zbad.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight zero point[1] = 0.5 is not an integer"])
        #expect(errors(spec([input10.layerSpec, linear(weights: .int8(w, scales: .npy("missing.npy"))).layerSpec]), options: options) ==
                ["model.swift:3: error: layer 'fc' (Linear): weight scale file 'missing.npy': cannot read '\(dir.path)/missing.npy': no such file or directory"])
    }

    @Test func activationsWithNoRepresentableOutput() {
        #expect(errors(spec([input10.layerSpec, linear(output: .uint8(scale: 0.05, zeroPoint: 0), activation: .clamp(min: 20, max: 30)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): activation clamp(20.0, 30.0) leaves no representable output value with output scale 0.05 and zero point 0 (clamp [400, 255])"])
        #expect(errors(spec([input10.layerSpec, linear(activation: .clamp(min: 1, max: -1)).layerSpec])) ==
                ["model.swift:3: error: layer 'fc' (Linear): clamp(min: 1.0, max: -1.0) needs finite bounds with min < max"])
    }

    @Test func modelStructure() {
        #expect(errors(spec([linear().layerSpec])) == ["model.swift:1: error: model 'm' must start with an Input(…)"])
        #expect(errors(spec([input10.layerSpec])) == ["model.swift:1: error: model 'm' has no layers after its Input"])
        #expect(errors(spec([input10.layerSpec, linear().layerSpec], requantization: Requantization(name: "fbgem"))) ==
                ["model.swift:1: error: model 'm': 'fbgem' is not a requantization scheme: unknown scheme 'fbgem'; the schemes are tflite, liteRT, singleRounding, fbgemm, fbgemm(saturatingPairs), fbgemm(avx512), fbgemm(saturatingPairs,avx512), qnnpack, onnxRuntime, powerOfTwo, powerOfTwo(rounding:R,tolerance:T), fixedPoint(multiplierBits:B,rounding:R) with R one of halfUp, halfAwayFromZero, halfEven and 2 <= B <= 32"])
    }

    @Test func tinyMultipliersAreFlushedWithAWarning() throws {
        let s = spec([input10.layerSpec, linear(weights: .int8(.values(Array(repeating: 1, count: 30)), scale: 1e-9), output: .uint8(scale: 100, zeroPoint: 7)).layerSpec])
        let result = try Pipeline.compile(s, options: CompileOptions())
        // double(float(0.02f · 1e-9f)) / double(100f), per-tensor Linear formula (numpy float32).
        #expect(result.diagnostics.map(\.description) == ["model.swift:3: warning: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·1e-09/100 = 1.99999982e-13 is below 2^-32 and is flushed to 0: the output is constant"])
        #expect(result.lowered.nodes[0].mac!.requantizer.multipliers.map(\.mantissa) == [0])
        #expect(result.lowered.nodes[0].mac!.requantizer.multipliers[0].isFlushedToZero)
    }

    @Test func schemesRefuseLayersTheirStackCannotRun() {
        let int8Input = Input("x", shape: [1, 10], .int8(scale: 0.02, zeroPoint: 0), file: "model.swift", line: 2)
        #expect(errors(spec([int8Input.layerSpec, linear(output: .int8(scale: 0.05, zeroPoint: 0)).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 'fc' (Linear): PyTorch's fbgemm engine takes and produces quint8 (uint8) activations, but this layer has int8 input and int8 output; use uint8 activations, or the onnxRuntime or tflite scheme for int8"])
        #expect(errors(spec([int8Input.layerSpec, linear().layerSpec], requantization: .qnnpack)) ==
                ["model.swift:3: error: layer 'fc' (Linear): PyTorch's qnnpack engine takes and produces quint8 (uint8) activations, but this layer has int8 input and uint8 output; use uint8 activations, or the onnxRuntime or tflite scheme for int8"])
        let conv = Conv2d("conv", outChannels: 1, kernel: 1, weight: .float([0.5, 0.25]), output: .uint8(scale: 0.1, zeroPoint: 0), file: "model.swift", line: 3)
        let nhwc = Input("x", shape: [1, 4, 4, 2], layout: .nhwc, .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)
        #expect(errors(spec([nhwc.layerSpec, conv.layerSpec], requantization: .fbgemm(saturatingPairs: true))) ==
                ["model.swift:3: error: layer 'conv' (Conv2d): fbgemm(saturatingPairs) models PyTorch's convolutions on NCHW input; this one reads NHWC (a TFLite layout): use NCHW input and OIHW weights, or the fbgemm scheme"])
        let twoZeroPoints = linear(out: 2, weights: .int8(.values(Array(repeating: 3, count: 20)), scales: [0.01, 0.02], zeroPoints: [0, 1]))
        #expect(errors(spec([input10.layerSpec, twoZeroPoints.layerSpec], requantization: .onnxRuntime)) ==
                ["model.swift:3: error: layer 'fc' (Linear): ONNX Runtime requires one weight zero point for all channels (QLinearConv), but this layer has [0, 1]; use symmetric per-channel weights"])
    }

    @Test func memoryFormatsAndPyTorchsMul() {
        let x = Input("x", shape: [1, 2, 3, 3], .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)
        let v = Input("v", shape: [1, 18], .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)
        let q = QuantParams.uint8(scale: 0.05, zeroPoint: 3)
        #expect(errors(spec([x.layerSpec, Add("s", "x", "x", output: q, memoryFormats: [.channelsLast], file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 's' (Add): 1 memory formats for 2 inputs; give one per input, or none (all contiguous)"])
        #expect(errors(spec([v.layerSpec, Concatenation("c", ["v", "v"], axis: 1, output: q, memoryFormats: [.channelsLast, .contiguous], file: "model.swift", line: 3).layerSpec],
                            requantization: .qnnpack)) ==
                ["model.swift:3: error: layer 'c' (Concatenation): input 'v' (shape [1, 18], no layout) is named channels-last, but PyTorch's channels-last tensors are 4-D and qgen holds them as NCHW; name it .contiguous"])
        #expect(errors(spec([x.layerSpec, Mul("m", "x", "x", output: q, activation: .relu6, file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 'm' (Mul): PyTorch's quantized mul fuses only ReLU (mul_relu), but this layer has relu6; use activation .none or .relu"])
        let gate = Input("g", shape: [1, 3, 1, 1], .uint8(scale: 0.02, zeroPoint: 0), file: "model.swift", line: 2)
        #expect(errors(spec([x.layerSpec, gate.layerSpec, Mul("m", "g", "x", output: q, file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 'm' (Mul): its inputs input 'g' [1, 3, 1, 1] and input 'x' [1, 2, 3, 3] do not broadcast; Mul takes two tensors of one rank whose every axis is equal or 1 in one of them"])
        #expect(errors(spec([x.layerSpec, Mul("m", "x", "x", output: .uint8(scale: 1e-9, zeroPoint: 3), file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) ==
                ["model.swift:3: error: layer 'm' (Mul): s_a·s_b/s_out = 400000.0 is too large: products reach 2.601e+10 output steps (the limit is 2^30); choose a larger output scale"])
    }

    @Test func pytorchActivationsRefuseWhatPyTorchCannotMatch() {
        let x = Input("x", shape: [1, 2, 3, 3], .uint8(scale: 0.02, zeroPoint: 128), file: "model.swift", line: 2)
        let other = QuantParams.uint8(scale: 0.05, zeroPoint: 3)
        #expect(errors(spec([x.layerSpec, ReLU("r", output: other, file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 'r' (ReLU): PyTorch's quantized relu keeps the input's quantization (scale 0.02, zero point 128), but the output is scale 0.05, zero point 3; leave output: out"])
        #expect(errors(spec([x.layerSpec, HardSigmoid("h", output: other, file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) ==
                ["model.swift:3: error: layer 'h' (HardSigmoid): PyTorch's quantized hardsigmoid produces scale 1/256 with zero point 0 for uint8, not scale 0.05 with zero point 3; leave output: out"])
        #expect(errors(spec([x.layerSpec, HardSigmoid("h", file: "model.swift", line: 3).layerSpec], requantization: .tflite)) ==
                ["model.swift:3: error: layer 'h' (HardSigmoid): HardSigmoid is PyTorch's quantized hardsigmoid; TFLite and ONNX Runtime have no such integer op, so the tflite scheme cannot run it (use fbgemm or qnnpack)"])
        #expect(errors(spec([x.layerSpec, Tanh("t", output: .uint8(scale: 1.0 / 128, zeroPoint: 127), file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 't' (Tanh): PyTorch's quantized tanh produces scale 2/256 with zero point 128 for uint8, not scale 0.0078125 with zero point 127; leave output: out"])
        #expect(errors(spec([x.layerSpec, Tanh("t", file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) == [])
        // uint8's default outputs are PyTorch's fixed ones (sigmoid 1/256 and 0), which its lowering checks.
        #expect(errors(spec([x.layerSpec, Logistic("s", file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) == [])
        // Only Mean models ATen on strided views.
        #expect(errors(spec([x.layerSpec, ReLU("r", memoryFormats: [.strided], file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 'r' (ReLU): memory format .strided is modelled for Mean only; make the input contiguous (.contiguous() in the model) and name it .contiguous"])
        #expect(errors(spec([x.layerSpec, Logistic("s", output: other, file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 's' (Logistic): PyTorch's quantized sigmoid produces scale 1/256 with zero point 0 for uint8, not scale 0.05 with zero point 3; leave output: out"])
        #expect(errors(spec([x.layerSpec, ReLU6("r6", memoryFormats: [.channelsLast], file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) ==
                ["model.swift:3: error: layer 'r6' (ReLU6): PyTorch's qnnpack relu6 (hardtanh) on a channels-last quint8 tensor returns its values in the wrong order (the clamped NHWC buffer labelled NCHW), which qgen does not reproduce; call .contiguous() on the input before ReLU6 in the model, use ReLU, or convert under fbgemm"])
        #expect(errors(spec([x.layerSpec, ReLU6("r6", memoryFormats: [.channelsLast], file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) == [])
        // Softmax: QNNPACK's integer softmax under qnnpack (uint8, output 1/256 and 0); ATen's float path otherwise.
        #expect(errors(spec([x.layerSpec, Softmax("s", output: .uint8(scale: 1.0 / 256, zeroPoint: 0), file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) == [])
        #expect(errors(spec([x.layerSpec, Softmax("s", output: .uint8(scale: 1.0 / 256, zeroPoint: 0), file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) == [])
        #expect(errors(spec([x.layerSpec, Softmax("s", output: .uint8(scale: 0.01, zeroPoint: 3), file: "model.swift", line: 3).layerSpec], requantization: .qnnpack)) == [])
        #expect(errors(spec([x.layerSpec, Softmax("s", beta: 2, file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 's' (Softmax): beta is 2.0; PyTorch's softmax has no beta (give 1)"])
        #expect(errors(spec([x.layerSpec, Softmax("s", output: .uint8(scale: 1e-10, zeroPoint: 0), file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 's' (Softmax): output scale 1e-10 is below 2^-30; a probability times 1/scale would not fit the int32 PyTorch rounds it to"])
        #expect(errors(spec([x.layerSpec, Softmax("s", output: .int8(scale: 1.0 / 256, zeroPoint: -128), file: "model.swift", line: 3).layerSpec], requantization: .fbgemm)) ==
                ["model.swift:3: error: layer 's' (Softmax): PyTorch's quantized softmax keeps the input's type (uint8), not int8"])
    }

    @Test func multipliersTheAcceleratorSchemesCannotHold() {
        // m = 0.02 · 0.01 / 0.05 with float32 scales = 0.00399999976 (numpy), 2.34374418% above 2^-8.
        let layer = linear(weights: .int8(.values(Array(repeating: 3, count: 30)), scale: 0.01), output: .uint8(scale: 0.05, zeroPoint: 10))
        #expect(errors(spec([input10.layerSpec, layer.layerSpec], requantization: .powerOfTwo)) ==
                ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·0.01/0.05 = 0.00399999976 is 2.34374418% from the nearest power of two 2^-8, beyond the powerOfTwo tolerance 0.390625%; set the output scale to 0.0511999977, which makes every multiplier a power of two within the tolerance, or use fixedPoint(multiplierBits:…)"])
        #expect(errors(spec([input10.layerSpec, layer.layerSpec], requantization: .powerOfTwo(rounding: .halfUp, tolerance: 0.03))) == [])
        // m = 0.02 · 0.01 / 0.000001 = 200 needs 9 integer bits: too many for an 8-bit multiplier with right shifts only.
        let large = linear(weights: .int8(.values(Array(repeating: 0, count: 30)), scale: 0.01), output: .uint8(scale: 0.000001, zeroPoint: 10))
        // m = 200 is nearest to 2^8, a left shift: powerOfTwo only shifts right.
        #expect(errors(spec([input10.layerSpec, large.layerSpec], requantization: .powerOfTwo(rounding: .halfUp, tolerance: 0.5))) ==
                ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·0.01/1e-06 = 199.999992 is nearest to 2^8, outside the powerOfTwo scheme's right shifts 0...62; with these input and weight scales the output scale must be above 0.000199999991"])
        #expect(errors(spec([input10.layerSpec, large.layerSpec], requantization: .fixedPoint(multiplierBits: 8, rounding: .halfEven))) ==
                ["model.swift:3: error: layer 'fc' (Linear): multiplier s_in·s_w/s_out = 0.02·0.01/1e-06 = 199.999992 needs 9 bits, more than fixedPoint's 8-bit multiplier with a right shift can hold; use more multiplierBits, or with these input and weight scales the output scale must be above 1.56249993e-06"])
    }

    @Test func floatRequantOnlyForFloatSchemes() {
        #expect(errors(spec([input10.layerSpec, linear().layerSpec]), options: CompileOptions(floatRequant: true)) ==
                ["model.swift:1: error: model 'm': --float-requant applies to the float32 schemes (fbgemm, qnnpack, onnxRuntime); tflite is integer arithmetic already"])
        #expect(errors(spec([input10.layerSpec, linear().layerSpec], requantization: .qnnpack), options: CompileOptions(floatRequant: true)) == [])
    }
}
