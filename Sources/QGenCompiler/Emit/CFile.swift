/// The structured C output of the emit stage: typed template contexts and constant arrays. The
/// renderer turns it into text; nothing here is C text except identifiers and expressions the
/// templates splice in.
public struct CFile: Equatable, Sendable {
    public var headerName: String
    public var sourceName: String
    public var header: HeaderContext
    public var source: SourceContext
}

public struct HeaderContext: Equatable, Sendable {
    var headerName: String
    var modelName: String
    var version: String
    var sourceFile: String
    var schemeSummary: String
    var api: EmittedNames.Model
    var inputName: String
    var inputType: String
    var inputCType: String
    var inputShapeText: String
    var inputLayout: String
    var inputScale: String
    var inputZeroPoint: Int32
    var inputSize: Int
    var outputName: String
    var outputType: String
    var outputCType: String
    var outputShapeText: String
    var outputLayout: String
    var outputScale: String
    var outputZeroPoint: Int32
    var outputSize: Int
    var arenaSize: Int
    var floatRequant: Bool
    var floatIO: FloatIOContext?
}

public struct SourceContext: Equatable, Sendable {
    var sourceName: String
    var headerName: String
    var modelName: String
    var version: String
    var sourceFile: String
    var schemeSummary: String
    var api: EmittedNames.Model
    var inputCType: String
    var outputCType: String
    var layerSummaries: [String]
    /// The template holding the scheme's requantization helpers.
    var helperTemplate: String
    var helpers: HelperContext
    var arrays: [CArray]
    var kernels: [Kernel]
    var usesArena: Bool
    var steps: [RunStep]
    /// `--float-requant`: the output stage uses native binary32 arithmetic.
    var floatRequant: Bool
    /// `--float-io`: the boundary conversion functions.
    var floatIO: FloatIOContext?
}

/// `--float-io`: `<prefix>_quantize_input` and `<prefix>_dequantize_output` with the stack's rule.
public struct FloatIOContext: Equatable, Sendable {
    var api: EmittedNames.Model
    var ruleName: String
    var ruleText: String
    /// PyTorch multiplies by the float32 reciprocal; ONNX and TFLite divide.
    var multipliesByInverse: Bool
    /// TFLite rounds half away from zero; PyTorch and ONNX to even.
    var roundsHalfAway: Bool
    /// Ties-to-even rules use `qgen_round_to_int32`, which `--float-requant` defines already.
    var definesRoundHelper: Bool
    var inputCType: String
    var inputScaleLiteral: String
    var inputInverseScaleLiteral: String
    var inputZeroPoint: Int32
    var inputMin: Int
    var inputMax: Int
    var outputCType: String
    var outputScaleLiteral: String
    var outputZeroPoint: Int32
}

/// A `static const` array. Values are rendered as decimal literals; `elementComments`, when
/// present, puts one element per line with its comment.
public struct CArray: Equatable, Sendable {
    var name: String
    var cType: String
    var comment: String
    var values: [Int64]
    var elementComments: [String]?
    /// Literal texts that replace `values` (hex float literals for `--float-requant`).
    var literals: [String]? = nil
}

public enum Kernel: Equatable, Sendable {
    case linear(LinearKernel)
    case conv2d(Conv2dKernel)
}

/// Fields shared by every kernel template.
struct KernelCommon: Equatable, Sendable {
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var inputType: String
    var inputCType: String
    var outputType: String
    var outputCType: String
    var inputZeroPoint: Int32
    var outputZeroPoint: Int32
    var activationText: String
    var activationMin: Int32
    var activationMax: Int32
    var accumulatorBound: Int64
    /// `o`/`oc` for per-channel parameters, `0` for per-tensor ones.
    var channelIndex: String
    /// The scheme's constants for this output element, after `acc` in the `qgen_requantize` call.
    var requantizeArguments: String
    var hasWeightZeroPoint: Bool
}

public struct LinearKernel: Equatable, Sendable {
    var common: KernelCommon
    var batch: Int
    var inFeatures: Int
    var outFeatures: Int
    /// `fbgemm(saturatingPairs)`: sum int16-saturated pairs of raw products (FBGEMM without VNNI).
    var saturatesPairs: Bool
    var pairCount: Int
    var hasOddTail: Bool
}

public struct Conv2dKernel: Equatable, Sendable {
    var common: KernelCommon
    var geometry: Conv2dGeometry
    var hasPadding: Bool
    // Derived sizes the template needs as stored values (templates see stored properties only).
    var inChannelsPerGroup: Int
    var outChannelsPerGroup: Int
    var inPlaneSize: Int
    var kernelSize: Int
}

/// What the scheme's helper template needs to know.
public struct HelperContext: Equatable, Sendable {
    /// `fbgemm`: `qgen_requantize` takes a float32 bias term.
    var hasFloatBias: Bool
    /// The single rounding step of the fixed-point family.
    var halfUp: Bool
    var halfAwayFromZero: Bool
    var halfEven: Bool
}

/// One call in `<prefix>_run`.
public struct RunStep: Equatable, Sendable {
    var function: String
    var inputExpression: String
    var outputExpression: String
}
