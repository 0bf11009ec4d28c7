/// Rounding of real values to integers, as the stacks do it when they quantize floats
/// (bias, weights, clamp bounds). Used only before and during lowering; never in kernels.
///
/// | x | half away from zero (C `round`, TfLiteRound) | half to even (`nearbyint`, torch.round) |
/// |---:|---:|---:|
/// | 2.5 | 3 | 2 |
/// | -2.5 | -3 | -2 |
/// | 3.5 | 4 | 4 |
public enum RealRounding: String, Equatable, Hashable, Codable, Sendable {
    case halfAwayFromZero
    case halfToEven

    @inlinable
    public func round(_ x: Double) -> Double {
        switch self {
        case .halfAwayFromZero: return x.rounded(.toNearestOrAwayFromZero)
        case .halfToEven: return x.rounded(.toNearestOrEven)
        }
    }

    @inlinable
    public func round(_ x: Float) -> Float {
        switch self {
        case .halfAwayFromZero: return x.rounded(.toNearestOrAwayFromZero)
        case .halfToEven: return x.rounded(.toNearestOrEven)
        }
    }
}
