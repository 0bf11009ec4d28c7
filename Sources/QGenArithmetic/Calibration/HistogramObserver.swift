/// PyTorch's `HistogramObserver`: a histogram of every value observed over `bins` equal bins between
/// the running minimum and maximum, then the range whose uniform quantization to 2^8 levels has the
/// least L2 error (an approximate search that drops bins from either end; caffe2's
/// NormMinimization), then `ObserverOptions.qparams(min:max:)` of that range.
///
/// Followed step by step from torch/ao/quantization/observer.py in float32 as ATen computes it
/// (`ATenFloat32`): a batch inside the current range is added bin by bin; one that widens it
/// re-bins the old histogram by splitting each bin into 16 (upsample_rate) and moving each part by
/// its midpoint. The search's error sums are taken in double where ATen sums float32 vectors (an
/// order that depends on the CPU's vector width); the two can only choose differently where two
/// candidate ranges' errors agree to float32 precision.
public struct HistogramObserver: Equatable, Sendable {
    public let options: ObserverOptions
    public let bins: Int
    public private(set) var histogram: [Float]
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity

    /// The number of levels the search quantizes to: 2^8 for both 8-bit types, reduced range or not.
    static let destinationBins = 256
    /// Sub-bins per bin when a wider range re-bins the histogram.
    static let upsampleRate = 16

    /// `bins`: PyTorch's default is 2048.
    public init(_ options: ObserverOptions, bins: Int = 2048) throws(ObserverError) {
        _ = try options.quantRange()
        guard bins >= 1, bins <= 1 << 20 else { throw .invalidOption("bins \(bins) must lie in 1...\(1 << 20)") }
        self.options = options
        self.bins = bins
        self.histogram = [Float](repeating: 0, count: bins)
    }

    public mutating func observe(_ batch: [Float]) throws(ObserverError) {
        guard !batch.isEmpty else { return }
        let (low, high) = try batch.finiteExtrema()
        if min == .infinity || max == -.infinity {
            (min, max) = (low, high)
            histogram = ATenFloat32.histc(batch, bins: bins, min: low, max: high)
            return
        }
        let newMin = Swift.min(min, low), newMax = Swift.max(max, high)
        let update = ATenFloat32.histc(batch, bins: bins, min: newMin, max: newMax)
        if newMin == min && newMax == max {
            histogram = zip(histogram, update).map { $0 + $1 }
            return
        }
        histogram = combined(update, newMin: newMin, newMax: newMax)
        (min, max) = (newMin, newMax)
    }

    /// `_combine_histograms`: the old histogram moved onto [newMin, newMax], plus the batch's.
    private func combined(_ update: [Float], newMin: Float, newMax: Float) -> [Float] {
        if min == max {
            // Every value so far was `min`: its whole count goes to the bin of `min` in the new range.
            let total = histogram.reduce(0, +)
            let moved = ATenFloat32.histc([min], bins: bins, min: newMin, max: newMax).map { $0 * total }
            return zip(moved, update).map { $0 + $1 }
        }
        // `_upscale_histogram`: each bin split into 16 equal parts (count / 16), each part moved to the
        // new bin holding its midpoint (bucketize against the new edges), summed in order (bincount).
        let rate = Self.upsampleRate
        let parts = bins * rate
        let binSize = (max - min) / Float(parts)
        let halfBin = 0.5 * binSize
        let starts = ATenFloat32.linspace(start: min, end: max, steps: parts + 1)
        let edges = ATenFloat32.linspace(start: newMin, end: newMax, steps: bins + 1)
        var moved = [Float](repeating: 0, count: bins)
        for part in 0..<parts {
            let midpoint = starts[part] + halfBin
            let bucket = Swift.min(Swift.max(ATenFloat32.bucketizeRight(midpoint, edges) - 1, 0), bins - 1)
            moved[bucket] += histogram[part / rate] / Float(rate)
        }
        return zip(update, moved).map { $0 + $1 }
    }

    public func qparams() throws(ObserverError) -> ObservedQParams {
        if min == .infinity && max == -.infinity { return ObservedQParams(scale: 1, zeroPoint: 0) }
        let (low, high) = searchRange()
        return try options.qparams(min: low, max: high)
    }

    /// `_non_linear_param_search`: starting from every bin, drop bins from the end whose cumulative
    /// share is smaller (in steps of 1e-5 of the total), while the quantization error does not grow;
    /// the range [min + width · start, min + width · (end + 1)] in float32.
    public func searchRange() -> (min: Float, max: Float) {
        let binWidth = (max - min) / Float(bins)
        // torch.sum(...).item(): a float32 sum (exact for bin counts), read as a Python float.
        let total = Double(Float(histogram.reduce(0.0) { $0 + Double($1) }))
        let cumulative = ATenFloat32.cumulativeSum(histogram)
        let stepSize = 1e-5
        var alpha = 0.0, beta = 1.0
        var startBin = 0, endBin = bins - 1
        var normMin = Double.infinity
        while alpha < beta {
            let nextAlpha = alpha + stepSize, nextBeta = beta - stepSize
            // A Python float compared with a float32 tensor element is rounded to float32 first.
            let lowShare = Float(nextAlpha * total), highShare = Float(nextBeta * total)
            var l = startBin, r = endBin
            while l < endBin && cumulative[l] < lowShare { l += 1 }
            while r > startBin && cumulative[r] > highShare { r -= 1 }
            var nextStart = startBin, nextEnd = endBin
            if l - startBin > endBin - r {
                nextStart = l
                alpha = nextAlpha
            } else {
                nextEnd = r
                beta = nextBeta
            }
            if nextStart == startBin && nextEnd == endBin { continue }
            let norm = quantizationError(start: nextStart, end: nextEnd)
            if norm > normMin { break }
            normMin = norm
            startBin = nextStart
            endBin = nextEnd
        }
        return (min + binWidth * Float(startBin), min + binWidth * Float(endBin + 1))
    }

    /// `_compute_quantization_error`: the L2 error of quantizing the histogram (each bin's count spread
    /// uniformly over it) to 256 levels over bins start...end. Python floats (double) for the widths,
    /// float32 tensors for the per-bin terms, as PyTorch mixes them.
    func quantizationError(start: Int, end: Int) -> Double {
        let binWidth = (Double(max) - Double(min)) / Double(bins)
        let destinationWidth = binWidth * Double(end - start + 1) / Double(Self.destinationBins)
        if destinationWidth == 0 { return 0 }
        let width32 = Float(binWidth), destination32 = Float(destinationWidth)
        let halfDestination = Float(destinationWidth / 2), minusHalfDestination = Float(-destinationWidth / 2)
        let lastBin = Float(Self.destinationBins - 1)
        // The error of a whole destination bin, ∫ x² over ±width/2, per unit density (a 0-dim tensor).
        let wholeBin = (halfDestination * halfDestination * halfDestination - minusHalfDestination * minusHalfDestination * minusHalfDestination) / 3
        var sum = 0.0
        for bin in 0..<bins {
            let begin = Float(bin - start) * width32
            let finish = begin + width32
            let firstBin = Swift.min(Swift.max(ATenFloat32.floorDivide(begin, destination32), 0), lastBin)
            let lastOfBin = Swift.min(Swift.max(ATenFloat32.floorDivide(finish, destination32), 0), lastBin)
            let density = histogram[bin] / width32
            var norm: Float = 0
            let deltaBegin = begin - (firstBin + 0.5) * destination32
            norm += density * ((halfDestination * halfDestination * halfDestination - deltaBegin * deltaBegin * deltaBegin) / 3)
            norm += (lastOfBin - firstBin - 1) * (density * wholeBin)
            let lastCenter = lastOfBin * destination32 + halfDestination
            let deltaEnd = finish - lastCenter
            norm += density * ((deltaEnd * deltaEnd * deltaEnd - minusHalfDestination * minusHalfDestination * minusHalfDestination) / 3)
            sum += Double(norm)
        }
        return Double(Float(sum))
    }
}
