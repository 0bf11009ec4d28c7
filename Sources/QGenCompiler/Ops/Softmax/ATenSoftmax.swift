import Foundation
import QGen
import QGenArithmetic

// PyTorch's quantized softmax over the last dimension where QNNPACK's integer kernel does not run
// (the fbgemm/x86 engines, or qnnpack with another output quantization or an int8 input): ATen's
// qsoftmax_naive, `quantize_per_tensor(at::softmax(dequantize(x), dim))`, read in qsoftmax.cpp,
// SoftMaxKernel.cpp (_vec_softmax_lastdim) and vec/functional_base.h and measured against torch 2.15:
//
//     x_i = float(q_i − zp) · s                     binary32 (fbgemm::Dequantize)
//     e_i = exp(x_i − max_j x_j)                    SLEEF's Sleef_expf8_u10 on every element (vec::map)
//     S   = reduce_all(+, e)                        L lanes: lane j sums e_j, e_{j+L}, … in order, then the
//                                                   lanes as a tree, l_i += l_{i+L/2}, …, l_0 += l_1 (the
//                                                   AVX2/AVX512 shuffles); a row shorter than L sums in order
//     t   = 1 / S;  y_i = e_i · t                   binary32
//     q   = clamp(RNE(y_i · float(1 / s_out)) + zp_out)   quantize_per_tensor (fbgemm::Quantize)
//
// L = Vectorized<float>::size(): 8 with AVX2, 16 under fbgemm(avx512). The emitted C emulates binary32 with
// integers, SLEEF's fused multiply-adds included (helpers_float32_exp), also under --float-requant: C99
// without libm has no fused multiply-add.

/// The lowered ATen float-path softmax (above).
public struct ATenSoftmax: Equatable, Codable, Sendable {
    public var depth: Int
    public var outer: Int
    public var zeroPoint: Int32
    public var scale: Float32Parts
    /// float(1 / s_out) as quantize_per_tensor computes it.
    public var inverseScale: Float32Parts
    public var outputZeroPoint: Int32
    public var lanes: Int
    public var outputMin: Int32
    public var outputMax: Int32

    static func lower(_ softmax: ResolvedSoftmax, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> ATenSoftmax? {
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        guard softmax.beta == 1 else {
            log.error("\(node.what): beta is \(softmax.beta); PyTorch's softmax has no beta (give 1)", at: node.location)
            return nil
        }
        guard output.dtype == input.dtype else {
            log.error("\(node.what): PyTorch's quantized softmax keeps the input's type (\(input.dtype)), not \(output.dtype)", at: node.location)
            return nil
        }
        // y ≤ 1, so y · float(1/s_out) ≤ float(1/s_out) must stay an int32 (it does for any s_out above 2^-30).
        let inverse = 1 / Float(output.scale)
        guard inverse.isFinite, inverse <= 0x1p30 else {
            log.error("\(node.what): output scale \(output.scale) is below 2^-30; a probability times 1/scale would not fit the int32 PyTorch rounds it to", at: node.location)
            return nil
        }
        let range = output.dtype.range
        return ATenSoftmax(depth: softmax.depth, outer: softmax.outer, zeroPoint: Int32(input.zeroPoint), scale: Float32Parts(Float(input.scale)),
                           inverseScale: Float32Parts(inverse), outputZeroPoint: Int32(output.zeroPoint),
                           lanes: model.scheme.atenFloatLanes,
                           outputMin: Int32(range.lowerBound), outputMax: Int32(range.upperBound))
    }

    /// reduce_all's sum of one row (above).
    static func sum(_ e: [Float], lanes: Int) -> Float {
        if e.count < lanes { return e.dropFirst().reduce(e[0], +) }
        var lane = Array(e[0..<lanes])
        for i in lanes..<e.count { lane[i % lanes] += e[i] }
        var half = lanes / 2
        while half > 0 {
            for i in 0..<half { lane[i] += lane[i + half] }
            half /= 2
        }
        return lane[0]
    }

    /// One row in binary32: its exponentials, their sum and the quantized outputs.
    func row(_ codes: ArraySlice<Int32>) -> (e: [Float], sum: Float, y: [Int32]) {
        let s = scale.value
        let x = codes.map { Float($0 - zeroPoint) * s }
        let top = x.max()!
        let e = x.map { FloatExp.sleef($0 - top) }
        let sum = Self.sum(e, lanes: lanes)
        let t = 1 / sum
        let y = e.map { v -> Int32 in
            let r = ((v * t) * inverseScale.value).rounded(.toNearestOrEven)
            return Int32(max(Float(outputMin - outputZeroPoint), min(Float(outputMax - outputZeroPoint), r))) + outputZeroPoint
        }
        return (e, sum, y)
    }
}

extension ATenSoftmax: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<outer).flatMap { r in row(inputs[0][(r * depth)..<((r + 1) * depth)]).y }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        RealSoftmax.rows(inputs[0], depth: depth)
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let r = flat / depth, k = flat - r * depth
        let codes = inputs[0][(r * depth)..<((r + 1) * depth)]
        let result = row(codes)
        let x = Float(inputs[0][flat] - zeroPoint) * scale.value, top = Float(codes.max()! - zeroPoint) * scale.value
        return ["row \(r): \(depth) inputs, dequantized float(q - \(zeroPoint)) * \(scale.value); max \(top)",
                "sum of SLEEF's expf(x - max) in ATen's reduce_all order (\(lanes) lanes) = \(result.sum)",
                "this element: x = \(x); e = expf(\(x - top)) = \(result.e[k]); y = e * (1 / sum) = \(result.e[k] * (1 / result.sum))",
                "quantized: RNE(y * \(inverseScale.value)) + \(outputZeroPoint), clamped = \(result.y[k])"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]]
        return EmittedNode(arrays: [], kernel: ATenSoftmaxKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            cType: Emitter.cType(x.dtype), outer: outer, depth: depth, zeroPoint: zeroPoint, scale: scale, inverseScale: inverseScale,
            scaleText: "\(scale.value)", inverseScaleText: "\(inverseScale.value)", outputZeroPoint: outputZeroPoint,
            lanes: lanes, halfLanes: lanes / 2, shortRows: depth < lanes, outputMin: outputMin, outputMax: outputMax),
            helpers: [EmittedNode.float32Core, EmittedNode.float32Add, EmittedNode.float32Fma, EmittedNode.float32Div, EmittedNode.float32Exp])
    }
}

/// Templates/kernel_softmax_aten.mustache.
struct ATenSoftmaxKernel: KernelContext {
    var template: String { "kernel_softmax_aten" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var outer: Int
    var depth: Int
    var zeroPoint: Int32
    var scale: Float32Parts
    var inverseScale: Float32Parts
    var scaleText: String
    var inverseScaleText: String
    var outputZeroPoint: Int32
    var lanes: Int
    var halfLanes: Int
    /// Rows shorter than the lanes sum in order.
    var shortRows: Bool
    var outputMin: Int32
    var outputMax: Int32
}
