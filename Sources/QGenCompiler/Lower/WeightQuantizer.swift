import QGen

/// Quantizes real weights to int8 by a `WeightQuantization` rule (formulas in its doc comment).
enum WeightQuantizer {
    struct Result: Equatable {
        var values: [Int8]
        var scales: [Double]
        var zeroPoints: [Int]
    }

    /// float32 epsilon, the smallest scale PyTorch's observers produce.
    static let minimumScale = Double(Float.ulpOfOne)

    static func quantize(_ values: [Double], channels: Int, rule: WeightQuantization) -> Result {
        let groups = rule.granularity == .perChannel ? channels : 1
        let per = values.count / groups
        let qmin = rule.range == .full ? -128 : -127
        let qmax = 127
        // PyTorch's nearbyint for the full range, TFLite's std::round for the narrow one.
        let rounding: FloatingPointRoundingRule = rule.range == .full ? .toNearestOrEven : .toNearestOrAwayFromZero
        var result = Result(values: [], scales: [], zeroPoints: [])
        result.values.reserveCapacity(values.count)
        for g in 0..<groups {
            let slice = values[(g * per)..<((g + 1) * per)]
            let lo = min(slice.min() ?? 0, 0), hi = max(slice.max() ?? 0, 0)
            var scale: Double
            var zeroPoint = 0
            switch rule.mode {
            case .symmetric:
                scale = max(-lo, hi) / (Double(qmax - qmin) / 2)
                scale = max(scale, minimumScale)
            case .affine:
                scale = max((hi - lo) / Double(qmax - qmin), minimumScale)
                zeroPoint = min(max(qmin - Int((lo / scale).rounded(.toNearestOrEven)), qmin), qmax)
            }
            for w in slice {
                let q = Int((w / scale).rounded(rounding)) + zeroPoint
                result.values.append(Int8(min(max(q, qmin), qmax)))
            }
            result.scales.append(scale)
            result.zeroPoints.append(zeroPoint)
        }
        return result
    }
}
