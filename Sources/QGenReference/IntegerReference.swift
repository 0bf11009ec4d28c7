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

    /// Runs one layer: for every output element, the accumulator over its taps (padding taps
    /// contribute 0), then the output stage.
    public static func run(_ layer: LoweredLayer, scheme: RequantizationScheme, input: [Int32]) -> [Int32] {
        let g = layer.geometry
        return (0..<g.outputCount).map { flat in
            let c = g.outputChannel(of: flat)
            return requantize(accumulator(layer, flat: flat, scheme: scheme, input: input), layer: layer, channel: c, scheme: scheme)
        }
    }

    /// `bias[c] + Σ (x − zp_in)(w − zp_w)` for output element `flat`; under `fbgemm(saturatingPairs)`
    /// the sum is FBGEMM's non-VNNI pair-saturating one (padding taps read the input zero point).
    public static func accumulator(_ layer: LoweredLayer, flat: Int, scheme: RequantizationScheme, input: [Int32]) -> Int32 {
        let c = layer.geometry.outputChannel(of: flat)
        let zx = layer.inputZeroPoint, zw = weightZeroPoint(layer, c)
        if scheme.saturatesPairs {
            var x: [Int32] = [], w: [Int32] = []
            layer.geometry.forEachTap(of: flat) { i, k in
                x.append(i.map { input[$0] } ?? zx)
                w.append(Int32(layer.weights[k]))
            }
            return layer.bias[c] + fbgemmNonVNNIDot(x, w, inputZeroPoint: zx, weightZeroPoint: zw)
        }
        var acc = layer.bias[c]
        layer.geometry.forEachTap(of: flat) { i, k in
            guard let i else { return }
            acc += (input[i] - zx) * (Int32(layer.weights[k]) - zw)
        }
        return acc
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
