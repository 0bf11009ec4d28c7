import QGen
import QGenArithmetic

/// Seeded random graphs of every op qgen has, on NCHW or NHWC activations: a chain of 2–7 nodes in
/// which Add and Concatenation reach back to an earlier tensor (a branch). Each scheme gets the ops
/// its stack has (the float32 schemes: multiply-accumulate, max pooling, means, adds, muls, reshapes
/// and concatenations, on NCHW for fbgemm(saturatingPairs), PyTorch's with random memory formats;
/// liteRT: copying concatenations, rescaling ReLU6).
/// Used by the differential tests and qgen-corpus.
extension RandomModels {
    /// A tensor the generator can build on: its name, shape, layout and quantization.
    struct Tensor {
        var name: String
        var shape: [Int]
        var layout: Layout?
        var quant: QuantParams
    }

    public mutating func graph(index: Int) -> ModelSpec {
        let schemes = [Requantization.tflite, .liteRT, .singleRounding, .fbgemm, .fbgemm(saturatingPairs: true), .qnnpack, .onnxRuntime,
                       .powerOfTwo(rounding: pick([.halfUp, .halfAwayFromZero, .halfEven]), tolerance: 0.5),
                       .fixedPoint(multiplierBits: pick([8, 16, 24, 32]), rounding: pick([.halfUp, .halfAwayFromZero, .halfEven]))]
        let scheme = cycleSchemes ? schemes[index % schemes.count] : pick(schemes)
        let float32 = ["fbgemm", "fbgemm(saturatingPairs)", "qnnpack", "onnxRuntime"].contains(scheme.name)
        let nchwOnly = scheme.name == "fbgemm(saturatingPairs)"
        activationType = ["fbgemm", "fbgemm(saturatingPairs)", "qnnpack"].contains(scheme.name) ? .uint8 : pick([.int8, .uint8])
        sameWeightZeroPoints = scheme == .onnxRuntime
        symmetricPerChannelWeights = scheme == .liteRT
        copyingConcatenation = scheme == .liteRT
        pytorchFormats = ["fbgemm", "fbgemm(saturatingPairs)", "qnnpack"].contains(scheme.name)
        onnxRuntimeOps = scheme == .onnxRuntime
        mulActivations = scheme == .onnxRuntime ? [.none] : pytorchFormats ? [.none, .relu] : [.none, .relu, .relu6]
        rescalingReLU6 = scheme == .liteRT
        addActivations = scheme == .onnxRuntime ? [.none] : ["fbgemm", "fbgemm(saturatingPairs)", "qnnpack"].contains(scheme.name) ? [.none, .relu] : [.none, .relu, .relu6]
        let layout: Layout = nchwOnly || bool() ? .nchw : .nhwc
        let (c, h, w) = (int(1...5), int(2...8), int(2...8))
        let shape = layout == .nhwc ? [1, h, w, c] : [int(1...2), c, h, w]
        var layers: [LayerSpec] = [Input("x", shape: shape, layout: layout, quant(scale: logUniform(0.005, 0.1))).layerSpec]
        var tensors = [Tensor(name: "x", shape: shape, layout: shape.count == 4 ? layout : nil, quant: (layers[0].op as! Input).quant)]
        let length = int(2...7)
        for i in 0..<length {
            let current = tensors.last!
            let name = "n\(i)"
            var options: [String] = current.shape.count == 4 ? ["conv", "depthwise", "maxpool", "concat", "pad"] : ["linear"]
            if !float32 && current.shape.count == 4 { options += ["avgpool", "sub", "mul", "quantize"] }
            if !float32 && current.shape.count == 2 { options += ["sub", "mul", "quantize"] }
            if float32 { options += ["mul"] }
            options += current.shape.count == 4 ? ["mean", "add"] : ["add"]
            if current.shape.count == 4 { options += ["flatten"] }
            if ["tflite", "liteRT", "singleRounding"].contains(scheme.name) && current.quant.dtype == .int8 {
                options += ["softmax", "logistic", "tanh", "relu", "relu6", "leakyRelu", "hardSwish"]
            }
            if pytorchFormats { options += ["relu", "relu6", "leakyRelu", "hardSwish", "hardSigmoid"] }
            if (pytorchFormats || onnxRuntimeOps) && current.shape.count == 4 { options += ["avgpool"] }
            // ONNX Runtime's softmax over rows long enough for TFLite's output scale (floor(256) < 148 · D).
            if onnxRuntimeOps && (current.shape.last ?? 0) >= 2 { options += ["softmax"] }
            if i == length - 1 && current.shape.count == 4 && bool(0.5) { options = ["flatten"] }
            let choice = pick(options)
            // A last Softmax on [N, F] may produce TFLite's int16 output (it stays the model output).
            wideSoftmax = i == length - 1 && current.shape.count == 2 && bool(0.4)
            let next = node(choice, name: name, on: current, earlier: tensors, uniformQuant: float32)
            layers.append(next.layer)
            tensors.append(next.tensor)
        }
        if tensors.last!.shape.count == 4 && bool(0.5) {
            let flat = node("flatten", name: "flat", on: tensors.last!, earlier: tensors, uniformQuant: float32)
            layers.append(flat.layer)
            tensors.append(flat.tensor)
            let fc = node("linear", name: "fc", on: tensors.last!, earlier: tensors, uniformQuant: float32)
            layers.append(fc.layer)
        }
        return ModelSpec(name: "graph\(index)", layers: layers, requantization: scheme, location: SourceLocation(file: "graph.swift", line: index))
    }

    /// PyTorch's avg_pool2d with its options (explicit padding at most half the kernel, ceil mode,
    /// count_include_pad, a divisor override, the input's memory format; a 1x1 kernel only in ceil
    /// mode, since QNNPACK refuses it), or ONNX Runtime's QLinearAveragePool (ceil mode, count_include_pad and
    /// `output`).
    private mutating func frameworkAveragePool(_ name: String, on current: Tensor, height: Int, width: Int, channels: Int,
                                               output: QuantParams) -> (layer: LayerSpec, tensor: Tensor) {
        var k = Size2(int(1...min(4, height)), int(1...min(4, width)))
        if k.height * k.width == 1 { k = Size2(min(2, height), min(2, width)) }
        let stride = Size2(int(1...3), int(1...3)), pad = Size2(int(0...(k.height / 2)), int(0...(k.width / 2)))
        // A 1x1 window (a 1x1 input) in ceil mode takes ATen's kernel, which QNNPACK's refusal does not reach.
        let ceil = bool(0.3) || k.height * k.width == 1
        // PyTorch's pooling_output_shape.
        func outputs(_ input: Int, _ kernel: Int, _ stride: Int, _ pad: Int) -> Int {
            let span = input + 2 * pad - kernel
            guard ceil else { return span / stride + 1 }
            let count = (span + stride - 1) / stride + 1
            return (count - 1) * stride >= input + pad ? count - 1 : count
        }
        let rows = outputs(height, k.height, stride.height, pad.height), columns = outputs(width, k.width, stride.width, pad.width)
        let pool = onnxRuntimeOps
            ? AvgPool2d(name, kernel: k, stride: stride, padding: Padding(pad), ceilMode: ceil, countIncludePad: bool(0.5), output: output)
            : AvgPool2d(name, kernel: k, stride: stride, padding: Padding(pad), ceilMode: ceil, countIncludePad: bool(0.6),
                        divisor: bool(0.2) ? int(1...20) : nil, memoryFormats: memoryFormats(1, current))
        let shape = current.layout == .nhwc ? [current.shape[0], rows, columns, channels] : [current.shape[0], channels, rows, columns]
        return (pool.layerSpec, Tensor(name: name, shape: shape, layout: current.layout, quant: onnxRuntimeOps ? output : current.quant))
    }

    /// Under fbgemm and qnnpack, random PyTorch memory formats for `count` inputs shaped like `t`
    /// (none, all channels-last, or mixed) when it is 4-D NCHW; otherwise none.
    private mutating func memoryFormats(_ count: Int, _ t: Tensor) -> [MemoryFormat] {
        guard pytorchFormats && t.shape.count == 4 && t.layout == .nchw else { return [] }
        let mixed = (0..<count).map { $0 == 0 ? MemoryFormat.contiguous : .channelsLast }
        return pick([[], [MemoryFormat](repeating: .channelsLast, count: count)] + (count > 1 ? [mixed] : []))
    }

    /// No bias or an int32 one (random float biases with random weight scales often leave int32,
    /// which the layer tests cover).
    private mutating func graphBias(_ channels: Int) -> Bias? {
        bool() ? nil : .int32(.values((0..<channels).map { _ in Double(int(-5_000...5_000)) }))
    }

    /// One node of kind `choice` reading `current` (and, for Add and Concatenation, an earlier
    /// tensor of a fitting shape, or `current` itself).
    private mutating func node(_ choice: String, name: String, on current: Tensor, earlier: [Tensor], uniformQuant: Bool) -> (layer: LayerSpec, tensor: Tensor) {
        let nhwc = current.layout == .nhwc
        let s = current.shape
        let channels = s.count == 4 ? (nhwc ? s[3] : s[1]) : s.last!
        let (height, width) = s.count == 4 ? (nhwc ? (s[1], s[2]) : (s[2], s[3])) : (1, 1)
        func image(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> [Int] { nhwc ? [n, h, w, c] : [n, c, h, w] }
        func output(_ scale: Double) -> QuantParams { quant(current.quant.dtype, scale: scale) }
        let relatedScale = current.quant.scale * logUniform(0.3, 3)
        switch choice {
        case "conv", "depthwise":
            let depthwise = choice == "depthwise"
            let k = Size2(int(1...min(3, height)), int(1...min(3, width)))
            let stride = Size2(int(1...2), int(1...2))
            let same = bool()
            let multiplier = depthwise ? int(1...2) : 1
            let out = depthwise ? channels * multiplier : int(1...6)
            let taps = (depthwise ? 1 : channels) * k.height * k.width
            let (wts, ws) = weights(count: out * taps, channels: out)
            let scale = current.quant.scale * ws * 128 * Double(taps).squareRoot() * logUniform(0.05, 4) / 20
            let padding: Padding = same ? .same : Padding(Size2(int(0...(k.height - 1)), int(0...(k.width - 1))))
            func axis(_ input: Int, _ kernel: Int, _ stride: Int, _ pad: Int?) -> Int {
                pad.map { (input + 2 * $0 - kernel) / stride + 1 } ?? (input + stride - 1) / stride
            }
            let oh = axis(height, k.height, stride.height, padding.size?.height), ow = axis(width, k.width, stride.width, padding.size?.width)
            let q = output(scale)
            let layer: LayerSpec = depthwise
                ? DepthwiseConv2d(name, kernel: k, depthMultiplier: multiplier, stride: stride, padding: padding, weight: wts,
                                  bias: graphBias(out), output: q, activation: pick([.none, .relu, .relu6])).layerSpec
                : Conv2d(name, outChannels: out, kernel: k, stride: stride, padding: padding, weight: wts, bias: graphBias(out),
                         output: q, activation: pick([.none, .relu, .relu6])).layerSpec
            return (layer, Tensor(name: name, shape: image(s[0], out, oh, ow), layout: current.layout, quant: q))
        case "maxpool", "avgpool":
            let k = Size2(int(1...min(3, height)), int(1...min(3, width)))
            let stride = Size2(int(1...2), int(1...2))
            let same = bool()
            let oh = same ? (height + stride.height - 1) / stride.height : (height - k.height) / stride.height + 1
            let ow = same ? (width + stride.width - 1) / stride.width : (width - k.width) / stride.width + 1
            let act: Activation = uniformQuant ? .none : pick([.none, .relu])
            if choice == "avgpool" && (pytorchFormats || onnxRuntimeOps) {
                return frameworkAveragePool(name, on: current, height: height, width: width, channels: channels, output: output(relatedScale))
            }
            let pool = choice == "maxpool"
                ? MaxPool2d(name, kernel: k, stride: stride, padding: same ? .same : .valid, activation: act)
                : AvgPool2d(name, kernel: k, stride: stride, padding: same ? .same : .valid, activation: act)
            return (pool.layerSpec, Tensor(name: name, shape: image(s[0], channels, oh, ow), layout: current.layout, quant: current.quant))
        case "mean":
            let q = output(relatedScale)
            let keep = bool()
            let axes = nhwc ? [1, 2] : [2, 3]
            let shape = keep ? image(s[0], channels, 1, 1) : [s[0], channels]
            return (Mean(name, axes: axes, keepDims: keep, output: q).layerSpec, Tensor(name: name, shape: shape, layout: keep ? current.layout : nil, quant: q))
        case "add", "sub", "mul":
            let partner = pick(earlier.filter { $0.shape == current.shape && $0.layout == current.layout && $0.quant.dtype == current.quant.dtype })
            let act: Activation = pick(choice == "add" ? addActivations : choice == "mul" ? mulActivations : [.none, .relu, .relu6])
            let formats = memoryFormats(2, current)
            let layer: LayerSpec, q: QuantParams
            switch choice {
            case "add":
                q = output(max(current.quant.scale, partner.quant.scale) * logUniform(0.8, 3))
                layer = Add(name, current.name, partner.name, output: q, activation: act, memoryFormats: formats).layerSpec
            case "sub":
                q = output(max(current.quant.scale, partner.quant.scale) * logUniform(0.8, 3))
                layer = Sub(name, current.name, partner.name, output: q, activation: act).layerSpec
            default:
                q = output(current.quant.scale * partner.quant.scale * 128 * logUniform(0.5, 2))
                layer = Mul(name, current.name, partner.name, output: q, activation: act).layerSpec
            }
            return (layer, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
        case "concat":
            let axis = nhwc ? 3 : 1
            let fits = earlier.filter { t in
                t.shape.count == 4 && t.layout == current.layout && t.quant.dtype == current.quant.dtype
                    && t.shape.indices.allSatisfy { $0 == axis || t.shape[$0] == current.shape[$0] }
                    && (!copyingConcatenation || t.quant == current.quant)
            }
            let partner = pick(fits)
            var shape = current.shape
            shape[axis] += partner.shape[axis]
            let q = copyingConcatenation ? current.quant : bool() ? current.quant : output(relatedScale)
            let requantizes = partner.quant != q || current.quant != q
            return (Concatenation(name, [current.name, partner.name], axis: axis, output: requantizes || bool() ? q : nil,
                                  memoryFormats: memoryFormats(2, current)).layerSpec,
                    Tensor(name: name, shape: shape, layout: current.layout, quant: q))
        case "quantize":
            let q = quant(pick([DType.int8, .uint8]), scale: relatedScale)
            return (Quantize(name, output: q).layerSpec, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
        case "softmax":
            if onnxRuntimeOps {
                let t = current.quant.dtype
                let q = QuantParams(dtype: t, scale: 1.0 / 256, zeroPoint: t == .int8 ? -128 : 0)
                return (Softmax(name, output: q).layerSpec, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
            }
            let q = wideSoftmax ? QuantParams.int16(scale: 1.0 / 65536, zeroPoint: -32768) : QuantParams(dtype: .int8, scale: 1.0 / 256, zeroPoint: -128)
            return (Softmax(name, beta: pick([1, 0.5, 2]), output: wideSoftmax ? q : nil).layerSpec,
                    Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
        case "relu", "relu6", "leakyRelu", "hardSwish", "hardSigmoid":
            if pytorchFormats {
                // PyTorch's: ReLU and ReLU6 keep the input's quantization, HardSigmoid has its own.
                let t = current.quant.dtype
                let q = ["relu", "relu6"].contains(choice) ? current.quant
                    : choice == "hardSigmoid" ? QuantParams(dtype: t, scale: 1.0 / 256, zeroPoint: t == .int8 ? -128 : 0) : output(relatedScale)
                // qnnpack's own ReLU6 on channels-last uint8 permutes its result (refused), so contiguous there.
                let formats = choice == "relu6" ? [] : memoryFormats(1, current)
                let op = choice == "relu" ? ReLU(name, output: q, memoryFormats: formats) : choice == "relu6" ? ReLU6(name, output: q)
                    : choice == "hardSwish" ? HardSwish(name, output: q, memoryFormats: formats)
                    : choice == "hardSigmoid" ? HardSigmoid(name, output: q, memoryFormats: formats)
                    : LeakyReLU(name, alpha: pick([0.01, 0.2, 0.5]), output: q, memoryFormats: formats)
                return (op.layerSpec, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
            }
            let q = choice == "relu6" && !rescalingReLU6 ? current.quant : QuantParams(dtype: .int8, scale: relatedScale, zeroPoint: int(-128...0))
            let op = choice == "relu" ? ReLU(name, output: q) : choice == "relu6" ? ReLU6(name, output: q)
                : choice == "hardSwish" ? HardSwish(name, output: q) : LeakyReLU(name, alpha: pick([0.01, 0.2, 0.5]), output: q)
            return (op.layerSpec, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
        case "logistic", "tanh":
            let q = choice == "logistic" ? QuantParams(dtype: .int8, scale: 1.0 / 256, zeroPoint: -128) : QuantParams(dtype: .int8, scale: 1.0 / 128, zeroPoint: 0)
            let op = choice == "logistic" ? Logistic(name) : Tanh(name)
            return (op.layerSpec, Tensor(name: name, shape: current.shape, layout: current.layout, quant: q))
        case "pad":
            var padding = Array(repeating: [0, 0], count: 4)
            let (hAxis, wAxis) = nhwc ? (1, 2) : (2, 3)
            padding[hAxis] = [int(0...2), int(0...2)]
            padding[wAxis] = [int(0...2), int(0...2)]
            let shape = zip(s, padding).map { $0 + $1[0] + $1[1] }
            return (Pad(name, padding: padding).layerSpec, Tensor(name: name, shape: shape, layout: current.layout, quant: current.quant))
        case "flatten":
            let shape = [s[0], s.dropFirst().reduce(1, *)]
            return (Flatten(name).layerSpec, Tensor(name: name, shape: shape, layout: nil, quant: current.quant))
        default:   // linear
            let k = s.last!
            let out = int(1...10)
            let (wts, ws) = weights(count: out * k, channels: out)
            let scale = current.quant.scale * ws * 128 * Double(k).squareRoot() * logUniform(0.05, 4) / 20
            let q = output(scale)
            return (Linear(name, outFeatures: out, weight: wts, bias: graphBias(out), output: q, activation: pick([.none, .relu, .relu6])).layerSpec,
                    Tensor(name: name, shape: Array(s.dropLast()) + [out], layout: s.count == 4 ? current.layout : nil, quant: q))
        }
    }
}
