import Testing
@testable import QGenArithmetic

/// Observers on hand-computed cases, and the inputs they refuse.
@Suite struct ObserverTests {
    @Test func minMaxAffineAndSymmetricByHand() throws {
        // [-1, 3], quint8 affine: scale = 4 / 255; -1 / scale = -63.75 rounds to -64, so zero point 64.
        var affine = try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine))
        try affine.observe([0.5, -1, 3, 2])
        #expect(try affine.qparams() == ObservedQParams(scale: Float(4) / 255, zeroPoint: 64))
        // qint8 symmetric: max(|-1|, 3) / 127.5, zero point 0; quint8 symmetric: the same scale, zero point 128.
        var symmetric = try MinMaxObserver(ObserverOptions(dtype: .qint8, mode: .symmetric))
        try symmetric.observe([0.5, -1, 3, 2])
        #expect(try symmetric.qparams() == ObservedQParams(scale: Float(3) / 127.5, zeroPoint: 0))
        var unsigned = try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .symmetric))
        try unsigned.observe([3])
        #expect(try unsigned.qparams() == ObservedQParams(scale: Float(3) / 127.5, zeroPoint: 128))
        // Reduced quint8 (0...127): all-positive data still includes 0, zero point 0, scale 2 / 127.
        var reduced = try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine, reduceRange: true))
        try reduced.observe([0.25, 2])
        #expect(try reduced.qparams() == ObservedQParams(scale: Float(2) / 127, zeroPoint: 0))
        // All zeros: the scale is float32's epsilon.
        var zeros = try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine))
        try zeros.observe([0, 0])
        #expect(try zeros.qparams() == ObservedQParams(scale: .ulpOfOne, zeroPoint: 0))
        // Nothing observed: PyTorch's default, scale 1 and zero point 0.
        #expect(try MinMaxObserver(ObserverOptions(dtype: .qint8, mode: .affine)).qparams() == ObservedQParams(scale: 1, zeroPoint: 0))
    }

    @Test func movingAverageByHand() throws {
        // First batch [0, 2], then [0, 4] with c = 0.5: max = 2 + 0.5 · (4 − 2) = 3.
        var o = try MovingAverageMinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine), averagingConstant: 0.5)
        try o.observe([0, 2])
        try o.observe([0, 4])
        #expect(o.max == 3 && o.min == 0)
        #expect(try o.qparams() == ObservedQParams(scale: Float(3) / 255, zeroPoint: 0))
    }

    @Test func perChannelAlongAnAxis() throws {
        // Shape [2, 3] along axis 1: channels are the columns.
        var o = try PerChannelMinMaxObserver(ObserverOptions(dtype: .qint8, mode: .symmetric), channelAxis: 1)
        try o.observe([1, -2, 0, -4, 0.5, 0], shape: [2, 3])
        #expect(o.mins == [-4, -2, 0] && o.maxs == [1, 0.5, 0])
        #expect(try o.qparams().map(\.scale) == [Float(4) / 127.5, Float(2) / 127.5, .ulpOfOne])
    }

    @Test func histogramOfOneValueAndOfTwoBins() throws {
        // A constant batch: histc widens [v, v] to [v − 1, v + 1]; the search keeps every bin.
        var o = try HistogramObserver(ObserverOptions(dtype: .quint8, mode: .affine), bins: 8)
        try o.observe([0.5, 0.5, 0.5])
        #expect(o.histogram.reduce(0, +) == 3)
        #expect(o.min == 0.5 && o.max == 0.5)
        // Values 0...3 over 4 bins of width 0.75: 0 and 0.5 in bin 0, 1 in bin 1, 2 in bin 2, 3 (the right edge) in bin 3.
        var spread = try HistogramObserver(ObserverOptions(dtype: .quint8, mode: .affine), bins: 4)
        try spread.observe([0, 0.5, 1, 2, 3])
        #expect(spread.histogram == [2, 1, 1, 1])
    }

    @Test func refusals() throws {
        #expect(throws: ObserverError.self) { try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .symmetric, reduceRange: true)) }
        #expect(throws: ObserverError.self) { try PerChannelMinMaxObserver(ObserverOptions(dtype: .quint8, mode: .symmetric, reduceRange: true)) }
        #expect(throws: ObserverError.self) { try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine, quantMin: 1, quantMax: 15)) }
        #expect(throws: ObserverError.self) { try MinMaxObserver(ObserverOptions(dtype: .qint8, mode: .affine, quantMin: -200, quantMax: 100)) }
        #expect(throws: ObserverError.self) { try MinMaxObserver(ObserverOptions(dtype: .qint8, mode: .affine, quantMin: -8)) }
        #expect(throws: ObserverError.self) { try MovingAverageMinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine), averagingConstant: 0) }
        #expect(throws: ObserverError.self) { try HistogramObserver(ObserverOptions(dtype: .quint8, mode: .affine), bins: 0) }
        var o = try MinMaxObserver(ObserverOptions(dtype: .quint8, mode: .affine))
        #expect(throws: ObserverError.nonFinite(index: 2, value: .infinity)) { try o.observe([1, 2, .infinity]) }
        var h = try HistogramObserver(ObserverOptions(dtype: .quint8, mode: .affine))
        #expect(throws: ObserverError.self) { try h.observe([1, .nan]) }
        var p = try PerChannelMinMaxObserver(ObserverOptions(dtype: .qint8, mode: .symmetric), channelAxis: 2)
        #expect(throws: ObserverError.self) { try p.observe([1, 2], shape: [2]) }
        #expect(throws: ObserverError.self) { try p.observe([1, 2, 3], shape: [1, 1, 2]) }
        try p.observe([1, 2], shape: [1, 1, 2])
        #expect(throws: ObserverError.self) { try p.observe([1, 2, 3], shape: [1, 1, 3]) }
        #expect(ObserverError.nonFinite(index: 2, value: .nan).description.contains("element 2"))
    }
}
