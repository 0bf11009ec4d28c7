import Foundation
import QGen
import QGenCompiler

/// The real-valued model for error analysis: dequantized int8 weights, real bias, real
/// activations, no requantization between layers. Never used to pass or fail integer results.
public enum FloatReference {
    /// Runs the model on the dequantized input and returns real outputs.
    public static func run(_ model: LoweredModel, real: RealModel, input: [Int32]) -> [Double] {
        var x = input.map { real.inputScale * Double($0 - model.input.zeroPoint) }
        for (layer, params) in zip(model.layers, real.layers) {
            x = run(layer, params, x)
        }
        return x
    }

    private static func weight(_ layer: LoweredLayer, _ p: RealModel.Layer, _ c: Int, _ index: Int) -> Double {
        let i = p.weightScales.count > 1 ? c : 0
        return p.weightScales[i] * Double(Int(layer.weights[index]) - p.weightZeroPoints[i])
    }

    private static func activate(_ v: Double, _ a: Activation) -> Double {
        switch a {
        case .none: return v
        case .relu: return max(v, 0)
        case .relu6: return min(max(v, 0), 6)
        case .clamp(let lo, let hi): return min(max(v, lo), hi)
        }
    }

    private static func run(_ layer: LoweredLayer, _ p: RealModel.Layer, _ x: [Double]) -> [Double] {
        let g = layer.geometry
        return (0..<g.outputCount).map { flat in
            let c = g.outputChannel(of: flat)
            var acc = p.bias[c]
            g.forEachTap(of: flat) { i, k in
                guard let i else { return }   // padding: real 0
                acc += x[i] * weight(layer, p, c, k)
            }
            return activate(acc, p.activation)
        }
    }

    /// Signal-to-quantization-noise ratio in dB of `quantized` (dequantized with `scale`,
    /// `zeroPoint`) against `reference`; +∞ when they are equal.
    public static func sqnr(reference: [Double], quantized: [Int32], scale: Double, zeroPoint: Int32) -> Double {
        var signal = 0.0, noise = 0.0
        for (r, q) in zip(reference, quantized) {
            let d = scale * Double(q - zeroPoint)
            signal += r * r
            noise += (r - d) * (r - d)
        }
        if noise == 0 { return .infinity }
        return 10 * log10(signal / noise)
    }
}
