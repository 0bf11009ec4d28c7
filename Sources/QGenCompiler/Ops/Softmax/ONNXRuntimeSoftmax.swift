import Foundation
import QGen
import QGenArithmetic

// ONNX Runtime's QLinearSoftmax (com.microsoft; contrib_ops/cpu/quantization/qlinear_softmax.cc
// with MLAS's AVX2 row kernel, mlas/lib/qsoftmax_kernel_avx2.cpp), which ONNX Runtime also runs for
// a QDQ DequantizeLinear → Softmax → QuantizeLinear group, over the last axis of D values,
// measured against onnxruntime 1.32 (Tests/Fixtures/onnx/ops):
//
//   shift   b = max(0, log(double(FLT_MAX / float(D))) − 5) / double(s_in)
//   table   T[k] = float(exp((double(k) − 255 + b) · double(s_in))), k = 0…255   (double exp and log)
//   row     t_i = T[255 + x_i − max(row)]
//   sum     eight binary32 lanes: lane j adds t_{16m+j}, then t_{16m+8+j}, for each whole block of 16;
//           the lanes reduced pairwise, P = ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)); the tail
//           (D mod 16 values) summed in order from 0; S = tail + P
//   output  y_i = RNE((t_i · c) / S) + zp_out, c = floorf(1.0f / s_out), every operation rounded to
//           binary32, saturated to the type's range
//
// Measured on the fixtures and on 20,000 random rows against onnxruntime 1.32: a sequential lane
// reduction or (1/S)·c misses codes; the tail's place in the sum and adding zp_out in binary32
// before rounding never changed a code (qgen follows the order above).
// emulated with integers in the C. T[255] · c must stay finite: a one-element row with c ≥ 149
// overflows, where ONNX Runtime's result is undefined, and qgen refuses it. The table is evaluated
// at lowering with the host's double exp and log (glibc's on Linux, as ONNX Runtime's).

/// `Softmax` lowered to ONNX Runtime's binary32 QLinearSoftmax.
public struct ONNXRuntimeSoftmax: Equatable, Codable, Sendable {
    public var depth: Int
    public var outer: Int
    /// T[k], the exponential of a code k − 255 steps above the row's maximum.
    public var table: [Float32Parts]
    /// c = floorf(1.0f / s_out).
    public var outputFactor: Float32Parts
    public var outputZeroPoint: Int32
    public var outputMin: Int32
    public var outputMax: Int32

    static func lower(_ op: ResolvedSoftmax, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> ONNXRuntimeSoftmax? {
        let what = node.what, at = node.location
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        guard op.beta == 1 else {
            log.error("\(what): ONNX Runtime's QLinearSoftmax has no beta; beta must be 1, got \(op.beta)", at: at)
            return nil
        }
        guard input.dtype != .int16 && output.dtype == input.dtype else {
            log.error("\(what): ONNX Runtime's QLinearSoftmax maps uint8 to uint8 or int8 to int8, not \(input.dtype) to \(output.dtype)", at: at)
            return nil
        }
        let s = Double(Float(input.scale))
        let shift = max(0, Foundation.log(Double(Float.greatestFiniteMagnitude / Float(op.depth))) - 5) / s
        let table = (0..<256).map { k in Float(Foundation.exp((Double(k) - 255 + shift) * s)) }
        let c = (1 / Float(output.scale)).rounded(.down)
        guard c >= 1, (table[255] * c).isFinite else {
            log.error("\(what): floor(1/s_out) = \(c) with \(op.depth) values per row leaves ONNX Runtime's binary32 range (its largest exponential times floor(1/s_out) overflows, where its result is undefined); normalize more values per row or use an output scale of at least \(FixedPointMultiplier.format(1 / Double(Float.greatestFiniteMagnitude / table[255].nextUp)))", at: at)
            return nil
        }
        let range = output.dtype.range
        return ONNXRuntimeSoftmax(depth: op.depth, outer: op.outer, table: table.map(Float32Parts.init), outputFactor: Float32Parts(c),
                                  outputZeroPoint: Int32(output.zeroPoint), outputMin: Int32(range.lowerBound), outputMax: Int32(range.upperBound))
    }

    /// The row's binary32 sum in MLAS's order: eight lanes over the blocks of 16, reduced pairwise,
    /// added to the tail's sum.
    func sum(_ t: [Float]) -> Float {
        var l = [Float](repeating: 0, count: 8), tail: Float = 0
        let blocked = t.count / 16 * 16
        for i in 0..<blocked { l[i % 8] += t[i] }
        for v in t[blocked...] { tail += v }
        return tail + (((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7])))
    }

    /// One row's codes, in binary32 as ONNX Runtime computes them.
    func row(_ x: ArraySlice<Int32>) -> [Int32] {
        let top = x.max()!
        let t = x.map { table[Int(255 + $0 - top)].value }
        let total = sum(t)
        return t.map { v in
            let y = Int64((v * outputFactor.value / total).rounded(.toNearestOrEven)) + Int64(outputZeroPoint)
            return Int32(min(max(y, Int64(outputMin)), Int64(outputMax)))
        }
    }
}

extension ONNXRuntimeSoftmax: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<outer).flatMap { row(inputs[0][($0 * depth)..<(($0 + 1) * depth)]) }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        RealSoftmax.rows(inputs[0], depth: depth)
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let r = flat / depth, x = inputs[0][(r * depth)..<((r + 1) * depth)], top = x.max()!
        let total = sum(x.map { table[Int(255 + $0 - top)].value })
        let k = Int(255 + inputs[0][flat] - top)
        return ["row \(r): \(depth) inputs, max \(top); MLAS's binary32 sum of T[255 + x - max] (eight lanes reduced pairwise, plus the tail) = \(total)",
                "T[\(k)] = \(table[k].value); * floor(1/s_out) \(outputFactor.value) / sum, rounded half to even, + zp \(outputZeroPoint), saturated = \(row(x)[flat - r * depth])"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]], names = EmittedNames.Layer(cName: node.cName)
        let native = options.floatRequant
        var arrays: [CArray] = []
        if native {
            arrays.append(CArray(name: "\(names.weights)_exp", cType: "float", comment: "\(node.name): ONNX Runtime's exponential table T[k], k = 255 + x - max",
                                 values: [], elementComments: nil, literals: table.map { Emitter.hexLiteral($0.value) }))
        } else {
            arrays.append(CArray(name: "\(names.weights)_exp_mantissa", cType: "int32_t", comment: "\(node.name): ONNX Runtime's exponential table T[k] (k = 255 + x - max): mantissas",
                                 values: table.map { Int64($0.mantissa) }, elementComments: nil))
            arrays.append(CArray(name: "\(names.weights)_exp_exponent", cType: "int32_t", comment: "\(node.name): the table's exponents",
                                 values: table.map { Int64($0.exponent) }, elementComments: nil))
        }
        return EmittedNode(arrays: arrays, kernel: ONNXRuntimeSoftmaxKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)", cType: Emitter.cType(x.dtype),
            outer: outer, depth: depth, blocked: depth / 16 * 16, native: native, factorMantissa: outputFactor.mantissa, factorExponent: outputFactor.exponent,
            factorLiteral: Emitter.hexLiteral(outputFactor.value), outputZeroPoint: outputZeroPoint, outputMin: outputMin, outputMax: outputMax),
            helpers: native ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Add, EmittedNode.float32Div])
    }
}

/// Templates/kernel_softmax_onnxruntime.mustache.
struct ONNXRuntimeSoftmaxKernel: KernelContext {
    var template: String { "kernel_softmax_onnxruntime" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var cType: String
    var outer: Int
    var depth: Int
    /// The elements in whole blocks of 16 (MLAS's vector loop); the rest is the scalar tail.
    var blocked: Int
    var native: Bool
    var factorMantissa: Int32
    var factorExponent: Int32
    var factorLiteral: String
    var outputZeroPoint: Int32
    var outputMin: Int32
    var outputMax: Int32
}
