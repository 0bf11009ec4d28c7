import QGen

/// A fused activation as a clamp of output codes, TFLite's `CalculateActivationRangeQuantized`:
/// each real limit becomes `zero_point + round_half_away(float(limit) / float(scale))`, intersected
/// with the output type's range. Shared by every op with a fused activation.
struct ActivationRange {
    var min: Int32
    var max: Int32
    /// `none`, `ReLU`, `ReLU6`, `clamp(a, b)`, for comments.
    var text: String

    /// Logs an error (and returns nil) when no output code is left, a warning when one is.
    init?(_ activation: Activation, output: QuantParams, what: String, at: SourceLocation, log: inout DiagnosticLog) {
        let zy = output.zeroPoint
        func quantizeLimit(_ limit: Double) -> Int {
            let q = Double((Float(limit) / Float(output.scale)).rounded(.toNearestOrAwayFromZero))
            return zy + Int(Swift.max(Swift.min(q, 1e9), -1e9))
        }
        var lo = output.dtype.range.lowerBound, hi = output.dtype.range.upperBound
        switch activation {
        case .none: text = "none"
        case .relu: lo = Swift.max(lo, zy); text = "ReLU"
        case .relu6: lo = Swift.max(lo, zy); hi = Swift.min(hi, quantizeLimit(6)); text = "ReLU6"
        case .clamp(let a, let b): lo = Swift.max(lo, quantizeLimit(a)); hi = Swift.min(hi, quantizeLimit(b)); text = "clamp(\(a), \(b))"
        }
        if lo > hi {
            log.error("\(what): activation \(text) leaves no representable output value with output scale \(output.scale) and zero point \(zy) (clamp [\(lo), \(hi)])", at: at)
            return nil
        }
        if lo == hi && activation != .none {
            log.warning("\(what): activation \(text) leaves one output value with output scale \(output.scale) and zero point \(zy) (clamp [\(lo), \(hi)]): every output of the layer is \(lo); move the zero point so that the activation's range is representable", at: at)
        }
        min = Int32(lo)
        max = Int32(hi)
    }
}
