import Foundation
import QGen

// PyTorch's quantized softmax under the qnnpack engine on a quint8 tensor with output scale 1/256
// and zero point 0 (ATen's qsoftmax_qnnpack, QNNPACK's softargmax operator and its u8lut32norm
// kernel), integers only once the table is built:
//
//     q      = min(double(UINT32_MAX) / n, 8388607)                 (n: the row length)
//     T[i]   = lrint(q · exp(double(i − 255) · double(s_in)))       (i = 0…255, at lowering)
//     t      = T[x + 255 − max(row)],  sum = Σ t  (uint32, wrapping as QNNPACK's does)
//     y      = min(((t << 8) + (sum >> 1)) / sum, 255)               (uint32, the quotient truncated)
//
// `exp` is the C library's double exp: emit on Linux (glibc), as PyTorch's Linux build, for its table.
// Other output quantizations run ATen's float path (ATenSoftmax.swift).

/// The lowered QNNPACK softmax (above).
public struct QNNPACKSoftmax: Equatable, Codable, Sendable {
    public var depth: Int
    public var outer: Int
    /// T[i], i = 0…255.
    public var table: [UInt32]

    /// ATen's is_qnnpack_compatible: the qnnpack engine, a quint8 input, output scale 1/256 and zero point 0.
    static func applies(_ node: ResolvedNode, in model: ResolvedModel) -> Bool {
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        return model.scheme == .qnnpack && input.dtype == .uint8 && output == QuantParams(dtype: .uint8, scale: 1.0 / 256, zeroPoint: 0)
    }

    static func lower(_ softmax: ResolvedSoftmax, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> QNNPACKSoftmax? {
        let input = model.tensors[node.inputs[0]].quant
        guard softmax.beta == 1 else {
            log.error("\(node.what): beta is \(softmax.beta); PyTorch's softmax has no beta (give 1)", at: node.location)
            return nil
        }
        let q = min(Double(UInt32.max) / Double(softmax.depth), 8388607.0)
        let s = Double(Float(input.scale))
        let table = (0..<256).map { i in UInt32((q * exp(Double(i - 255) * s)).rounded(.toNearestOrEven)) }
        // A row of equal codes sums depth · T[255]; beyond 2^32 − 1 QNNPACK's uint32 sum wraps (to 0
        // for some lengths, a division by zero).
        guard UInt64(softmax.depth) * UInt64(table[255]) <= UInt64(UInt32.max) else {
            log.error("\(node.what): rows of \(softmax.depth) values can overflow QNNPACK's uint32 sum of exponentials (\(softmax.depth) × \(table[255]) > 2^32 − 1), where PyTorch's result wraps; qgen refuses such rows", at: node.location)
            return nil
        }
        return QNNPACKSoftmax(depth: softmax.depth, outer: softmax.outer, table: table)
    }

    func row(_ x: ArraySlice<Int32>) -> [Int32] {
        let top = x.max()!
        let t = x.map { table[Int(255 + $0 - top)] }
        let sum = t.reduce(UInt32(0), &+)
        return t.map { Int32(min(((($0 << 8) &+ (sum >> 1)) / sum), 255)) }
    }
}

extension QNNPACKSoftmax: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<outer).flatMap { r in row(inputs[0][(r * depth)..<((r + 1) * depth)]) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        RealSoftmax.rows(inputs[0], depth: depth)
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let r = flat / depth, x = inputs[0][(r * depth)..<((r + 1) * depth)], top = x.max()!
        let sum = x.map { table[Int(255 + $0 - top)] }.reduce(UInt32(0), &+), k = Int(255 + inputs[0][flat] - top)
        return ["row \(r): \(depth) inputs, max \(top); QNNPACK's uint32 sum of T[x + 255 - max] = \(sum)",
                "T[\(k)] = \(table[k]); ((T << 8) + sum / 2) / sum, at most 255 = \(row(x)[flat - r * depth])"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let names = EmittedNames.Layer(cName: node.cName)
        let array = CArray(name: "\(names.weights)_exp", cType: "uint32_t", comment: "\(node.name): QNNPACK's exponential table T[i] = lrint(q * exp((i - 255) * s_in))",
                           values: table.map(Int64.init), elementComments: nil)
        return EmittedNode(arrays: [array], kernel: QNNPACKSoftmaxKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)", outer: outer, depth: depth))
    }
}

/// Templates/kernel_softmax_qnnpack.mustache.
struct QNNPACKSoftmaxKernel: KernelContext {
    var template: String { "kernel_softmax_qnnpack" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var outer: Int
    var depth: Int
}
