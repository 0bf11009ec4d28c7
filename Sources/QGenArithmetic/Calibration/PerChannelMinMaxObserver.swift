/// PyTorch's `PerChannelMinMaxObserver`: the running minimum and maximum of each index along
/// `channelAxis` (the weights' output channels, axis 0, by default), then
/// `ObserverOptions.qparams(min:max:)` per channel.
public struct PerChannelMinMaxObserver: Equatable, Sendable {
    public let options: ObserverOptions
    public let channelAxis: Int
    public private(set) var mins: [Float] = []
    public private(set) var maxs: [Float] = []

    public init(_ options: ObserverOptions, channelAxis: Int = 0) throws(ObserverError) {
        _ = try options.quantRange()
        try options.checkSymmetricReduceRange()
        guard channelAxis >= 0 else { throw .invalidOption("channel axis \(channelAxis) must be 0 or more") }
        self.options = options
        self.channelAxis = channelAxis
    }

    /// Records one batch: `values` in row-major order of `shape`. Every batch must have the same
    /// number of channels.
    public mutating func observe(_ values: [Float], shape: [Int]) throws(ObserverError) {
        guard channelAxis < shape.count else {
            throw .shape("channel axis \(channelAxis) is outside a batch of shape \(shape)")
        }
        guard shape.reduce(1, *) == values.count else {
            throw .shape("a batch of shape \(shape) needs \(shape.reduce(1, *)) values, not \(values.count)")
        }
        guard !values.isEmpty else { return }
        let channels = shape[channelAxis]
        let inner = shape[(channelAxis + 1)...].reduce(1, *)
        guard mins.isEmpty || mins.count == channels else {
            throw .shape("a batch of \(channels) channels after batches of \(mins.count)")
        }
        var low = [Float](repeating: .infinity, count: channels), high = [Float](repeating: -.infinity, count: channels)
        for (index, v) in values.enumerated() {
            guard v.isFinite else { throw .nonFinite(index: index, value: v) }
            let c = index / inner % channels
            low[c] = Swift.min(low[c], v)
            high[c] = Swift.max(high[c], v)
        }
        if mins.isEmpty {
            (mins, maxs) = (low, high)
        } else {
            for c in 0..<channels {
                mins[c] = Swift.min(low[c], mins[c])
                maxs[c] = Swift.max(high[c], maxs[c])
            }
        }
    }

    /// One scale and zero point per channel (one of scale 1, zero point 0 before any batch, as PyTorch).
    public func qparams() throws(ObserverError) -> [ObservedQParams] {
        guard !mins.isEmpty else { return [ObservedQParams(scale: 1, zeroPoint: 0)] }
        return try zip(mins, maxs).map { (low, high) throws(ObserverError) in try options.qparams(min: low, max: high) }
    }
}
