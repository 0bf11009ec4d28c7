/// Every identifier the emitted C declares at file scope or in its header. The emitter takes each
/// name from here (the templates concatenate none), and the resolver checks this same list for
/// collisions, so the two cannot drift apart. Helpers are `qgen_`-prefixed and configuration macros
/// (`QGEN_MAC_8BIT`) `QGEN_`-prefixed, which user names may not be (in any case).
///
/// The list is the same for every scheme and option (`--float-requant`, `--float-io`): a model
/// whose names are valid stays valid when only the arithmetic changes.
public struct EmittedNames: Equatable, Sendable {
    /// The public API of one model, derived from its C prefix.
    public struct Model: Equatable, Sendable {
        public var prefix: String
        public var run: String
        public var quantizeInput: String
        public var dequantizeOutput: String
        public var inputSize: String
        public var outputSize: String
        public var arenaSize: String
        public var ok: String
        public var errorNullPointer: String
        public var headerGuard: String

        public init(prefix: String) {
            let upper = prefix.uppercased()
            self.prefix = prefix
            run = "\(prefix)_run"
            quantizeInput = "\(prefix)_quantize_input"
            dequantizeOutput = "\(prefix)_dequantize_output"
            inputSize = "\(upper)_INPUT_SIZE"
            outputSize = "\(upper)_OUTPUT_SIZE"
            arenaSize = "\(upper)_ARENA_SIZE"
            ok = "\(upper)_OK"
            errorNullPointer = "\(upper)_ERROR_NULL_POINTER"
            headerGuard = "\(upper)_H"
        }

        public var all: [String] {
            [run, quantizeInput, dequantizeOutput, inputSize, outputSize, arenaSize, ok, errorNullPointer, headerGuard]
        }
    }

    /// One layer's kernel function and constant arrays, derived from its C identifier.
    public struct Layer: Equatable, Sendable {
        public var function: String
        public var weights: String
        public var bias: String
        public var weightZeroPoint: String
        /// Fixed-point schemes: `multiplier · 2^(shift − 31)`.
        public var multiplier: String
        public var shift: String
        /// float32 schemes, integer emulation: the multiplier and fbgemm's bias term as exact pairs.
        public var scaleMantissa: String
        public var scaleExponent: String
        public var biasTermMantissa: String
        public var biasTermExponent: String
        /// float32 schemes, `--float-requant`: native float arrays.
        public var scale: String
        public var biasTerm: String

        public init(cName: String) {
            function = cName
            weights = "\(cName)_weights"
            bias = "\(cName)_bias"
            weightZeroPoint = "\(cName)_weight_zero_point"
            multiplier = "\(cName)_multiplier"
            shift = "\(cName)_shift"
            scaleMantissa = "\(cName)_scale_mantissa"
            scaleExponent = "\(cName)_scale_exponent"
            biasTermMantissa = "\(cName)_bias_term_mantissa"
            biasTermExponent = "\(cName)_bias_term_exponent"
            scale = "\(cName)_scale"
            biasTerm = "\(cName)_bias_term"
        }

        public var all: [String] {
            [function, weights, bias, weightZeroPoint, multiplier, shift, scaleMantissa, scaleExponent,
             biasTermMantissa, biasTermExponent, scale, biasTerm]
        }
    }

    /// Names that `<prefix>_run` uses for its parameters and locals: a layer function of the same
    /// name would be hidden by them.
    public static let runLocals: Set<String> = ["input", "output", "arena", "memory"]
}
