import QGen
import QGenArithmetic

// ATen's quantized CPU kernels (aten/src/ATen/native/quantized/cpu), which PyTorch runs under both
// of its engines for the ops QNNPACK does not take over. Their elementwise loop (cpu_kernel_vec)
// runs over the tensor in memory order, blocks of `block` elements (2 · Vectorized<quint8>::size():
// 64 with AVX2, 128 with AVX512) on the vector path and the rest on the scalar path, and the two
// paths round differently:
//
//   vector  d = fma(float(q), s, s · −float(zp))   (Vectorized::dequantize)
//           y = zp_out + RNE(f(d) · inv)            (Vec::quantize; each kernel forms inv itself)
//   scalar  d = s · float(q − zp)                   (dequantize_val)
//           y = zp_out + RNE(f(d) · (1.0f / s_out)) (quantize_val: fbgemm::Quantize, LEGACY = false)
//
// with s = float(scale), and y clamped to the type's range.

/// Which elements of an ATen elementwise loop take the vector path.
public struct ATenLoop: Equatable, Codable, Sendable {
    /// Elements whose position in the loop is below this take the vector path.
    public var vectorEnd: Int
    /// Channels-last 4-D tensors: the loop runs in NHWC order over planes of this many elements
    /// (H·W) and this many channels; nil: in qgen's NCHW order.
    public var nhwcPlane: Int?
    public var nhwcChannels: Int?

    /// The loop over `count` elements shaped `shape` (NCHW) whose inputs PyTorch holds in
    /// `formats`: in memory order when the inputs agree, all scalar when channels-last meets
    /// contiguous (TensorIterator then finds no common contiguous order; measured with torch 2.15).
    /// A 4-D tensor with one channel or a 1×1 plane has one order in both formats.
    static func make(count: Int, scheme: RequantizationScheme, shape: [Int], formats: [MemoryFormat]) -> ATenLoop {
        let block = scheme.elementwiseVectorBlock ?? 64
        var loop = ATenLoop(vectorEnd: count / block * block, nhwcPlane: nil, nhwcChannels: nil)
        if shape.count == 4 && shape[1] > 1 && shape[2] * shape[3] > 1 && formats.contains(.channelsLast) {
            if formats.allSatisfy({ $0 == .channelsLast }) {
                (loop.nhwcPlane, loop.nhwcChannels) = (shape[2] * shape[3], shape[1])
            } else {
                loop.vectorEnd = 0
            }
        }
        return loop
    }

    /// Element `i`'s (NCHW index) position in the loop.
    func position(_ i: Int) -> Int {
        guard let plane = nhwcPlane, let channels = nhwcChannels else { return i }
        let image = plane * channels, within = i % image
        return i - within + (within % plane) * channels + within / plane
    }

    func isVector(_ i: Int) -> Bool { position(i) < vectorEnd }

    /// The C expression of element `i`'s position (an int32_t `i` in scope).
    var cPosition: String {
        guard let plane = nhwcPlane, let channels = nhwcChannels else { return "i" }
        let image = plane * channels
        return "i - i % \(image) + (i % \(plane)) * \(channels) + (i % \(image)) / \(plane)"
    }

    /// For explanations: "element 5" or "element 5, position 12 in NHWC order,".
    func describe(_ i: Int) -> String {
        nhwcPlane == nil ? "element \(i)" : "element \(i), position \(position(i)) in NHWC order,"
    }
}

/// ATen's dequantizations and quantization in binary32 (Swift's `Float` is IEEE binary32 and its
/// `addingProduct` is the fused multiply-add).
enum ATen {
    /// The vector path's `fma(float(q), s, s · −float(zp))`.
    static func vectorDequantize(_ q: Int, _ input: QuantParams) -> Float {
        let s = Float(input.scale)
        return (s * -Float(input.zeroPoint)).addingProduct(Float(q), s)
    }

    /// The scalar path's `s · float(q − zp)`.
    static func scalarDequantize(_ q: Int, _ input: QuantParams) -> Float {
        Float(input.scale) * Float(q - input.zeroPoint)
    }

    /// `zp_out + RNE(y · inverse)`, clamped to the output type. Beyond the type's range every path
    /// saturates (fbgemm clips below 2^31 before converting; the scalar path clamps in double).
    static func quantize(_ y: Float, inverse: Float, _ output: QuantParams) -> Int32 {
        let t = min(max((y * inverse).rounded(.toNearestOrEven), -0x1p40), 0x1p40)
        let r = Int64(t) + Int64(output.zeroPoint)
        return Int32(min(max(r, Int64(output.dtype.range.lowerBound)), Int64(output.dtype.range.upperBound)))
    }

    /// quantize_val's reciprocal, `1.0f / float(s_out)`.
    static func scalarInverse(_ output: QuantParams) -> Float { 1 / Float(output.scale) }

    /// The reciprocal most vector kernels pass, `float(1.0 / s_out)` (a double division).
    static func doubleInverse(_ output: QuantParams) -> Float { Float(1.0 / output.scale) }
}
