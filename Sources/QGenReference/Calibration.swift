import Foundation
import QGen
import QGenArithmetic
import QGenCompiler

/// Calibration: the scales and zero points of every `.calibrated(observer)` quantization, from the
/// float model run on data, as PyTorch's prepare → calibrate → convert computes them.
///
/// The float model is the model itself with its weights and biases as given (float weights are not
/// quantized for it) and no requantization between layers; each calibrated tensor's values go to
/// its observer, one observed batch per inference (as each forward call in PyTorch). Activations
/// are computed in double; PyTorch computes them in float32, so an observed extreme can differ in
/// its last float32 bit where a sum rounds differently.
public enum Calibration {
    public struct Result: Sendable {
        /// The model with every calibrated quantization replaced by its computed scale and zero point.
        public var spec: ModelSpec
        /// For each calibrated tensor (model order): its name, observer, the range it observed and the result.
        public var tensors: [Tensor]
        public var inferences: Int
    }

    public struct Tensor: Sendable {
        public var name: String
        public var observer: Observer
        public var observedMin: Double
        public var observedMax: Double
        public var scale: Double
        public var zeroPoint: Int
    }

    public struct CalibrationError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The layers whose quantization is `.calibrated`.
    public static func calibratedLayers(_ spec: ModelSpec) -> [String] {
        spec.layers.filter { $0.declaredQuantization?.calibration != nil }.map(\.name)
    }

    /// Runs the float model over `data` (a float array whose first axis counts inferences: shape
    /// `[k · N] + inputShape[1...]` for an input of shape `[N, …]`) and fills in every calibrated
    /// quantization. `progress` is called after each inference with (done, total).
    public static func calibrate(_ spec: ModelSpec, options: CompileOptions, data: NpyArray,
                                 progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let calibrated = calibratedLayers(spec)
        guard !calibrated.isEmpty else {
            throw CalibrationError("\(spec.name) has no .calibrated(…) quantization: nothing to calibrate (write output: .calibrated(.minMax()) or another observer where the scale should come from data)")
        }
        let inputs = spec.layers.compactMap { layer -> Input? in if case .input(let i) = layer { return i } else { return nil } }
        guard inputs.count == 1, let input = inputs.first else {
            throw CalibrationError("calibration takes one .npy of data for one model input; \(spec.name) has \(inputs.count) inputs")
        }
        let batches: [[Double]]
        do {
            batches = try FloatBatches.inferences(of: data, input: input.name, shape: input.shape, purpose: "observers")
        } catch let error as FloatBatches.DataError {
            throw CalibrationError("calibration \(error)")
        }

        // Lower the model with stand-in scales where they are still to be calibrated: the float model
        // needs only its structure and its float weights.
        var standIn = spec
        for i in standIn.layers.indices {
            guard var q = standIn.layers[i].declaredQuantization, let observer = q.calibration else { continue }
            q = QuantParams(dtype: observer.dtype, scale: 1.0 / 64, zeroPoint: observer.dtype == .uint8 ? 128 : 0)
            standIn.layers[i].declaredQuantization = q
        }
        let lowering = try Lowering.lower(try Resolver.resolve(standIn, options: options).0)
        let model = lowering.model
        var real = lowering.real
        real.usesFloatWeights = true
        let calibratedSet = Set(calibrated)
        for node in model.nodes {
            guard let mac = real.mac(node.name), mac.floatBias == nil, node.inputs.contains(where: { calibratedSet.contains(model.tensors[$0].name) }),
                  case .multiplyAccumulate(let lowered) = node.op, lowered.hasBias else { continue }
            throw CalibrationError("layer '\(node.name)' has an int32 bias, whose real value depends on its input's scale, which is still to be calibrated; give the bias as floats (bias: .float(…)) to calibrate")
        }

        var observers: [String: AnyObserver] = [:]
        for layer in spec.layers {
            guard let observer = layer.declaredQuantization?.calibration else { continue }
            do {
                observers[layer.name] = try AnyObserver(observer)
            } catch {
                throw CalibrationError("layer '\(layer.name)' (\(layer.location.fileName):\(layer.location.line)): .calibrated(\(observer.swiftText)): \(error)")
            }
        }
        for (k, batch) in batches.enumerated() {
            var values: [TensorID: [Double]] = [:]
            values[model.inputs[0]] = batch
            for node in model.nodes {
                values[node.output] = node.op.kernel.runReal(node.inputs.map { values[$0]! }, node: node, real: real)
            }
            for (id, tensor) in model.tensors.enumerated() where observers[tensor.name] != nil {
                guard let v = values[TensorID(id)] else { continue }
                do {
                    try observers[tensor.name]!.observe(v.map { Float($0) })
                } catch {
                    throw CalibrationError("tensor '\(tensor.name)' on inference \(k): \(error)")
                }
            }
            progress?(k + 1, batches.count)
        }

        var result = spec
        var tensors: [Tensor] = []
        for i in result.layers.indices {
            let layer = result.layers[i]
            guard let observer = layer.declaredQuantization?.calibration, let o = observers[layer.name] else { continue }
            let qparams: ObservedQParams
            do {
                qparams = try o.qparams()
            } catch {
                throw CalibrationError("layer '\(layer.name)': \(error)")
            }
            let zeroPoint = qparams.zeroPoint
            guard observer.dtype.range.contains(zeroPoint) else {
                throw CalibrationError("layer '\(layer.name)': .calibrated(\(observer.swiftText)) gives zero point \(zeroPoint), outside \(observer.dtype.rawValue) \(observer.dtype.range); use an affine observer or the other type")
            }
            result.layers[i].declaredQuantization = QuantParams(dtype: observer.dtype, scale: Double(qparams.scale), zeroPoint: zeroPoint)
            tensors.append(Tensor(name: layer.name, observer: observer, observedMin: Double(o.range.min), observedMax: Double(o.range.max),
                                  scale: Double(qparams.scale), zeroPoint: zeroPoint))
        }
        return Result(spec: result, tensors: tensors, inferences: batches.count)
    }
}

/// One of QGenArithmetic's observers, chosen by a DSL `Observer`.
struct AnyObserver {
    private enum Kind {
        case minMax(MinMaxObserver)
        case movingAverage(MovingAverageMinMaxObserver)
        case histogram(HistogramObserver)
        case tflite(TFLiteMinMaxObserver)
    }
    private var kind: Kind

    init(_ observer: Observer) throws {
        let options = ObserverOptions(dtype: observer.dtype == .int8 ? .qint8 : .quint8, mode: observer.mode == .symmetric ? .symmetric : .affine,
                                      reduceRange: observer.reduceRange, quantMin: observer.quantMin, quantMax: observer.quantMax)
        guard observer.dtype != .int16 else { throw ObserverError.invalidOption("observers quantize to uint8 or int8, not int16") }
        switch observer.kind {
        case .minMax: kind = .minMax(try MinMaxObserver(options))
        case .movingAverageMinMax: kind = .movingAverage(try MovingAverageMinMaxObserver(options, averagingConstant: observer.averagingConstant ?? 0.01))
        case .histogram: kind = .histogram(try HistogramObserver(options, bins: observer.bins ?? 2048))
        case .tflite:
            guard observer.mode == .affine, !observer.reduceRange, observer.quantMin == nil, observer.quantMax == nil else {
                throw ObserverError.invalidOption("TensorFlow's converter calibrates int8 or uint8 activations affine over the whole range: .tflite(.int8) takes no other option")
            }
            kind = .tflite(try TFLiteMinMaxObserver(quantMin: observer.dtype.range.lowerBound, quantMax: observer.dtype.range.upperBound))
        }
    }

    mutating func observe(_ values: [Float]) throws {
        switch kind {
        case .minMax(var o): try o.observe(values); kind = .minMax(o)
        case .movingAverage(var o): try o.observe(values); kind = .movingAverage(o)
        case .histogram(var o): try o.observe(values); kind = .histogram(o)
        case .tflite(var o): try o.observe(values); kind = .tflite(o)
        }
    }

    func qparams() throws -> ObservedQParams {
        switch kind {
        case .minMax(let o): return try o.qparams()
        case .movingAverage(let o): return try o.qparams()
        case .histogram(let o): return try o.qparams()
        case .tflite(let o): return try o.qparams()
        }
    }

    /// The range the observer holds (for the histogram, the range its search chose).
    var range: (min: Float, max: Float) {
        switch kind {
        case .minMax(let o): return (o.min, o.max)
        case .movingAverage(let o): return (o.min, o.max)
        case .histogram(let o): return o.searchRange()
        case .tflite(let o): return (o.min, o.max)
        }
    }
}
