import QGen
import QGenArithmetic

// PyTorch's quantized activations under fbgemm and qnnpack, each a function of one 8-bit code, so
// a table (two where ATen's vector and scalar paths differ, ATen.swift). Read from
// aten/src/ATen/native/quantized/cpu/kernels/QuantizedOpKernels.cpp and QNNPACK's operators, and
// measured against torch 2.15 (Tests/Fixtures/engines/pytorch_ops.json):
//
//   relu        max(q, zp)                                   (qrelu: integers, output = input quantization)
//   relu6       min(max(q, zp), quantize_val(6.0))           (hardtanh's qclamp: integers, likewise; under
//               qnnpack on a channels-last quint8 tensor PyTorch permutes its own result, refused)
//   hardswish   f(x) = x · min(max(x + 3, 0), 6) / 6, output quantization free
//               ATen (fbgemm; qnnpack on qint8): vector path with inv = float(1.0 / s_out), scalar path
//               QNNPACK (qnnpack on quint8): one table, y = lrintf(f(x) · (1/s_out) + zp_out) (zp in float)
//   hardsigmoid f(x) = min(max(x + 3, 0), 6) / 6, output scale 1/256, zero point 0 (quint8) or −128 (qint8)
//               ATen's two paths, or under qnnpack on quint8 QNNPACK's table
//   leaky_relu  f(x) = x > 0 ? x : x · float(α); ATen on both engines, vector inv = 1.0f / float(s_out)
//
//   sigmoid     f(x) = 1 / (1 + exp(−x)), output scale 1/256, zero point 0 (quint8) or −128 (qint8)
//               ATen: vector path 1 / (1 + SLEEF's expf(−x)) in binary32 (FloatExp.swift), inv =
//               float(1.0 / s_out); scalar path float(1.0 / (1.0 + double(expf(−x)))) (glibc's expf)
//               QNNPACK (qnnpack on quint8): lrintf(256 / (1 + expf(−x)))
//   tanh        output scale 2/256, zero point 128 (quint8) or 0 (qint8)
//               ATen: vector path SLEEF's tanhf (SleefTanh.swift) of the fma dequantization, times 128;
//               scalar path the C library's tanhf (glibc's)
//               QNNPACK (qnnpack on quint8): lrintf(128 · tanhf(x) + 128)
//
// where x is the path's dequantized input.
enum PyTorchTable {
    static func lower(_ function: Lookup.Function, alpha: Double, _ node: ResolvedNode, formats: [MemoryFormat], in model: ResolvedModel,
                      log: inout DiagnosticLog) -> LoweredLookup? {
        let scheme = model.scheme, what = node.what, at = node.location
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        let lowest = Int32(input.dtype.range.lowerBound)
        let codes = Array(input.dtype.range)
        let qnnpackTables = scheme == .qnnpack && input.dtype == .uint8
        switch function {
        case .relu, .relu6:
            guard output == input else {
                log.error("\(what): PyTorch's quantized \(function == .relu ? "relu" : "relu6") keeps the input's quantization (scale \(input.scale), zero point \(input.zeroPoint)), but the output is scale \(output.scale), zero point \(output.zeroPoint); leave output: out", at: at)
                return nil
            }
            let zp = Int32(input.zeroPoint)
            if function == .relu {
                return LoweredLookup(table: codes.map { max(Int32($0), zp) }, text: "PyTorch's quantized relu: max(x, \(zp))", lowestCode: lowest, tail: nil)
            }
            let shape = model.tensors[node.output].shape
            if function == .relu6 && qnnpackTables && formats == [.channelsLast] && shape.count == 4 && shape[1] > 1 && shape[2] * shape[3] > 1 {
                // qnnpack_clamp runs on the channels-last buffer but labels its output contiguous
                // (measured, torch 2.15): PyTorch's own values come out permuted.
                log.error("\(what): PyTorch's qnnpack relu6 (hardtanh) on a channels-last quint8 tensor returns its values in the wrong order (the clamped NHWC buffer labelled NCHW), which qgen does not reproduce; call .contiguous() on the input before ReLU6 in the model, use ReLU, or convert under fbgemm", at: at)
                return nil
            }
            let six = ATen.quantize(6, inverse: ATen.scalarInverse(input), input)
            return LoweredLookup(table: codes.map { min(max(Int32($0), zp), six) },
                                 text: "PyTorch's quantized relu6 (hardtanh's clamp): clamp [\(zp), \(six)], \(six) = quantize_val(6.0)", lowestCode: lowest, tail: nil)
        case .hardSwish, .hardSigmoid, .leakyRelu:
            let f: (Float) -> Float
            let name: String
            switch function {
            case .hardSwish: (f, name) = ({ x in x * min(max(x + 3, 0), 6) / 6 }, "hardswish")
            case .hardSigmoid: (f, name) = ({ x in min(max(x + 3, 0), 6) / 6 }, "hardsigmoid")
            default:
                let slope = Float(alpha)
                (f, name) = ({ x in x > 0 ? x : x * slope }, "leaky_relu")
            }
            if function == .hardSigmoid {
                let fixed = QuantParams(dtype: input.dtype, scale: 1.0 / 256, zeroPoint: input.dtype == .int8 ? -128 : 0)
                guard output == fixed else {
                    log.error("\(what): PyTorch's quantized hardsigmoid produces scale 1/256 with zero point \(fixed.zeroPoint) for \(input.dtype), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
                    return nil
                }
            }
            if qnnpackTables && function != .leakyRelu {
                // QNNPACK's lookup-table operators: the zero point is added in binary32 before lrintf.
                let inverse = 1 / Float(output.scale), low = Float(output.dtype.range.lowerBound), high = Float(output.dtype.range.upperBound)
                let table: [Int32] = codes.map { q in
                    let v = min(max(f(ATen.scalarDequantize(q, input)) * inverse + Float(output.zeroPoint), low), high)
                    return Int32(v.rounded(.toNearestOrEven))
                }
                return LoweredLookup(table: table, text: "QNNPACK's \(name) table: lrintf(f(s_in * (x - zp_in)) / s_out + zp_out)", lowestCode: lowest, tail: nil)
            }
            let vectorInverse = function == .leakyRelu ? ATen.scalarInverse(output) : ATen.doubleInverse(output)
            let vector = codes.map { ATen.quantize(f(ATen.vectorDequantize($0, input)), inverse: vectorInverse, output) }
            let scalar = codes.map { ATen.quantize(f(ATen.scalarDequantize($0, input)), inverse: ATen.scalarInverse(output), output) }
            let count = model.tensors[node.output].count
            let loop = ATenLoop.make(count: count, scheme: scheme, shape: model.tensors[node.output].shape, formats: formats)
            return LoweredLookup(table: vector, text: "ATen's \(name), vector path: fma dequantization, f, times \(function == .leakyRelu ? "1.0f / s_out" : "float(1.0 / s_out)")",
                                 lowestCode: lowest, tail: vector == scalar ? nil : LookupTail(table: scalar, loop: loop, text: "ATen's \(name), scalar path"))
        case .logistic:
            let fixed = QuantParams(dtype: input.dtype, scale: 1.0 / 256, zeroPoint: input.dtype == .int8 ? -128 : 0)
            guard output == fixed else {
                log.error("\(what): PyTorch's quantized sigmoid produces scale 1/256 with zero point \(fixed.zeroPoint) for \(input.dtype), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
                return nil
            }
            if qnnpackTables {
                // QNNPACK's sigmoid operator: lrintf(256 / (1 + expf(−x))), clamped to [0, 255].
                let table: [Int32] = codes.map { q in
                    let v = min(max(Float(256) / (1 + FloatExp.library(-ATen.scalarDequantize(q, input))), 0), 255)
                    return Int32(v.rounded(.toNearestOrEven))
                }
                return LoweredLookup(table: table, text: "QNNPACK's sigmoid table: lrintf(256 / (1 + expf(-s_in * (x - zp_in))))", lowestCode: lowest, tail: nil)
            }
            // Both paths dequantize s · float(q − zp) (the vector path without the fused form).
            let vector = codes.map { q in
                ATen.quantize(1 / (1 + FloatExp.sleef(-ATen.scalarDequantize(q, input))), inverse: ATen.doubleInverse(output), output)
            }
            let scalar = codes.map { q in
                ATen.quantize(Float(1.0 / (1.0 + Double(FloatExp.library(-ATen.scalarDequantize(q, input))))), inverse: ATen.scalarInverse(output), output)
            }
            let loop = ATenLoop.make(count: model.tensors[node.output].count, scheme: scheme, shape: model.tensors[node.output].shape, formats: formats)
            return LoweredLookup(table: vector, text: "ATen's sigmoid, vector path: 1 / (1 + SLEEF's expf(-x)) in binary32, times float(1.0 / s_out)",
                                 lowestCode: lowest, tail: vector == scalar ? nil : LookupTail(table: scalar, loop: loop, text: "ATen's sigmoid, scalar path: float(1.0 / (1.0 + double(expf(-x))))"))
        case .tanh:
            let fixed = QuantParams(dtype: input.dtype, scale: 2.0 / 256, zeroPoint: input.dtype == .int8 ? 0 : 128)
            guard output == fixed else {
                log.error("\(what): PyTorch's quantized tanh produces scale 2/256 with zero point \(fixed.zeroPoint) for \(input.dtype), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
                return nil
            }
            if qnnpackTables {
                // QNNPACK's tanh operator: lrintf(128 · tanhf(x) + 128), clamped to [0, 255].
                let table: [Int32] = codes.map { q in
                    Int32(min(max(128 * FloatExp.libraryTanh(ATen.scalarDequantize(q, input)) + 128, 0), 255).rounded(.toNearestOrEven))
                }
                return LoweredLookup(table: table, text: "QNNPACK's tanh table: lrintf(128 * tanhf(s_in * (x - zp_in)) + 128)", lowestCode: lowest, tail: nil)
            }
            let vector = codes.map { ATen.quantize(SleefTanh.tanh(ATen.vectorDequantize($0, input)), inverse: ATen.doubleInverse(output), output) }
            let scalar = codes.map { ATen.quantize(FloatExp.libraryTanh(ATen.scalarDequantize($0, input)), inverse: ATen.scalarInverse(output), output) }
            let loop = ATenLoop.make(count: model.tensors[node.output].count, scheme: scheme, shape: model.tensors[node.output].shape, formats: formats)
            return LoweredLookup(table: vector, text: "ATen's tanh, vector path: fma dequantization, SLEEF's tanhf (double-float), times 128",
                                 lowestCode: lowest, tail: vector == scalar ? nil : LookupTail(table: scalar, loop: loop, text: "ATen's tanh, scalar path: tanhf (the C library's), times 128"))
        }
    }
}
