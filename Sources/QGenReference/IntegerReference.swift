import QGen
import QGenArithmetic
import QGenCompiler

/// The executable specification of a lowered model: what the emitted C must compute, element for
/// element. It is written from the mathematical definition, not from the C:
///
///     acc[c] = bias[c] + Σ_taps (x − zp_in) · (w − zp_w[c])     (padding taps contribute 0)
///     y      = clamp(scheme.scale(acc, m[c]) + zp_out, act_min, act_max)
///
/// while the C starts from the folded bias and sums `x · (w − zp_w)`, reading `zp_in` for padding.
/// All sums are int32 with Swift's overflow trap, so a wrong accumulator bound would crash here.
public enum IntegerReference {
    /// Runs the whole model. `input` holds `model.input.count` values of the input type.
    public static func run(_ model: LoweredModel, input: [Int32]) -> [Int32] {
        precondition(input.count == model.input.count, "input has \(input.count) values, the model takes \(model.input.count)")
        var x = input
        for layer in model.layers { x = run(layer, scheme: model.scheme, input: x) }
        return x
    }

    /// Runs one layer.
    public static func run(_ layer: LoweredLayer, scheme: RequantizationScheme, input: [Int32]) -> [Int32] {
        switch layer.geometry {
        case .linear(let g): return linear(layer, g, scheme, input)
        case .conv2d(let g): return conv2d(layer, g, scheme, input)
        }
    }

    /// The output stage for channel `c`.
    public static func requantize(_ acc: Int32, layer: LoweredLayer, channel c: Int, scheme: RequantizationScheme) -> Int32 {
        let index = layer.isPerChannel ? c : 0
        let scaled: Int64
        if scheme.family == .float32 {
            let biasTerm = layer.floatBiasTerms.isEmpty ? nil : layer.floatBiasTerms[c].value
            scaled = Float32Requantization.scale(acc, multiplier: layer.floatMultipliers[index].value, biasTerm: biasTerm)
        } else {
            scaled = Int64(scheme.scale(acc, by: layer.multipliers[index]))
        }
        let v = Int32(scaled) + layer.outputZeroPoint   // traps if the lowering's bound were wrong
        return min(max(v, layer.activationMin), layer.activationMax)
    }

    private static func weightZeroPoint(_ layer: LoweredLayer, _ c: Int) -> Int32 {
        layer.weightZeroPoints[layer.weightZeroPoints.count > 1 ? c : 0]
    }

    private static func linear(_ layer: LoweredLayer, _ g: LinearGeometry, _ scheme: RequantizationScheme, _ input: [Int32]) -> [Int32] {
        var out = [Int32](repeating: 0, count: g.batch * g.outFeatures)
        for n in 0..<g.batch {
            for o in 0..<g.outFeatures {
                let zw = weightZeroPoint(layer, o)
                let x = Array(input[n * g.inFeatures..<(n + 1) * g.inFeatures])
                let w = layer.weights[o * g.inFeatures..<(o + 1) * g.inFeatures].map { Int32($0) }
                var acc: Int32
                if scheme.saturatesPairs {
                    acc = layer.bias[o] + fbgemmNonVNNIDot(x, w, inputZeroPoint: layer.inputZeroPoint, weightZeroPoint: zw)
                } else {
                    acc = layer.bias[o]
                    for k in 0..<g.inFeatures { acc += (x[k] - layer.inputZeroPoint) * (w[k] - zw) }
                }
                out[n * g.outFeatures + o] = requantize(acc, layer: layer, channel: o, scheme: scheme)
            }
        }
        return out
    }

    private static func conv2d(_ layer: LoweredLayer, _ g: Conv2dGeometry, _ scheme: RequantizationScheme, _ input: [Int32]) -> [Int32] {
        var out = [Int32](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
        let icpg = g.inChannelsPerGroup, ocpg = g.outChannelsPerGroup
        for n in 0..<g.batch {
            for oc in 0..<g.outChannels {
                let group = oc / ocpg
                let zw = weightZeroPoint(layer, oc)
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var acc = layer.bias[oc]
                        for ic in 0..<icpg {
                            let channel = group * icpg + ic
                            for ky in 0..<g.kernelHeight {
                                let iy = oy * g.strideHeight - g.padHeight + ky * g.dilationHeight
                                guard iy >= 0 && iy < g.inHeight else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = ox * g.strideWidth - g.padWidth + kx * g.dilationWidth
                                    guard ix >= 0 && ix < g.inWidth else { continue }
                                    let x = input[((n * g.inChannels + channel) * g.inHeight + iy) * g.inWidth + ix]
                                    let w = Int32(layer.weights[((oc * icpg + ic) * g.kernelHeight + ky) * g.kernelWidth + kx])
                                    acc += (x - layer.inputZeroPoint) * (w - zw)
                                }
                            }
                        }
                        out[((n * g.outChannels + oc) * g.outHeight + oy) * g.outWidth + ox] = requantize(acc, layer: layer, channel: oc, scheme: scheme)
                    }
                }
            }
        }
        return out
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
}
