import QGen
import QGenArithmetic

// PyTorch's quantized mean where ATen has no integer kernel (mean_out_quantized_cpu's reference
// path: a channels-last tensor, or axes that do not end at the last one), read in ATen's
// ReduceOps.cpp and SumKernel.cpp and measured against torch 2.15:
//
//     d  = float(q − zp) · s                    binary32, one rounding (fbgemm::Dequantize)
//     S  = cascade_sum(d)                       binary32 additions (acc_type<float, is_cuda> is float)
//     m  = S / float(n)                         at::sum_out(…).div_(n)
//     y  = clamp(RNE(m · float(1 / s)) + zp)    quantize_per_tensor (fbgemm::Quantize)
//
// cascade_sum's order depends on where an output sits among the outputs stored after the reduced
// block (TensorIterator's inner output dimension, `innerOutputs` of them, position j):
//
//   multiRow     multi_row_sum, one lane: a running sum in acc[0] flushed every 2^p elements into
//                acc[1] (and acc[1] into acc[2] every 2^2p, …), p = max(4, ceil(log2 n) / 4),
//                then acc[0] + acc[1] + acc[2] + acc[3]. Outputs j < 4L·⌊innerOutputs/4L⌋ when
//                innerOutputs ≥ L (vectorized_outer_sum's four vectors of L lanes), j < 4·⌊innerOutputs/4⌋
//                when it is 2 to L − 1 (scalar_outer_sum's four rows); L = 8 with AVX2, 16 under
//                fbgemm(avx512).
//   rowSum       row_sum: the elements as rows of 4, each column a multiRow cascade over n/4, the
//                n mod 4 tail added to column 0, then columns 1, 2, 3 added to it. The other outputs,
//                and every output when the reduced elements are contiguous and fewer than L.
//   vectorInner  vectorized_inner_sum (contiguous reduced elements, n ≥ L): the elements as
//                vectors of L lanes, each lane a rowSum over the n/L vectors; 0 plus the n mod L
//                tail, then plus lanes 0 to L − 1.

/// The lowered float-path mean (above).
public struct ATenFloatMean: Equatable, Codable, Sendable {
    public enum Order: String, Codable, Sendable {
        case multiRow, rowSum, vectorInner
    }

    /// The input seen as `[outer, reduced, inner]` (NCHW order, as qgen stores it).
    public var outer: Int
    public var reduced: Int
    public var inner: Int
    public var zeroPoint: Int32
    public var scale: Float32Parts
    /// float(1 / s) as quantize_per_tensor computes it.
    public var inverseScale: Float32Parts
    public var divisor: Float32Parts
    public var innerOutputs: Int
    public var positionModulus: Int
    /// Vectorized<float>::size(): 8 with AVX2, 16 under fbgemm(avx512).
    public var lanes: Int
    public var outputMin: Int32
    public var outputMax: Int32

    static func lower(_ mean: ResolvedMean, view: ResolvedMean.ATenMean.FloatView, _ node: ResolvedNode, in model: ResolvedModel,
                      log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let quant = model.tensors[node.inputs[0]].quant
        guard mean.reduced < 1 << 24 else {
            log.error("\(node.what): it averages \(mean.reduced) elements per output; qgen models ATen's float mean below 2^24 elements", at: node.location)
            return nil
        }
        let s = Float(quant.scale)
        let range = quant.dtype.range
        let op = ATenFloatMean(outer: mean.outer, reduced: mean.reduced, inner: mean.inner, zeroPoint: Int32(quant.zeroPoint),
                               scale: Float32Parts(s), inverseScale: Float32Parts(1 / s), divisor: Float32Parts(Float(mean.reduced)),
                               innerOutputs: view.innerOutputs, positionModulus: view.positionModulus,
                               lanes: model.scheme.atenFloatLanes,
                               outputMin: Int32(range.lowerBound), outputMax: Int32(range.upperBound))
        return (.atenFloatMean(op), .activation(.none))
    }

    /// The summation order of output (a, b).
    func order(a: Int, b: Int) -> Order {
        if innerOutputs == 1 { return reduced >= lanes ? .vectorInner : .rowSum }
        return a % positionModulus + b < multiRowEnd ? .multiRow : .rowSum
    }

    /// Outputs at positions below this sum in multiRow order.
    var multiRowEnd: Int { innerOutputs >= lanes ? innerOutputs / (4 * lanes) * (4 * lanes) : innerOutputs / 4 * 4 }

    // MARK: the binary32 reference (Swift's Float is IEEE binary32, round to nearest even)

    /// multi_row_sum for one lane over `count` values.
    static func multiRow(_ count: Int, _ value: (Int) -> Float) -> Float {
        let bits = count <= 2 ? 1 : Int.bitWidth - (count - 1).leadingZeroBitCount
        let power = max(4, bits / 4), step = 1 << power
        var acc: [Float] = [0, 0, 0, 0]
        var i = 0
        while i + step <= count {
            for _ in 0..<step { acc[0] += value(i); i += 1 }
            for j in 1..<4 {
                acc[j] += acc[j - 1]
                acc[j - 1] = 0
                if i & ((step - 1) << (j * power)) != 0 { break }
            }
        }
        while i < count { acc[0] += value(i); i += 1 }
        for j in 1..<4 { acc[0] += acc[j] }
        return acc[0]
    }

    static func rowSum(_ count: Int, _ value: (Int) -> Float) -> Float {
        let rows = count / 4
        var partial = (0..<4).map { k in multiRow(rows) { value($0 * 4 + k) } }
        for i in rows * 4..<count { partial[0] += value(i) }
        for k in 1..<4 { partial[0] += partial[k] }
        return partial[0]
    }

    static func vectorInner(_ count: Int, lanes: Int, _ value: (Int) -> Float) -> Float {
        let vectors = count / lanes
        var total: Float = 0
        for i in vectors * lanes..<count { total += value(i) }
        for lane in 0..<lanes { total += rowSum(vectors) { value($0 * lanes + lane) } }
        return total
    }

    /// The binary32 sum S of output (a, b), its mean and the quantized result.
    func compute(_ x: [Int32], a: Int, b: Int) -> (sum: Float, mean: Float, y: Int32) {
        let s = scale.value
        let value: (Int) -> Float = { r in Float(x[(a * reduced + r) * inner + b] - zeroPoint) * s }
        let sum: Float
        switch order(a: a, b: b) {
        case .multiRow: sum = Self.multiRow(reduced, value)
        case .rowSum: sum = Self.rowSum(reduced, value)
        case .vectorInner: sum = Self.vectorInner(reduced, lanes: lanes, value)
        }
        let mean = sum / divisor.value
        let rounded = (mean * inverseScale.value).rounded(.toNearestOrEven)
        return (sum, mean, Int32(max(Float(outputMin - zeroPoint), min(Float(outputMax - zeroPoint), rounded))) + zeroPoint)
    }
}

extension ATenFloatMean: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        var y: [Int32] = []
        for a in 0..<outer { for b in 0..<inner { y.append(compute(inputs[0], a: a, b: b).y) } }
        return y
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        var y: [Double] = []
        for a in 0..<outer {
            for b in 0..<inner { y.append((0..<reduced).reduce(0.0) { $0 + inputs[0][(a * reduced + $1) * inner + b] } / Double(reduced)) }
        }
        return y
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let (a, b) = (flat / inner, flat % inner)
        let r = compute(inputs[0], a: a, b: b)
        return ["\(reduced) inputs dequantized in binary32, float(q - \(zeroPoint)) * \(scale.value), summed in ATen's \(order(a: a, b: b).rawValue) order: \(r.sum)",
                "mean = \(r.sum) / \(reduced).0f = \(r.mean); quantized: RNE(mean * \(inverseScale.value)) + \(zeroPoint), clamped: \(r.y)"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        return EmittedNode(arrays: [], kernel: ATenFloatMeanKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            cType: Emitter.cType(x.dtype), outer: outer, reduced: reduced, inner: inner, zeroPoint: zeroPoint,
            scale: scale, inverseScale: inverseScale, divisor: divisor,
            scaleText: "\(scale.value)", inverseScaleText: "\(inverseScale.value)",
            nativeScale: Emitter.hexLiteral(scale.value), nativeInverseScale: Emitter.hexLiteral(inverseScale.value),
            innerOutputs: innerOutputs, positionModulus: positionModulus, multiRowEnd: multiRowEnd, lanes: lanes,
            vectorInner: innerOutputs == 1 && reduced >= lanes, outputMin: outputMin, outputMax: outputMax, native: options.floatRequant),
            helpers: options.floatRequant ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Add, EmittedNode.float32Div])
    }
}

/// Templates/kernel_mean_aten.mustache.
struct ATenFloatMeanKernel: KernelContext {
    var template: String { "kernel_mean_aten" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var outer: Int
    var reduced: Int
    var inner: Int
    var zeroPoint: Int32
    var scale: Float32Parts
    var inverseScale: Float32Parts
    var divisor: Float32Parts
    var scaleText: String
    var inverseScaleText: String
    var nativeScale: String
    var nativeInverseScale: String
    var innerOutputs: Int
    var positionModulus: Int
    var multiRowEnd: Int
    var lanes: Int
    var vectorInner: Bool
    var outputMin: Int32
    var outputMax: Int32
    var native: Bool
}
