import Foundation
import QGen
import QGenArithmetic

/// A seeded generator of random models that covers every feature the lowering supports: Linear
/// and Conv2d (kernel, stride, padding, dilation, groups, depthwise), batches, uint8/int8 on
/// both sides, every zero point, float weights under every rule, int8 weights per tensor and per
/// channel with zero points, float/int32/no bias, every activation, every scheme (with the
/// activation types and weight zero points each scheme's stack accepts). Used by the differential
/// tests and by qgen-corpus (the cross-compiler and Cortex-M checks).
public struct RandomModels {
    var rng: SeededGenerator

    /// When true, model `i` uses scheme `i mod 8` (every scheme equally often) instead of a random one.
    public var cycleSchemes = false

    public init(seed: UInt64, cycleSchemes: Bool = false) {
        rng = SeededGenerator(seed: seed)
        self.cycleSchemes = cycleSchemes
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func double(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
    mutating func bool(_ p: Double = 0.5) -> Bool { double(0...1) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
    mutating func logUniform(_ lo: Double, _ hi: Double) -> Double { lo * pow(hi / lo, double(0...1)) }

    /// PyTorch's engines take quint8 activations only.
    var activationType: DType? = nil
    var sameWeightZeroPoints = false
    /// liteRT: per-channel weights are symmetric (LiteRT's per-channel FULLY_CONNECTED ignores zero points).
    var symmetricPerChannelWeights = false
    /// liteRT: Concatenation inputs share the output's quantization.
    var copyingConcatenation = false
    /// liteRT: RELU6 rescales to its own output quantization (TFLite Micro's keeps the input's).
    var rescalingReLU6 = false
    /// The activations an Add may fuse under the scheme (PyTorch: none, ReLU; ONNX Runtime: none).
    var addActivations: [Activation] = [.none, .relu, .relu6]
    /// The activations a Mul may fuse under the scheme (PyTorch: none, ReLU; ONNX Runtime: none).
    var mulActivations: [Activation] = [.none, .relu, .relu6]
    /// fbgemm and qnnpack: Add and Concatenation name their inputs' PyTorch memory formats.
    var pytorchFormats = false
    /// onnxRuntime: its own AvgPool2d (QLinearAveragePool, an output quantization of its own) and Softmax.
    var onnxRuntimeOps = false
    /// The graph's last node: a Softmax there produces int16.
    var wideSoftmax = false

    mutating func quant(_ dtype: DType? = nil, scale: Double) -> QuantParams {
        let type = dtype ?? activationType ?? pick([DType.uint8, .int8])
        let zp = bool(0.3) ? 0 : int(type.range)
        return QuantParams(dtype: type, scale: scale, zeroPoint: zp)
    }

    mutating func activation() -> Activation {
        switch int(0...4) {
        case 0, 1: return .none
        case 2: return .relu
        case 3: return .relu6
        default:
            let lo = double(-3...0.5)
            return .clamp(min: lo, max: lo + double(0.1...4))
        }
    }

    mutating func weights(count: Int, channels: Int) -> (Weights, typicalScale: Double) {
        if bool() {
            let granularity: WeightQuantization.Granularity = pick([.perTensor, .perChannel])
            let symmetric = sameWeightZeroPoints || (symmetricPerChannelWeights && granularity == .perChannel)
            let mode: WeightQuantization.Mode = symmetric ? .symmetric : pick([.symmetric, .affine])
            let rule = WeightQuantization(granularity: granularity, mode: mode, range: pick([.full, .narrow]))
            let spread = logUniform(0.01, 2)
            let values = (0..<count).map { _ in double(-spread...spread) + (rule.mode == .affine ? spread * 0.3 : 0) }
            return (.float(.values(values), rule), spread / 127)
        }
        let perChannel = bool()
        let n = perChannel ? channels : 1
        let scales = (0..<n).map { _ in logUniform(0.001, 0.1) }
        let shared = bool(0.6) ? 0 : int(-20...20)
        let zps = (0..<n).map { _ in symmetricPerChannelWeights && perChannel ? 0 : sameWeightZeroPoints ? shared : bool(0.6) ? 0 : int(-20...20) }
        let values = (0..<count).map { _ in Double(int(-128...127)) }
        return (.int8(.values(values), scales: scales, zeroPoints: zps), scales.reduce(0, +) / Double(n))
    }

    mutating func bias(channels: Int) -> Bias? {
        switch int(0...2) {
        case 0: return nil
        case 1: return .float(.values((0..<channels).map { _ in double(-2...2) }))
        default: return .int32(.values((0..<channels).map { _ in Double(int(-50_000...50_000)) }))
        }
    }

    /// One or two layers after a random input.
    public mutating func model(index: Int) -> ModelSpec {
        let schemes = [Requantization.tflite, .liteRT, .singleRounding, .fbgemm, .fbgemm(saturatingPairs: true), .qnnpack, .onnxRuntime,
                       .powerOfTwo(rounding: pick([.halfUp, .halfAwayFromZero, .halfEven]), tolerance: 0.5),
                       .fixedPoint(multiplierBits: pick([2, 8, 16, 24, 32]), rounding: pick([.halfUp, .halfAwayFromZero, .halfEven]))]
        let scheme = cycleSchemes ? schemes[index % schemes.count] : pick(schemes)
        activationType = ["fbgemm", "fbgemm(saturatingPairs)", "qnnpack"].contains(scheme.name) ? .uint8 : nil
        sameWeightZeroPoints = scheme == .onnxRuntime
        symmetricPerChannelWeights = scheme == .liteRT
        var layers: [LayerSpec] = []
        let conv = bool(0.6)
        var shape: [Int]
        var inScale = logUniform(0.002, 0.1)
        if conv {
            shape = [int(1...2), int(1...6), int(1...9), int(1...9)]
        } else {
            shape = [int(1...3), int(1...40)]
        }
        layers.append(Input("x", shape: shape, quant(scale: inScale)).layerSpec)
        let count = bool(0.25) ? 2 : 1
        for i in 0..<count {
            let name = "layer\(i)"
            if shape.count == 4 && (conv || bool(0.3)) {
                let c = shape[1]
                let depthwise = bool(0.2)
                let groups = depthwise ? c : pick((1...c).filter { c % $0 == 0 })
                let out = depthwise ? c * int(1...2) : groups * int(1...max(1, 6 / groups))
                var k = Size2(int(1...5), int(1...5))
                var dilation = Size2(int(1...2), int(1...2))
                let padding = Size2(int(0...2), int(0...2))
                let stride = Size2(int(1...3), int(1...3))
                // Shrink a kernel that does not fit the padded input along that dimension.
                if dilation.height * (k.height - 1) + 1 > shape[2] + 2 * padding.height { k.height = 1; dilation.height = 1 }
                if dilation.width * (k.width - 1) + 1 > shape[3] + 2 * padding.width { k.width = 1; dilation.width = 1 }
                let extentH = dilation.height * (k.height - 1) + 1, extentW = dilation.width * (k.width - 1) + 1
                let taps = (c / groups) * k.height * k.width
                let (w, ws) = weights(count: out * taps, channels: out)
                let outScale = inScale * ws * 128 * Double(taps).squareRoot() * logUniform(0.05, 4) / 20
                let oq = quant(scale: outScale)
                layers.append(Conv2d(name, outChannels: out, kernel: k, stride: stride, padding: padding, dilation: dilation, groups: groups,
                                     weight: w, bias: bias(channels: out), output: oq, activation: activation()).layerSpec)
                let oh = (shape[2] + 2 * padding.height - extentH) / stride.height + 1
                let ow = (shape[3] + 2 * padding.width - extentW) / stride.width + 1
                shape = [shape[0], out, oh, ow]
                inScale = outScale
            } else {
                if shape.count > 2 {
                    layers.append(Flatten("flat\(i)").layerSpec)
                    shape = [shape[0], shape.dropFirst().reduce(1, *)]
                }
                let k = shape.dropFirst().reduce(1, *)
                let out = int(1...12)
                let (w, ws) = weights(count: out * k, channels: out)
                let outScale = inScale * ws * 128 * Double(k).squareRoot() * logUniform(0.05, 4) / 20
                layers.append(Linear(name, outFeatures: out, weight: w, bias: bias(channels: out), output: quant(scale: outScale), activation: activation()).layerSpec)
                shape = [shape[0], out]
                inScale = outScale
            }
        }
        return ModelSpec(name: "random\(index)", layers: layers, requantization: scheme, location: SourceLocation(file: "random.swift", line: index))
    }
}
