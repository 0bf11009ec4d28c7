import QGen
import QGenArithmetic

/// The model after name, shape and data resolution: every tensor's shape is known, every C
/// identifier is unique, constant data is loaded, and the arena is planned. Scales are still real.
public struct ResolvedModel: Equatable, Codable, Sendable {
    public var name: String
    /// The prefix of every public C symbol (`<prefix>_run`, `<PREFIX>_INPUT_SIZE`).
    public var cPrefix: String
    public var scheme: RequantizationScheme
    /// Native binary32 output stage (`--float-requant`) instead of the integer emulation.
    public var floatRequant: Bool
    /// Float conversion helpers at the model boundary (`--float-io`).
    public var floatIO: Bool
    /// model.swift's file name (no directory), for provenance comments.
    public var sourceFile: String
    public var input: ResolvedInput
    public var layers: [ResolvedLayer]
    public var arenaSize: Int

    public var outputShape: [Int] { layers.last?.outputShape ?? input.shape }
    public var outputQuant: QuantParams { layers.last?.output ?? input.quant }
}

public struct ResolvedInput: Equatable, Codable, Sendable {
    public var name: String
    public var shape: [Int]
    public var quant: QuantParams
    public var location: SourceLocation
}

/// Where a layer reads or writes its activations.
public enum BufferRef: Equatable, Codable, Sendable {
    case modelInput
    case modelOutput
    case arena(offset: Int, size: Int)
}

/// The integer geometry of a layer (no real values), shared by the resolved and lowered models.
public enum LayerGeometry: Equatable, Codable, Sendable {
    case linear(LinearGeometry)
    case conv2d(Conv2dGeometry)

    public var outputChannels: Int {
        switch self {
        case .linear(let g): return g.outFeatures
        case .conv2d(let g): return g.outChannels
        }
    }

    /// Number of input taps that contribute to one output element.
    public var tapsPerOutput: Int {
        switch self {
        case .linear(let g): return g.inFeatures
        case .conv2d(let g): return g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        }
    }

    /// Weight tensor shape in PyTorch layout.
    public var weightShape: [Int] {
        switch self {
        case .linear(let g): return [g.outFeatures, g.inFeatures]
        case .conv2d(let g): return [g.outChannels, g.inChannelsPerGroup, g.kernelHeight, g.kernelWidth]
        }
    }

    public var multiplyAccumulates: Int {
        switch self {
        case .linear(let g): return g.batch * g.outFeatures * g.inFeatures
        case .conv2d(let g): return g.batch * g.outChannels * g.outHeight * g.outWidth * tapsPerOutput
        }
    }
}

public struct LinearGeometry: Equatable, Codable, Sendable {
    public var batch: Int
    public var inFeatures: Int
    public var outFeatures: Int
}

public struct Conv2dGeometry: Equatable, Codable, Sendable {
    public var batch: Int
    public var inChannels: Int
    public var inHeight: Int
    public var inWidth: Int
    public var outChannels: Int
    public var outHeight: Int
    public var outWidth: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    public var padHeight: Int
    public var padWidth: Int
    public var dilationHeight: Int
    public var dilationWidth: Int
    public var groups: Int

    @inlinable public var inChannelsPerGroup: Int { inChannels / groups }
    @inlinable public var outChannelsPerGroup: Int { outChannels / groups }
}

/// Constant weights with everything needed to quantize them (if real) or use them (if int8).
public struct ResolvedWeights: Equatable, Codable, Sendable {
    public enum Kind: Equatable, Codable, Sendable {
        case real(WeightQuantization)
        case quantized(scales: [Double], zeroPoints: [Int])
    }
    public var kind: Kind
    /// PyTorch layout, `geometry.weightShape`.
    public var values: [Double]
}

public struct ResolvedBias: Equatable, Codable, Sendable {
    /// true: values are int32 in units of `s_in · s_w[c]`; false: real values.
    public var isInt32: Bool
    public var values: [Double]
}

public struct ResolvedLayer: Equatable, Codable, Sendable {
    public var name: String
    public var cName: String
    public var kindName: String
    public var location: SourceLocation
    public var geometry: LayerGeometry
    public var inputShape: [Int]
    public var outputShape: [Int]
    public var input: QuantParams
    public var output: QuantParams
    public var activation: Activation
    public var weights: ResolvedWeights
    public var bias: ResolvedBias?
    public var inputBuffer: BufferRef
    public var outputBuffer: BufferRef
}
