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
        switch layer.geometry {
        case .linear(let g):
            var out = [Double](repeating: 0, count: g.batch * g.outFeatures)
            for n in 0..<g.batch {
                for o in 0..<g.outFeatures {
                    var acc = p.bias[o]
                    for k in 0..<g.inFeatures { acc += x[n * g.inFeatures + k] * weight(layer, p, o, o * g.inFeatures + k) }
                    out[n * g.outFeatures + o] = activate(acc, p.activation)
                }
            }
            return out
        case .conv2d(let g):
            var out = [Double](repeating: 0, count: g.batch * g.outChannels * g.outHeight * g.outWidth)
            let icpg = g.inChannelsPerGroup
            for n in 0..<g.batch {
                for oc in 0..<g.outChannels {
                    let group = oc / g.outChannelsPerGroup
                    for oy in 0..<g.outHeight {
                        for ox in 0..<g.outWidth {
                            var acc = p.bias[oc]
                            for ic in 0..<icpg {
                                for ky in 0..<g.kernelHeight {
                                    let iy = oy * g.strideHeight - g.padHeight + ky * g.dilationHeight
                                    guard iy >= 0 && iy < g.inHeight else { continue }
                                    for kx in 0..<g.kernelWidth {
                                        let ix = ox * g.strideWidth - g.padWidth + kx * g.dilationWidth
                                        guard ix >= 0 && ix < g.inWidth else { continue }
                                        let xi = ((n * g.inChannels + group * icpg + ic) * g.inHeight + iy) * g.inWidth + ix
                                        acc += x[xi] * weight(layer, p, oc, ((oc * icpg + ic) * g.kernelHeight + ky) * g.kernelWidth + kx)
                                    }
                                }
                            }
                            out[((n * g.outChannels + oc) * g.outHeight + oy) * g.outWidth + ox] = activate(acc, p.activation)
                        }
                    }
                }
            }
            return out
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
