import QGen
import QGenArithmetic

/// The integer-only model that both the C emitter and the Swift reference interpreter consume.
/// It holds no `Float` or `Double` (a test walks it to prove so): real values survive only as
/// text for comments (`…Text` fields).
public struct LoweredModel: Equatable, Codable, Sendable {
    public var name: String
    public var cPrefix: String
    public var scheme: RequantizationScheme
    /// Native binary32 output stage (`--float-requant`) instead of the integer emulation.
    public var floatRequant: Bool
    /// Float conversion helpers at the model boundary (`--float-io`).
    public var floatIO: Bool
    public var sourceFile: String
    public var qgenVersion: String
    public var input: LoweredTensor
    public var output: LoweredTensor
    public var layers: [LoweredLayer]
    public var arenaSize: Int
}

public struct LoweredTensor: Equatable, Codable, Sendable {
    public var name: String
    public var shape: [Int]
    public var dtype: DType
    public var zeroPoint: Int32
    public var scaleText: String
    /// The scale as the stacks store it (float32), and `1 / scale` computed in float32 (PyTorch's
    /// quantize multiplies by it), as exact integer pairs.
    public var scale32: Float32Parts
    public var inverseScale32: Float32Parts

    public var count: Int { shape.reduce(1, *) }
}

public struct LoweredLayer: Equatable, Codable, Sendable {
    public var name: String
    public var cName: String
    public var kindName: String
    public var location: SourceLocation
    public var geometry: LayerGeometry
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var inputType: DType
    public var outputType: DType
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// int8 weights in PyTorch layout (`geometry.weightShape`).
    public var weights: [Int8]
    /// One per output channel, or one for the whole tensor.
    public var weightZeroPoints: [Int32]
    public var hasBias: Bool
    /// int32 bias per output channel in units of `s_in · s_w[c]` (zeros without a bias).
    public var bias: [Int32]
    /// `bias[c] − zp_in · Σ_k (w[c][k] − zp_w[c])`: what the C kernel starts each accumulator at,
    /// so that it can sum raw `x · (w − zp_w)` products (padding taps read `zp_in`).
    public var foldedBias: [Int32]
    /// Whether scales (and so multipliers) are per output channel; otherwise one for the tensor.
    public var isPerChannel: Bool
    /// Fixed-point schemes (`tflite`, `singleRounding`, `powerOfTwo`, `fixedPoint`): the multiplier
    /// `mantissa · 2^(shift − 31)`. Empty for float32 schemes.
    public var multipliers: [QuantizedMultiplier]
    /// float32 schemes (`fbgemm`, `qnnpack`, `onnxRuntime`): the float32 multiplier as an exact
    /// integer pair. Empty for fixed-point schemes.
    public var floatMultipliers: [Float32Parts]
    /// `fbgemm` only, one per output channel: the float bias in accumulator units (`b / (s_in·s_w)`
    /// in float32), added to `float(acc)` before the multiply. Empty otherwise.
    public var floatBiasTerms: [Float32Parts]
    /// For comments, one per multiplier: `s_in·s_w/s_out = 0.0123 ~ 1690499329 * 2^-37`.
    public var multiplierTexts: [String]
    public var activationMin: Int32
    public var activationMax: Int32
    public var activationText: String
    /// The proven bound on |accumulator| (and every partial sum) over all possible inputs.
    public var accumulatorBound: Int64
    public var inputBuffer: BufferRef
    public var outputBuffer: BufferRef

    public var hasWeightZeroPoint: Bool { weightZeroPoints.contains { $0 != 0 } }
}

/// Real-valued parameters of each layer, kept beside the lowered model for error analysis (the
/// float reference) and explanations. Never consumed by the emitter.
public struct RealModel: Equatable, Sendable {
    public struct Layer: Equatable, Sendable {
        public var inputScale: Double
        public var outputScale: Double
        public var weightScales: [Double]
        public var weightZeroPoints: [Int]
        /// Real bias per output channel (an int32 bias times `s_in · s_w[c]`).
        public var bias: [Double]
        public var activation: Activation
    }
    public var inputScale: Double
    public var layers: [Layer]
}
