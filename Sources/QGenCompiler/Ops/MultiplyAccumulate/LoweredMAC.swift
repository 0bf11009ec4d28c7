import QGen
import QGenArithmetic

/// A multiply-accumulate op (Linear, Conv2d) after lowering: integers only.
public struct LoweredMAC: Equatable, Codable, Sendable {
    public var geometry: MACGeometry
    public var inputZeroPoint: Int32
    /// int8 weights in the layout of `geometry.weightShape`.
    public var weights: [Int8]
    /// One per output channel, or one for the whole tensor.
    public var weightZeroPoints: [Int32]
    public var hasBias: Bool
    /// int32 bias per output channel in units of `s_in · s_w[c]` (zeros without a bias).
    public var bias: [Int32]
    /// `bias[c] − zp_in · Σ_k (w[c][k] − zp_w[c])`: what the C kernel starts each accumulator at,
    /// so that it can sum raw `x · (w − zp_w)` products (padding taps read `zp_in`).
    public var foldedBias: [Int32]
    /// The output stage: multipliers per channel (or per tensor), output zero point, clamp.
    public var requantizer: Requantizer
    /// The proven bound on |accumulator| (and every partial sum) over all possible inputs.
    public var accumulatorBound: Int64

    /// Whether scales (and so multipliers) are per output channel; otherwise one for the tensor.
    public var isPerChannel: Bool { requantizer.isPerChannel }
    public var hasWeightZeroPoint: Bool { weightZeroPoints.contains { $0 != 0 } }

    func weightZeroPoint(_ c: Int) -> Int32 { weightZeroPoints[weightZeroPoints.count > 1 ? c : 0] }
}

/// The real-valued parameters of a multiply-accumulate node.
public struct RealMAC: Equatable, Sendable {
    public var weightScales: [Double]
    public var weightZeroPoints: [Int]
    /// Real bias per output channel (an int32 bias times `s_in · s_w[c]`).
    public var bias: [Double]
    public var activation: Activation
    /// The weights as given, before quantization (`.float` weights only), in the int8 weights' order.
    public var floatWeights: [Double]?
    /// The bias as given (a float bias only; nil for an int32 bias or none).
    public var floatBias: [Double]?
}

// MARK: - The references

extension LoweredMAC: LoweredKernel {
    /// The executable specification, written from the mathematical definition:
    ///
    ///     acc[c] = bias[c] + Σ_taps (x − zp_in) · (w − zp_w[c])     (padding taps contribute 0)
    ///     y      = requantizer(acc, c)
    ///
    /// while the C starts from the folded bias and sums `x · (w − zp_w)`, reading `zp_in` for
    /// padding. All sums are int32 with Swift's overflow trap, so a wrong accumulator bound would
    /// crash here.
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        let scheme = model.scheme
        if scheme.saturatesPairs {
            return (0..<geometry.outputCount).map { flat in
                requantizer.apply(accumulator(flat: flat, scheme: scheme, input: inputs[0]), channel: geometry.outputChannel(of: flat), scheme: scheme)
            }
        }
        // Every partial sum is within `accumulatorBound` whatever the order of the taps, and
        // Swift's overflow trap checks it.
        var output = [Int32](repeating: 0, count: geometry.outputCount)
        let zx = inputZeroPoint
        inputs[0].withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                geometry.forEachTapGroup { group in
                    for j in 0..<group.channels {
                        let c = group.firstChannel + j, zw = weightZeroPoint(c), shift = j * group.weightStride
                        var acc = bias[c]
                        for run in group.runs {
                            var i = run.input, k = run.weight + shift
                            for _ in 0..<run.count {
                                acc += (x[i] - zx) * (Int32(w[k]) - zw)
                                i += run.inputStride
                                k += run.weightStride
                            }
                        }
                        output[group.firstOutput + j * group.outputStride] = requantizer.apply(acc, channel: c, scheme: scheme)
                    }
                }
            }
        }
        return output
    }

    /// The short form (`qgen explain` traces the taps and each scheme's steps itself).
    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let c = geometry.outputChannel(of: flat), acc = accumulator(flat: flat, scheme: model.scheme, input: inputs[0])
        return ["accumulator bias[\(c)] + Σ (x - zp_in)(w - zp_w) = \(acc)", requantizer.explainApply(acc, channel: c, scheme: model.scheme)]
    }

    /// `bias[c] + Σ (x − zp_in)(w − zp_w)` for output element `flat`; under `fbgemm(saturatingPairs)`
    /// the sum is FBGEMM's non-VNNI pair-saturating one (padding taps read the input zero point).
    public func accumulator(flat: Int, scheme: RequantizationScheme, input: [Int32]) -> Int32 {
        let c = geometry.outputChannel(of: flat)
        let zx = inputZeroPoint, zw = weightZeroPoint(c)
        if scheme.saturatesPairs {
            var x: [Int32] = [], w: [Int32] = []
            geometry.forEachTap(of: flat) { i, k in
                x.append(i.map { input[$0] } ?? zx)
                w.append(Int32(weights[k]))
            }
            if let order = geometry.fbgemmTapOrder { (x, w) = (order.map { x[$0] }, order.map { w[$0] }) }
            return bias[c] + Self.fbgemmNonVNNIDot(x, w, inputZeroPoint: zx, weightZeroPoint: zw)
        }
        var acc = bias[c]
        geometry.forEachTap(of: flat) { i, k in
            guard let i else { return }
            acc += (input[i] - zx) * (Int32(weights[k]) - zw)
        }
        return acc
    }

    /// FBGEMM's u8×s8 GEMM on x86 without AVX512-VNNI (requant.md §4.3): `vpmaddubsw` adds each
    /// adjacent pair of raw products `x[2t]·w[2t] + x[2t+1]·w[2t+1]` with signed saturation to
    /// int16 (K is zero-padded, so an odd last element pairs with 0); `vpmaddwd` and `vpaddd` sum
    /// the pairs exactly. The zero points are then removed with PyTorch's offsets:
    /// `− zp_in · col_offset − row_offset · zp_w`, `col_offset = Σ w − zp_w·K`, `row_offset = Σ x`.
    /// Without saturation this equals `Σ (x − zp_in)(w − zp_w)`.
    public static func fbgemmNonVNNIDot(_ x: [Int32], _ w: [Int32], inputZeroPoint: Int32, weightZeroPoint: Int32) -> Int32 {
        var raw: Int32 = 0
        var t = 0
        while t < x.count {
            var pair = x[t] * w[t]
            if t + 1 < x.count { pair += x[t + 1] * w[t + 1] }
            raw += min(max(pair, -32768), 32767)
            t += 2
        }
        let colOffset = w.reduce(0, +) - weightZeroPoint * Int32(w.count)
        let rowOffset = x.reduce(0, +)
        return raw - inputZeroPoint * colOffset - rowOffset * weightZeroPoint
    }

    /// Real arithmetic: dequantized weights, real bias, real activation, no requantization.
    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        let p = real.mac(node.name)!
        let dequantized = p.floatWeights.flatMap { real.usesFloatWeights ? $0 : nil } ?? dequantizedWeights(p)
        if real.usesFloatWeights { return runFloat32(inputs[0], weights: dequantized, bias: p.floatBias ?? p.bias, activation: p.activation) }
        var output = [Double](repeating: 0, count: geometry.outputCount)
        inputs[0].withUnsafeBufferPointer { x in
            dequantized.withUnsafeBufferPointer { w in
                geometry.forEachTapGroup { group in   // padding taps: real 0
                    for j in 0..<group.channels {
                        let shift = j * group.weightStride
                        var acc = p.bias[group.firstChannel + j]
                        for run in group.runs {
                            var i = run.input, k = run.weight + shift
                            for _ in 0..<run.count {
                                acc += x[i] * w[k]
                                i += run.inputStride
                                k += run.weightStride
                            }
                        }
                        output[group.firstOutput + j * group.outputStride] = p.activation.apply(acc)
                    }
                }
            }
        }
        return output
    }

    /// Calibration's float model as PyTorch's CPU kernels compute a small convolution of one sample: in
    /// float32, every product added in the weight tensor's order as a fused multiply-add, then the
    /// bias, then the activation (oneDNN on an AVX2 CPU, measured on a 3×3 convolution of one input
    /// channel: it starts from the bias instead for batches of several samples, and larger layers
    /// block their sums differently, so an observed extreme can differ from PyTorch's in its last bit).
    private func runFloat32(_ x: [Double], weights w: [Double], bias: [Double], activation: Activation) -> [Double] {
        let input = x.map { Float($0) }, weight = w.map { Float($0) }
        return (0..<geometry.outputCount).map { flat in
            var acc: Float = 0
            geometry.forEachTap(of: flat) { i, k in
                if let i { acc = acc.addingProduct(weight[k], input[i]) }
            }
            return activation.apply(Double(acc + Float(bias[geometry.outputChannel(of: flat)])))
        }
    }

    /// The real weights `s_w[c] · (w − zp_w[c])` in the int8 weights' order (`weightShape` is
    /// [out, …] for every op, so weight `k` is in channel `k / (count / outputChannels)`).
    public func dequantizedWeights(_ real: RealMAC) -> [Double] {
        let perChannel = real.weightScales.count > 1, channelSize = weights.count / geometry.outputChannels
        return weights.indices.map { k in
            let i = perChannel ? k / channelSize : 0
            return real.weightScales[i] * Double(Int(weights[k]) - real.weightZeroPoints[i])
        }
    }
}

extension Activation {
    /// The activation in real arithmetic.
    public func apply(_ v: Double) -> Double {
        switch self {
        case .none: return v
        case .relu: return max(v, 0)
        case .relu6: return min(max(v, 0), 6)
        case .clamp(let lo, let hi): return min(max(v, lo), hi)
        }
    }
}
