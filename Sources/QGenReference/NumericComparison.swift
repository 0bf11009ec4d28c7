import Foundation
import QGen
import QGenArithmetic
import QGenCompiler

/// `qgen compare`: where quantization loses accuracy, layer by layer — PyTorch's Numeric Suite
/// (`torch.ao.ns._numeric_suite`) on qgen's two models of the same network:
///
/// - the **float model**: the weights and biases as given in model.swift (float32 weights, not
///   quantized), no requantization anywhere, fed the float data;
/// - the **quantized model**: the integer reference (what the emitted C computes, bit for bit),
///   fed the data quantized by the scheme's boundary rule, each tensor dequantized as
///   `s · (q − zp)`.
///
/// Three comparisons, as the Numeric Suite's three:
/// - **weights** (`compare_weights`): float weights against the dequantized int8 weights, per
///   layer and per output channel;
/// - **activations** (`compare_model_outputs`): each layer's output in the float model against
///   the same tensor in the quantized model — the error the layer shows, inherited included;
/// - **shadow** (`compare_model_stub`): each layer's quantized output against the float layer run
///   on the dequantized quantized input at that point — the layer's own error (weights, bias,
///   output rounding and clamp), with nothing inherited.
///
/// SQNR is PyTorch's `compute_error`: `20 · log10(‖x‖ / ‖x − y‖)` with `x` the float values, over
/// every element of every inference (PyTorch's tutorial takes the first logged batch; with one
/// batch of data the two are the same quantity).
public enum NumericComparison {
    public struct ComparisonError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Sums from which each error measure is computed, accumulated over inferences.
    public struct ErrorSums: Sendable, Equatable {
        public var count = 0
        /// Σx², Σ(x − y)², Σx·y, Σy² with x float, y dequantized.
        public var signal = 0.0, noise = 0.0, dot = 0.0, quantizedSquares = 0.0
        public var maxAbsError = 0.0

        public init() {}

        public mutating func add(float x: [Double], quantized y: [Double]) {
            for (a, b) in zip(x, y) {
                signal += a * a
                noise += (a - b) * (a - b)
                dot += a * b
                quantizedSquares += b * b
                maxAbsError = max(maxAbsError, abs(a - b))
            }
            count += min(x.count, y.count)
        }

        /// `20 · log10(‖x‖ / ‖x − y‖)`: +∞ when equal, −∞ when the float values are all zero but
        /// the quantized ones are not.
        public var sqnr: Double {
            if noise == 0 { return .infinity }
            return 10 * log10(signal / noise)
        }
        public var meanSquaredError: Double { count == 0 ? 0 : noise / Double(count) }
        /// `x·y / (‖x‖ ‖y‖)`; 1 when both are all zero, 0 when only one is.
        public var cosineSimilarity: Double {
            if signal == 0 && quantizedSquares == 0 { return 1 }
            if signal == 0 || quantizedSquares == 0 { return 0 }
            return dot / (signal.squareRoot() * quantizedSquares.squareRoot())
        }
    }

    /// A multiply-accumulate layer's weights, float against dequantized.
    public struct WeightComparison: Sendable {
        public var layer: String
        public var location: SourceLocation
        public var total: ErrorSums
        /// One per output channel (the same quantity over that channel's weights).
        public var channels: [ErrorSums]
        /// The values themselves, for the report's histograms (float, dequantized).
        public var floatWeights: [Double]
        public var dequantizedWeights: [Double]
    }

    /// One layer's output tensor, float model against quantized model; the first is the model
    /// input itself (the data against its quantization by the boundary rule, kind "Input").
    public struct LayerComparison: Sendable {
        public var layer: String
        public var kind: String
        /// nil for the model input (its line is not kept after lowering).
        public var location: SourceLocation?
        public var outputScale: Double
        /// The float model against the quantized model (`compare_model_outputs`).
        public var activations: ErrorSums
        /// The quantized layer against the float layer on the same (dequantized) input
        /// (`compare_model_stub`).
        public var shadow: ErrorSums
        /// The first `errorSampleLimit` errors `x − y` of the activations, in output steps
        /// (units of the layer's scale), for the report's histograms.
        public var errorSample: [Double]

        /// One inference's values of this tensor: the float model's, the quantized model's
        /// (dequantized) and the float layer's on the quantized model's input.
        mutating func add(float: [Double], quantized: [Double], shadow shadowFloat: [Double]) {
            activations.add(float: float, quantized: quantized)
            shadow.add(float: shadowFloat, quantized: quantized)
            let room = NumericComparison.errorSampleLimit - errorSample.count
            if room > 0 { errorSample += zip(float.prefix(room), quantized).map { ($0 - $1) / outputScale } }
        }
    }

    /// One model output element with its error.
    public struct WorstElement: Sendable {
        public var output: String
        public var inference: Int
        /// One index per dimension of the output tensor's shape.
        public var index: [Int]
        public var float: Double
        public var code: Int32
        public var dequantized: Double
        /// |float − dequantized| in output steps.
        public var errorSteps: Double
    }

    /// Top-1 accuracy of both models on labelled data: the arg max of the first output (the first
    /// of equal values) against each inference's label.
    public struct Accuracy: Sendable, Equatable {
        public var total: Int
        public var floatCorrect: Int
        public var quantizedCorrect: Int
    }

    public struct Report: Sendable {
        public var model: String
        public var scheme: RequantizationScheme
        public var inferences: Int
        public var weights: [WeightComparison]
        public var layers: [LayerComparison]
        public var worst: [WorstElement]
        public var accuracy: Accuracy?
    }

    public static let errorSampleLimit = 65_536

    /// Compares the float and the quantized model of `result` on `data` (float values, first axis
    /// counting inferences). `worst` output elements are kept; with `labels` (one class index per
    /// inference) the report has both models' top-1 accuracy; `progress` is told (done, total)
    /// after each inference.
    public static func compare(_ result: Pipeline.Result, data: NpyArray, labels: NpyArray? = nil, worst worstCount: Int = 5,
                               progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        let model = result.lowered
        var real = result.lowering.real
        guard model.inputs.count == 1 else {
            throw ComparisonError("compare takes one .npy of data for one model input; \(model.name) has \(model.inputs.count) inputs")
        }
        let macs = model.nodes.filter { $0.mac != nil }
        guard !macs.isEmpty else {
            throw ComparisonError("\(model.name) has no Linear or convolution layer: there are no float weights to compare")
        }
        if let node = macs.first(where: { real.mac($0.name)?.floatWeights == nil }) {
            throw ComparisonError("layer '\(node.name)' (\(node.location.fileName):\(node.location.line)) gives its weights as int8 codes, so there is no float model to compare with; give the float weights (weight: .float(…)) and let qgen quantize them (compare needs every Linear and convolution in float)")
        }
        let input = model.input
        let batches: [[Double]]
        do {
            batches = try FloatBatches.inferences(of: data, input: input.name, shape: input.shape, purpose: "the float model and the quantization")
        } catch let error as FloatBatches.DataError {
            throw ComparisonError("compare \(error)")
        }

        let classes = model.output.count
        var accuracy = try labels.map { labels -> Accuracy in
            guard !labels.isFloatingPoint, labels.values.count == batches.count else {
                throw ComparisonError("labels must be integers, one per inference (\(batches.count)); got \(labels.descr) of shape \(labels.shape)")
            }
            if let i = labels.values.firstIndex(where: { $0 < 0 || $0 >= Double(classes) }) {
                throw ComparisonError("label \(Int(labels.values[i])) at index \(i) is not a class of output '\(model.output.name)' (0 to \(classes - 1))")
            }
            return Accuracy(total: batches.count, floatCorrect: 0, quantizedCorrect: 0)
        }

        real.usesFloatWeights = true
        let weights = macs.map { compareWeights($0, real: real.mac($0.name)!) }
        let rows = [(name: input.name, kind: "Input", location: SourceLocation?.none, output: model.inputs[0])]
            + model.nodes.map { (name: $0.name, kind: $0.kindName, location: Optional($0.location), output: $0.output) }
        var layers = rows.map { row in
            LayerComparison(layer: row.name, kind: row.kind, location: row.location, outputScale: real.scales[row.output],
                            activations: ErrorSums(), shadow: ErrorSums(), errorSample: [])
        }
        var worst: [WorstElement] = []
        let rule = model.scheme.boundary
        let inputScale = real.scales[model.inputs[0]]

        for (k, batch) in batches.enumerated() {
            let codes = batch.map { Int32(rule.quantize(Float($0), scale: inputScale, zeroPoint: Int(input.zeroPoint), range: input.dtype.range)) }
            let integer = IntegerReference.run(model, inputs: [codes])
            // Every tensor of the quantized model, dequantized once: s · (q − zp).
            var quantized: [TensorID: [Double]] = [:]
            for (id, values) in integer {
                let s = real.scales[id], zp = model.tensors[id].zeroPoint
                quantized[id] = values.map { s * Double($0 - zp) }
            }
            var float: [TensorID: [Double]] = [model.inputs[0]: batch]
            // Row 0, the input: its quantization is its own error, so shadow and activations agree.
            layers[0].add(float: batch, quantized: quantized[model.inputs[0]]!, shadow: batch)
            for (n, node) in model.nodes.enumerated() {
                let out = node.op.kernel.runReal(node.inputs.map { float[$0]! }, node: node, real: real)
                float[node.output] = out
                layers[n + 1].add(float: out, quantized: quantized[node.output]!,
                                  shadow: node.op.kernel.runReal(node.inputs.map { quantized[$0]! }, node: node, real: real))
            }
            for id in model.outputs where worstCount > 0 {
                let tensor = model.tensors[id], codes = integer[id]!, f = float[id]!, q = quantized[id]!, s = real.scales[id]
                for i in codes.indices {
                    let d = q[i], e = abs(f[i] - d) / s
                    // Keep the largest errors; ties keep the earlier element.
                    if worst.count < worstCount || e > worst[worst.count - 1].errorSteps {
                        let element = WorstElement(output: tensor.name, inference: k, index: unflatten(i, shape: tensor.shape),
                                                   float: f[i], code: codes[i], dequantized: d, errorSteps: e)
                        let at = worst.firstIndex { $0.errorSteps < e } ?? worst.count
                        worst.insert(element, at: at)
                        if worst.count > worstCount { worst.removeLast() }
                    }
                }
            }
            if let label = labels.map({ Int($0.values[k]) }) {
                let first = model.outputs[0]
                if argMax(float[first]!) == label { accuracy!.floatCorrect += 1 }
                if argMax(integer[first]!.map(Double.init)) == label { accuracy!.quantizedCorrect += 1 }
            }
            progress?(k + 1, batches.count)
        }
        return Report(model: model.name, scheme: model.scheme, inferences: batches.count, weights: weights, layers: layers, worst: worst,
                      accuracy: accuracy)
    }

    /// Float weights against `s_w[c] · (w − zp_w[c])`, both in the int8 weights' order.
    static func compareWeights(_ node: LoweredNode, real: RealMAC) -> WeightComparison {
        let mac = node.mac!
        let channels = mac.geometry.outputChannels, perChannel = mac.weights.count / channels
        let float = real.floatWeights!, dequantized = mac.dequantizedWeights(real)
        var total = ErrorSums()
        total.add(float: float, quantized: dequantized)
        let sums = (0..<channels).map { c -> ErrorSums in
            var s = ErrorSums()
            s.add(float: Array(float[(c * perChannel)..<((c + 1) * perChannel)]), quantized: Array(dequantized[(c * perChannel)..<((c + 1) * perChannel)]))
            return s
        }
        return WeightComparison(layer: node.name, location: node.location, total: total, channels: sums,
                                floatWeights: float, dequantizedWeights: dequantized)
    }

    /// The index of the largest value (the first of equal ones). Codes and their dequantized values
    /// (a positive scale) have the same arg max.
    static func argMax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }

    /// The per-dimension index of flat element `i` in a row-major tensor of `shape`.
    static func unflatten(_ i: Int, shape: [Int]) -> [Int] {
        var rest = i
        var index = [Int](repeating: 0, count: shape.count)
        for d in shape.indices.reversed() {
            index[d] = rest % max(shape[d], 1)
            rest /= max(shape[d], 1)
        }
        return index
    }
}
