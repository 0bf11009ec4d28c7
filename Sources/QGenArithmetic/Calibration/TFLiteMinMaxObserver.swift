/// TensorFlow's converter calibrating an activation (post-training full-integer quantization with a
/// representative dataset): its calibrator keeps the least and greatest value over every sample, and
/// its quantizer turns them into a scale and zero point in double (MLIR's `fakeQuantAttrsToType`,
/// measured against TensorFlow 2.21's converter, Tests/Fixtures/tflite/calibration.json):
///
///     rmin = min(min, 0), rmax = max(max, 0)            (the range holds 0)
///     |rmax − rmin| < DBL_EPSILON: scale 1, zero point qmin
///     scale = (rmax − rmin) / (qmax − qmin)
///     zero point from the min: qmin − rmin / scale, with error |qmin| + |rmin / scale|
///     zero point from the max: qmax − rmax / scale, with error |qmax| + |rmax / scale|
///     the one with the smaller error (the max's when equal), clamped to [qmin, qmax],
///     else rounded half away from zero (std::round)
///
/// The scale is stored as float32 (the flatbuffer's type). No nudging of the range itself: the
/// converter keeps the rounded zero point with the unrounded scale.
public struct TFLiteMinMaxObserver: Equatable, Sendable {
    public let quantMin: Int
    public let quantMax: Int
    private var range = RunningExtrema()
    public var min: Float { range.min }
    public var max: Float { range.max }

    /// `quantMin`…`quantMax`: −128…127 for TFLite's int8 activations, 0…255 for uint8.
    public init(quantMin: Int, quantMax: Int) throws(ObserverError) {
        guard quantMin < quantMax else { throw .invalidOption("quantization range \(quantMin)...\(quantMax) is empty") }
        self.quantMin = quantMin
        self.quantMax = quantMax
    }

    /// Records one sample (an empty one changes nothing). Throws at a NaN or an infinity.
    public mutating func observe(_ batch: [Float]) throws(ObserverError) {
        try range.add(batch)
    }

    public func qparams() throws(ObserverError) -> ObservedQParams {
        guard min <= max else { throw .invalidOption("no values observed") }
        return Self.qparams(min: Double(min), max: Double(max), quantMin: quantMin, quantMax: quantMax)
    }

    /// The converter's rule for a range already observed.
    public static func qparams(min: Double, max: Double, quantMin: Int, quantMax: Int) -> ObservedQParams {
        let rmin = Swift.min(min, 0), rmax = Swift.max(max, 0)
        let qmin = Double(quantMin), qmax = Double(quantMax)
        if abs(rmax - rmin) < Double.ulpOfOne { return ObservedQParams(scale: 1, zeroPoint: quantMin) }
        let scale = (rmax - rmin) / (qmax - qmin)
        let fromMin = qmin - rmin / scale, fromMinError = abs(qmin) + abs(rmin / scale)
        let fromMax = qmax - rmax / scale, fromMaxError = abs(qmax) + abs(rmax / scale)
        let zeroPoint = fromMinError < fromMaxError ? fromMin : fromMax
        let nudged = zeroPoint < qmin ? quantMin : zeroPoint > qmax ? quantMax : Int(zeroPoint.rounded(.toNearestOrAwayFromZero))
        return ObservedQParams(scale: Float(scale), zeroPoint: nudged)
    }
}
