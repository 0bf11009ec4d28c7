import QGen
import QGenArithmetic

// ONNX Runtime's QLinearAveragePool (com.microsoft; onnxruntime/contrib_ops/cpu/quantization/
// qlinear_pool.cc), which ONNX Runtime also runs for a QDQ DequantizeLinear → AveragePool →
// QuantizeLinear group, entirely in binary32 (measured against onnxruntime 1.32,
// Tests/Fixtures/onnx/ops):
//
//   x  = s_x · float(q − zp_x)                      each input code dequantized, one rounding
//   S  = ((0 + x_0) + x_1) + …                      the window's covered inputs, row by row
//   y  = S / float(d)                               d = kH · kW (count_include_pad), else the covered count
//   q' = clamp(RNE(y / s_y + float(zp_y)), type)    each operation rounded to binary32
//
// The window is clipped to the input (padding is never summed); with ceil_mode the last window
// may overhang, and count_include_pad still divides it by the kernel's area.

/// The rounding stage of ONNX Runtime's average pooling (LoweredPool.onnxRuntime).
public struct ONNXRuntimeAverage: Equatable, Codable, Sendable {
    public var inputScale: Float32Parts
    public var inputZeroPoint: Int32
    public var outputScale: Float32Parts
    public var outputZeroPoint: Float32Parts
    /// count_include_pad: every window divides by this (the kernel's area); nil: by its covered count.
    public var kernelArea: Int?

    /// The output code before the clamp, for a window's covered codes in row order.
    func code(_ values: [Int32]) -> Int64 {
        var sum: Float = 0
        for q in values { sum += inputScale.value * Float(q - inputZeroPoint) }
        let y = sum / Float(kernelArea ?? values.count)
        return Int64((y / outputScale.value + outputZeroPoint.value).rounded(.toNearestOrEven))
    }

    static func lower(_ pool: ResolvedPool, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> ONNXRuntimeAverage? {
        let what = node.what, at = node.location, g = pool.geometry
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        guard input.dtype != .int16 else {
            log.error("\(what): ONNX Runtime's QLinearAveragePool takes uint8 or int8 tensors, not int16", at: at)
            return nil
        }
        guard pool.divisor == nil && pool.memoryFormats.allSatisfy({ $0 == .contiguous }) else {
            log.error("\(what): divisor and memoryFormats are PyTorch's (fbgemm, qnnpack); ONNX Runtime's average pooling divides by the kernel's area (countIncludePad) or the covered count", at: at)
            return nil
        }
        // |y / s_y| stays far below 2^31: an average is within the input's range of real values.
        let span = Double(input.dtype.range.upperBound - input.dtype.range.lowerBound) * Double(Float(input.scale)) / Double(Float(output.scale))
        guard span < 0x1p30 else {
            log.error("\(what): s_in/s_out = \(FixedPointMultiplier.format(Double(Float(input.scale)) / Double(Float(output.scale)))) is too large: averages reach \(FixedPointMultiplier.format(span)) output steps (the limit is 2^30); choose a larger output scale", at: at)
            return nil
        }
        return ONNXRuntimeAverage(inputScale: Float32Parts(Float(input.scale)), inputZeroPoint: Int32(input.zeroPoint),
                                  outputScale: Float32Parts(Float(output.scale)), outputZeroPoint: Float32Parts(Float(output.zeroPoint)),
                                  kernelArea: pool.countIncludePad ? g.kernelHeight * g.kernelWidth : nil)
    }
}
