/// The float32 tensor operations `HistogramObserver` is built from, as ATen's CPU kernels compute them
/// (aten/src/ATen/native/cpu/HistogramKernel.cpp, Histogram.cpp, RangeFactoriesKernel.cpp,
/// c10/util/generic_math.h), so that the observer's bins and search end where PyTorch's do.
/// Every operation is one correctly rounded binary32 operation; no fused multiply-add.
enum ATenFloat32 {
    /// `torch.histc(values, bins, min, max)` on float32: the edges are float32(min) and float32(max)
    /// (linspace's end points; when min == max the data's own extrema, and when those are equal too,
    /// min − 1 and max + 1 in double first); a value v in [left, right] goes to bin
    /// `trunc((v − left) · bins / (right − left))`, the right edge into the last bin; values outside
    /// are skipped. Counts are float32 (exact below 2^24 per bin).
    static func histc(_ values: [Float], bins: Int, min: Float, max: Float) -> [Float] {
        var left = Double(min), right = Double(max)
        if left == right, let low = values.min(), let high = values.max() {
            (left, right) = (Double(low), Double(high))
        }
        if left == right {
            left -= 1
            right += 1
        }
        let leftEdge = Float(left), rightEdge = Float(right), width = rightEdge - leftEdge, count = Float(bins)
        var histogram = [Float](repeating: 0, count: bins)
        for v in values where v >= leftEdge && v <= rightEdge {
            var position = Int(((v - leftEdge) * count) / width)
            if position == bins { position -= 1 }
            histogram[position] += 1
        }
        return histogram
    }

    /// `torch.linspace(start, end, steps)` on float32 as the CPU kernel computes it (one scalar loop):
    /// `step = (end − start) / (steps − 1)`; an element i below `steps / 2` is `start + step · i`, the
    /// others `end − step · (steps − i − 1)`, each a fused multiply-add: ATen's AVX2 (and AVX-512)
    /// kernels are compiled with FMA, and the compiler contracts the expression into one rounding.
    /// (PyTorch's DEFAULT kernels, on a CPU without AVX2, round twice: values may differ by an ulp.)
    static func linspace(start: Float, end: Float, steps: Int) -> [Float] {
        precondition(steps >= 1)
        if steps == 1 { return [start] }
        let step = (end - start) / Float(steps - 1)
        let halfway = steps / 2
        return (0..<steps).map { i in
            i < halfway ? start.addingProduct(step, Float(i)) : end.addingProduct(-step, Float(steps - i - 1))
        }
    }

    /// `torch.div(a, b, rounding_mode="floor")` for float32 (c10's div_floor_floating, Python's
    /// floor division): `(a − fmod(a, b)) / b`, less 1 when the remainder's sign differs from b's,
    /// then floor, plus 1 when that floor is more than 0.5 below.
    static func floorDivide(_ a: Float, _ b: Float) -> Float {
        if b == 0 { return a / b }
        let mod = a.truncatingRemainder(dividingBy: b)
        var div = (a - mod) / b
        if mod != 0 && (b < 0) != (mod < 0) { div -= 1 }
        guard div != 0 else { return Float(signOf: a / b, magnitudeOf: 0) }
        var floored = div.rounded(.down)
        if div - floored > 0.5 { floored += 1 }
        return floored
    }

    /// `torch.cumsum` of float32 on the CPU: a running sum in double (ATen's accumulate type),
    /// each prefix rounded to float32.
    static func cumulativeSum(_ values: [Float]) -> [Float] {
        var running = 0.0
        return values.map { v in
            running += Double(v)
            return Float(running)
        }
    }

    /// `torch.bucketize(values, boundaries, right=True)`: for each value the number of boundaries at
    /// or below it (the index of the first boundary above it).
    static func bucketizeRight(_ value: Float, _ boundaries: [Float]) -> Int {
        var low = 0, high = boundaries.count
        while low < high {
            let mid = (low + high) / 2
            if boundaries[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
