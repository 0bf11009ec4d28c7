import QGen
import QGenArithmetic

// PyTorch's quantized avg_pool2d (aten/src/ATen/native/quantized/cpu/AveragePool2d.cpp and
// QuantizedOpKernels.cpp; QNNPACK's average-pooling operator), measured against torch 2.15
// (Tests/Fixtures/engines/pytorch_ops.json). The output keeps the input's quantization. Every path
// sums the window's codes over the input it covers (`size` of them) as an exact integer,
// acc = Σq − size · zp, and divides by d:
//
//   d = divisor_override, else the window's extent over the padded input (count_include_pad: rows
//       min(y0 + k, H + pad) − y0, likewise columns), else `size`
//
// then rounds in binary32 by the path PyTorch takes:
//
//   contiguous input (avg_pool2d_out_frame)    y = RNE(float(float(acc) · float(1.0 / d)) + float(zp))
//   channels-last input (qavg_pool2d_nhwc)     y = zp + RNE(float(acc) · (1.0f / float(d)))
//     (its vector channels, below ⌊C/8⌋·8, round in QuantizeAvx2, the rest in quantize_val by
//     1.0f / (1.0f / m): the same multiplier for every d below 10^5, checked exhaustively)
//   qnnpack engine, quint8, no ceil_mode          y = zp + RNE(float(acc) · m), m = s / (s · float(kH · kW))
//     (QNNPACK, whatever the input's format)       in binary32 with s = float(scale), which can differ from
//                                                  1 / (kH · kW) by an ulp either way (measured: a tie
//                                                  then rounds by it). d is always the kernel's area: QNNPACK ignores
//                                                  count_include_pad and divisor_override, and
//                                                  refuses a 1 × 1 kernel
//
// each clamped to the type's range. d depends only on the output row and column, so the
// multipliers are tabulated per (row class, column class).

/// The rounding stage of a PyTorch average pooling (LoweredPool.pytorch).
public struct PyTorchAverage: Equatable, Codable, Sendable {
    public enum Path: String, Codable, Sendable {
        case contiguous, channelsLast, qnnpack
    }
    public var path: Path
    /// The class of each output row and column; window (oy, ox) divides by
    /// `divisors[rowClass[oy] · columnClasses + columnClass[ox]]`.
    public var rowClass: [Int]
    public var columnClass: [Int]
    public var columnClasses: Int
    public var divisors: [Int]
    /// Per class: the binary32 multiplier.
    public var multipliers: [Float32Parts]
    public var zeroPoint: Int32
    /// The contiguous path adds float(zp) before rounding; nil: zp is added to the rounded integer.
    public var floatZeroPoint: Float32Parts?

    func divisorClass(_ oy: Int, _ ox: Int) -> Int { rowClass[oy] * columnClasses + columnClass[ox] }

    /// The output code before the activation's clamp, for `acc` = Σq − size · zp.
    func code(_ acc: Int32, _ oy: Int, _ ox: Int) -> Int64 {
        let t = Float(acc) * multipliers[divisorClass(oy, ox)].value
        if let z = floatZeroPoint { return Int64((t + z.value).rounded(.toNearestOrEven)) }
        return Int64(t.rounded(.toNearestOrEven)) + Int64(zeroPoint)
    }

    var engineText: String {
        switch path {
        case .contiguous: return "PyTorch's avg_pool2d on a contiguous tensor (ATen's avg_pool2d_out_frame): RNE(float(acc) * float(1.0 / d) + float(zp)) in binary32"
        case .channelsLast: return "PyTorch's avg_pool2d on a channels-last tensor (ATen's qavg_pool2d_nhwc): zp + RNE(float(acc) * (1.0f / d)) in binary32"
        case .qnnpack: return "PyTorch's avg_pool2d under qnnpack (QNNPACK's average pooling): zp + RNE(float(acc) * (s / (s * kH * kW))) in binary32; QNNPACK ignores count_include_pad and divisor_override"
        }
    }

    static func lower(_ pool: ResolvedPool, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> PyTorchAverage? {
        let scheme = model.scheme, what = node.what, at = node.location, g = pool.geometry
        let quant = model.tensors[node.inputs[0]].quant
        guard quant.dtype != .int16 else {
            log.error("\(what): PyTorch's quantized avg_pool2d takes quint8 or qint8 tensors, not int16", at: at)
            return nil
        }
        let path: Path
        if scheme == .qnnpack && quant.dtype == .uint8 && !pool.ceilMode {
            path = .qnnpack
            guard g.kernelHeight * g.kernelWidth > 1 else {
                log.error("\(what): PyTorch's qnnpack engine refuses a 1x1 average pooling of quint8 (QNNPACK: \"1x1 pooling is meaningless\"); remove the layer, it copies its input", at: at)
                return nil
            }
            if !pool.countIncludePad || pool.divisor != nil {
                log.warning("\(what): under qnnpack, PyTorch's quint8 avg_pool2d runs QNNPACK, which divides every window by the kernel's area \(g.kernelHeight * g.kernelWidth) whatever count_include_pad and divisor_override say; qgen computes what QNNPACK does", at: at)
            }
        } else {
            path = pool.memoryFormats == [.channelsLast] ? .channelsLast : .contiguous
        }
        // Row (column) classes: distinct (covered, padded-extent) pairs of the output rows (columns).
        func classes(_ windows: [(covered: Int, extent: Int)]) -> (of: [Int], factors: [(covered: Int, extent: Int)]) {
            var factors: [(covered: Int, extent: Int)] = [], of: [Int] = []
            for f in windows {
                if let k = factors.firstIndex(where: { $0 == f }) { of.append(k) } else { of.append(factors.count); factors.append(f) }
            }
            return (of, factors)
        }
        var rows = classes(g.rowWindows), columns = classes(g.columnWindows)
        var divisors: [Int] = [], sizes: [Int] = []
        for r in rows.factors {
            for c in columns.factors {
                sizes.append(r.covered * c.covered)
                divisors.append(path == .qnnpack ? g.kernelHeight * g.kernelWidth
                                : pool.divisor ?? (pool.countIncludePad ? r.extent * c.extent : r.covered * c.covered))
            }
        }
        // One divisor for every window (QNNPACK, a divisor override, count_include_pad inside the
        // padding): one class, a constant in the C.
        if Set(divisors).count == 1 {
            rows.of = rows.of.map { _ in 0 }
            columns.of = columns.of.map { _ in 0 }
            columns.factors = [columns.factors[0]]
            (divisors, sizes) = ([divisors[0]], [sizes.max()!])
        }
        let s = Float(quant.scale)
        let vector: [Float] = divisors.map { d in
            switch path {
            case .contiguous: return Float(1.0 / Double(d))
            case .channelsLast: return 1 / Float(d)
            case .qnnpack: return s / (s * Float(d))
            }
        }
        if path == .channelsLast, let d = divisors.first(where: { d in let m = 1 / Float(d); return 1 / (1 / m) != m }) {
            log.error("\(what): divisor \(d) rounds differently on ATen's vector and scalar channels, which qgen does not model; use a divisor below 100000", at: at)
            return nil
        }
        // |acc · m| stays far below 2^31 (the float-to-integer conversions' range).
        let span = Double(quant.dtype.range.upperBound - quant.dtype.range.lowerBound)
        for (k, d) in divisors.enumerated() where span * Double(sizes[k]) * Double(vector[k]) >= 0x1p30 {
            log.error("\(what): a window of \(sizes[k]) elements divided by \(d) reaches \(FixedPointMultiplier.format(span * Double(sizes[k]) / Double(d))) codes (the limit is 2^30); use a larger divisor", at: at)
            return nil
        }
        return PyTorchAverage(
            path: path, rowClass: rows.of, columnClass: columns.of, columnClasses: columns.factors.count, divisors: divisors,
            multipliers: vector.map(Float32Parts.init), zeroPoint: Int32(quant.zeroPoint), floatZeroPoint: path == .contiguous ? Float32Parts(Float(quant.zeroPoint)) : nil)
    }
}
