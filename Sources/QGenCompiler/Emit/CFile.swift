/// The structured C output of the emit stage: typed template contexts and constant arrays. The
/// renderer turns it into text; nothing here is C text except identifiers and expressions the
/// templates splice in.
public struct CFile: Sendable {
    public var headerName: String
    public var sourceName: String
    public var header: HeaderContext
    public var source: SourceContext

    /// Bytes of all constant arrays.
    public var constantBytes: Int { source.arrays.map(\.bytes).reduce(0, +) }
    /// Bytes of each node's constant arrays, in the lowered model's node order.
    public var layerConstantBytes: [Int]
}

public struct HeaderContext: Equatable, Sendable {
    var headerName: String
    var modelName: String
    var version: String
    var sourceFile: String
    var schemeSummary: String
    var api: EmittedNames.Model
    /// The model inputs, then the outputs, in the run function's parameter order.
    var inputs: [BoundaryTensor]
    var outputs: [BoundaryTensor]
    /// One input and one output: the C API of a chain (`input`, `output`, `<P>_INPUT_SIZE`).
    var single: Bool
    /// The run function's parameters before `arena`: `const int8_t *input, int8_t *output`.
    var parameters: String
    var arenaSize: Int
    var arenaLowerBound: Int
    var floatRequant: Bool
    var floatIO: FloatIOContext?
}

/// One model input or output as the header documents it.
public struct BoundaryTensor: Equatable, Sendable {
    var name: String
    var type: String
    var cType: String
    var shapeText: String
    var layout: String
    var scale: String
    var zeroPoint: Int32
    var size: Int
    /// `<P>_INPUT_SIZE` (one input) or `<P>_INPUT_0_SIZE` (several).
    var sizeMacro: String
    /// The run function's parameter: `input` / `output`, or `input0`, `output1`, ….
    var parameter: String
}

public struct SourceContext: Sendable {
    var sourceName: String
    var headerName: String
    var modelName: String
    var version: String
    var sourceFile: String
    var schemeSummary: String
    var api: EmittedNames.Model
    /// The run function's parameters before `arena`, and the test that none is NULL.
    var parameters: String
    var nullTests: String
    var layerSummaries: [String]
    /// The template holding the scheme's requantization helpers (nil when no op rescales).
    var helperTemplate: String?
    var helpers: HelperContext
    /// Helper templates that ops ask for (`helpers_gemmlowp`), in first-use order.
    var opHelpers: [String]
    var arrays: [CArray]
    var kernels: [any KernelContext]
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

    /// The array's size in bytes (C99's exact-width types; float is binary32).
    var bytes: Int {
        let element: Int
        switch cType {
        case "int8_t", "uint8_t": element = 1
        case "int16_t", "uint16_t": element = 2
        case "int64_t", "uint64_t", "double": element = 8
        default: element = 4
        }
        return (literals?.count ?? values.count) * element
    }
}

/// A kernel's typed template context. Each op defines its own (Ops/<Op>/), naming its template.
public protocol KernelContext: Sendable {
    /// The template under Templates/ (without `.mustache`) that this context fills.
    var template: String { get }
}

/// What one node contributes to the C file: constants and a kernel, or nothing at all (a reshape
/// whose output shares its input's buffer).
public struct EmittedNode: Sendable {
    var arrays: [CArray]
    var kernel: (any KernelContext)?
    /// Helper templates the kernel calls (each emitted once per file, after the scheme's helpers).
    /// `EmittedNode.requantize` stands for the scheme's own helpers (`qgen_requantize`, …), which a
    /// file without any rescaling op leaves out (unused static functions would not compile with
    /// -Werror).
    var helpers: [String] = []
    /// The input types of the `qgen_dot4_<type>` reductions the kernel calls (helpers_dot).
    var dotTypes: [String] = []
    /// The output types of the `qgen_requantize_tile_<type>` output stages the kernel calls (helpers_dot).
    var tileTypes: [String] = []

    static let requantize = "requantize"
    /// The integer-only binary32 emulation's rounding and conversion (helpers_float32_core), and its
    /// rounded addition (helpers_float32_add), for ops that compute in binary32 themselves.
    static let float32Core = "helpers_float32_core"
    static let float32Add = "helpers_float32_add"
    /// A fused multiply-add of two binary32 values (or an integer and one) onto a binary32 value.
    static let float32Fma = "helpers_float32_fma"
    /// A rounded binary32 division.
    static let float32Div = "helpers_float32_div"
    /// SLEEF's binary32 exp (Sleef_expf8_u10) of a value <= 0; needs the four above.
    static let float32Exp = "helpers_float32_exp"
    /// --float-requant: `qgen_round_to_int32`, native binary32 to the nearest integer.
    static let floatRound = "float_round"
}

/// Options that change only the emitted text, never the lowered model.
public struct EmitOptions: Equatable, Sendable {
    /// Names the pair `<stem>.c`/`<stem>.h` (default: the C prefix).
    public var fileStem: String?
    /// `--float-requant`: the float32 schemes' output stage as native binary32 code.
    public var floatRequant: Bool
    /// `--float-io`: `<prefix>_quantize_input` and `<prefix>_dequantize_output`.
    public var floatIO: Bool

    public init(fileStem: String? = nil, floatRequant: Bool = false, floatIO: Bool = false) {
        self.fileStem = fileStem
        self.floatRequant = floatRequant
        self.floatIO = floatIO
    }
}

/// What the scheme's helper template needs to know.
public struct HelperContext: Equatable, Sendable {
    /// `fbgemm`: `qgen_requantize` takes a float32 bias term.
    var hasFloatBias: Bool
    /// The single rounding step of the fixed-point family.
    var halfUp: Bool
    var halfAwayFromZero: Bool
    var halfEven: Bool
    /// The input types ("uint8", "int8") whose `qgen_dot4_<type>` reduction helpers_dot defines.
    var dotTypes: [String] = []
    /// The output types whose Helium tile output stage `qgen_requantize_tile_<type>` helpers_dot defines.
    var tileTypes: [TileType] = []
    /// Whether helpers_float32_core defines `qgen_float32_round` (normalized mantissas): for the ops that
    /// compute in binary32 and fbgemm's output stage, not for qnnpack's or onnxRuntime's alone.
    var roundsFloat32 = false
}

/// An output type of `qgen_requantize_tile_<type>`.
struct TileType: Equatable, Sendable {
    var type: String
    var cType: String
    var signed: Bool
}

/// One call in `<prefix>_run`.
public struct RunStep: Equatable, Sendable {
    var function: String
    /// The buffer expressions it is called with: its inputs, then its output.
    var arguments: String
}
