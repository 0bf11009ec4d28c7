/// PyTorch's `MinMaxObserver`: the running minimum and maximum of every value observed, then
/// `ObserverOptions.qparams(min:max:)`. Batches are flat float32 values in any order.
public struct MinMaxObserver: Equatable, Sendable {
    public let options: ObserverOptions
    private var range = RunningExtrema()
    public var min: Float { range.min }
    public var max: Float { range.max }

    /// Throws for options PyTorch refuses (a custom range without 0, reduced symmetric quint8).
    public init(_ options: ObserverOptions) throws(ObserverError) {
        _ = try options.quantRange()
        try options.checkSymmetricReduceRange()
        self.options = options
    }

    /// Records one batch (an empty batch changes nothing). Throws at a NaN or an infinity.
    public mutating func observe(_ batch: [Float]) throws(ObserverError) {
        try range.add(batch)
    }

    public func qparams() throws(ObserverError) -> ObservedQParams {
        try options.qparams(min: min, max: max)
    }
}

/// PyTorch's `MovingAverageMinMaxObserver`: the first batch's minimum and maximum, then for each
/// later batch `min += c · (batchMin − min)` (and the same for max) in float32, with the averaging
/// constant `c` rounded to float32 as ATen rounds a Python float that meets a float32 tensor.
public struct MovingAverageMinMaxObserver: Equatable, Sendable {
    public let options: ObserverOptions
    public let averagingConstant: Float
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity

    /// `averagingConstant`: PyTorch's default is 0.01; it must lie in (0, 1].
    public init(_ options: ObserverOptions, averagingConstant: Double = 0.01) throws(ObserverError) {
        _ = try options.quantRange()
        try options.checkSymmetricReduceRange()
        guard averagingConstant > 0, averagingConstant <= 1 else {
            throw .invalidOption("averaging constant \(averagingConstant) must lie in (0, 1]")
        }
        self.options = options
        self.averagingConstant = Float(averagingConstant)
    }

    public mutating func observe(_ batch: [Float]) throws(ObserverError) {
        guard !batch.isEmpty else { return }
        let (low, high) = try batch.finiteExtrema()
        if min == .infinity && max == -.infinity {
            (min, max) = (low, high)
        } else {
            min = min + averagingConstant * (low - min)
            max = max + averagingConstant * (high - max)
        }
    }

    public func qparams() throws(ObserverError) -> ObservedQParams {
        try options.qparams(min: min, max: max)
    }
}
