import Foundation
import QGen
import QGenCompiler

/// The real-valued model for error analysis: dequantized int8 weights, real bias, real
/// activations, no requantization between nodes. Never used to pass or fail integer results.
public enum FloatReference {
    /// Runs the model on the dequantized input and returns the real first output.
    public static func run(_ model: LoweredModel, real: RealModel, input: [Int32]) -> [Double] {
        run(model, real: real, inputs: [input])[0]
    }

    /// Runs the model on one dequantized array per model input and returns every real output.
    public static func run(_ model: LoweredModel, real: RealModel, inputs: [[Int32]]) -> [[Double]] {
        var values: [TensorID: [Double]] = [:]
        for (id, input) in zip(model.inputs, inputs) {
            values[id] = input.map { real.scales[id] * Double($0 - model.tensors[id].zeroPoint) }
        }
        for node in model.nodes {
            values[node.output] = node.op.kernel.runReal(node.inputs.map { values[$0]! }, node: node, real: real)
        }
        return model.outputs.map { values[$0]! }
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
