/// The arithmetic that turns an int32 accumulator into an output value: a named contract, chosen
/// by the user per model, recorded in the lowered model and in the emitted C's provenance comment.
///
/// Every scheme computes `y = clamp(R(acc · m) + zero_point_out, act_min, act_max)` where `m` is the
/// real multiplier `s_in · s_w / s_out` and `R` is the scheme's product-and-rounding rule. The
/// arithmetic of each stack is in shared/reference/requant.md (section numbers below).
///
/// | scheme | multiplier | bias enters | rounding | bit-exact with |
/// |---|---|---|---|---|
/// | `tflite` | Q31 mantissa + signed shift, from double (§2.2) | int32, added to acc | SRDHM (ties → +∞), then RDBPOT (ties away from 0) | TFLite / TFLite Micro reference kernels, CMSIS-NN default |
/// | `liteRT` | as `tflite`, except FULLY_CONNECTED: `double(s_in)·double(s_w)/double(s_out)` in double | int32 | `tflite`'s, except FULLY_CONNECTED: `round(double(acc) · m)` (ties away from 0) | LiteRT's (TFLite interpreter's) builtin reference kernels |
/// | `singleRounding` | the same, shift ≤ 30 | int32 | one rounding of the exact 64-bit product, ties → +∞ | `TFLITE_SINGLE_ROUNDING`, ruy, CMSIS-NN single rounding |
/// | `fbgemm` | float32 `(s_in·s_w)/s_out` (§4.2) | float32 `b/(s_in·s_w)` added to `float(acc)` | binary32 add and multiply, then ties to even | PyTorch engines `fbgemm`/`x86` (quint8) |
/// | `fbgemm(saturatingPairs)` | as `fbgemm` | as `fbgemm` | as `fbgemm`; the accumulator sums int16-saturated pairs (§4.3) | the same on x86 CPUs without AVX512-VNNI |
/// | `fbgemm(avx512)` | as `fbgemm` | as `fbgemm` | as `fbgemm`; elementwise ops split at ATen's AVX512 vector blocks (128 codes, not 64) | PyTorch whose ATen CPU capability is AVX512 |
/// | `qnnpack` | float32 `(s_w·s_in)·(1/s_out)` (§5.5) | int32 `RNE(b · (1/(s_w·s_in)))`, added to acc | binary32 multiply, ties to even | PyTorch engine `qnnpack` (quint8) |
/// | `onnxRuntime` | float32 `s_in·s_w/s_out` (§7.2) | int32, added to acc (a float bias: `RNE(double(b) / double(float(s_in)·float(s_w)))`, onnxruntime.quantization) | binary32 multiply, ties to even | ONNX Runtime QLinearConv / QLinearMatMul (MLAS) |
/// | `powerOfTwo` | `2^-n`, the nearest power of two | int32 | one rounding by the chosen rule | shift-only accelerators |
/// | `fixedPoint(b, r)` | `M · 2^-n`, M a signed b-bit integer | int32 | one rounding of the exact product by rule r | accelerators with narrower multipliers |
///
/// The float32 schemes are computed in the emitted C with integer operations only (an exact
/// emulation of IEEE binary32 round-to-nearest-even, requant.md §11).
public enum RequantizationScheme: Hashable, Codable, Sendable, CustomStringConvertible {
    case tflite
    /// LiteRT's (the TFLite interpreter's) builtin reference kernels: `tflite`'s arithmetic except
    /// where LiteRT's own kernels differ from TFLite Micro's (FULLY_CONNECTED rescales in double;
    /// README "Requantization schemes" lists every op).
    case liteRT
    case singleRounding
    /// PyTorch's `fbgemm`/`x86` engines. `saturatingPairs`: FBGEMM's kernels without AVX512-VNNI
    /// (int16 pair saturation). `avx512`: ATen's AVX512 kernels (`torch.backends.cpu.get_cpu_capability()`
    /// is `AVX512`), whose elementwise loops run 128-code vector blocks before the scalar tail
    /// (64 under AVX2); see `elementwiseVectorBlock`.
    case fbgemm(saturatingPairs: Bool = false, avx512: Bool = false)
    case qnnpack
    case onnxRuntime
    /// Multiply by the nearest power of two `2^-n`; refused when that is further than
    /// `tolerance` (relative) from the real multiplier.
    case powerOfTwo(rounding: RoundingRule, tolerance: Double)
    /// Multiply by a signed `multiplierBits`-bit integer, then shift right with one rounding.
    case fixedPoint(multiplierBits: Int, rounding: RoundingRule)

    /// The default relative tolerance of `powerOfTwo`: 2^-8, so that for outputs within ±128
    /// codes the multiplier error moves a result by less than half a code.
    public static let defaultPowerOfTwoTolerance = 1.0 / 256.0

    /// The family decides which kernels and helpers the emitter uses.
    public enum Family: String, Sendable {
        /// Q31 multiplier and shift, TFLite's two roundings.
        case tflite
        /// Integer multiplier and one rounding of the exact 64-bit product.
        case fixedPoint
        /// IEEE binary32 arithmetic (emulated with integers in the C).
        case float32
    }

    public var family: Family {
        switch self {
        case .tflite, .liteRT: return .tflite
        case .singleRounding, .powerOfTwo, .fixedPoint: return .fixedPoint
        case .fbgemm, .qnnpack, .onnxRuntime: return .float32
        }
    }

    /// The rounding of the fixed-point family's single rounding step.
    public var rounding: RoundingRule? {
        switch self {
        case .singleRounding: return .halfUp
        case .powerOfTwo(let r, _), .fixedPoint(_, let r): return r
        default: return nil
        }
    }

    /// `fbgemm`: the float bias is added in binary32 after the integer accumulation.
    public var hasFloatBias: Bool { if case .fbgemm = self { return true } else { return false } }

    /// `fbgemm(saturatingPairs)`: non-VNNI x86 pair saturation in the accumulator.
    public var saturatesPairs: Bool { if case .fbgemm(true, _) = self { return true } else { return false } }

    /// `fbgemm`: the number of uint8/int8 codes ATen's vectorized elementwise loop handles per step
    /// (`2 · Vectorized<quint8>::size()`: 64 with AVX2, 128 with AVX512). The first
    /// `(n / block) · block` elements of an elementwise op take the vector path (dequantize with a
    /// fused multiply-add), the rest the scalar path (no fusion); the two can differ by one code.
    public var elementwiseVectorBlock: Int? {
        if case .fbgemm(_, let avx512) = self { return avx512 ? 128 : 64 }
        return nil
    }

    /// `Vectorized<float>::size()` of the ATen build the scheme names: 16 floats under `fbgemm(avx512)`,
    /// else 8 (AVX2; also what PyTorch's qnnpack engine runs its float paths with on x86). ATen's float
    /// reductions (mean, softmax) sum in that many lanes.
    public var atenFloatLanes: Int { elementwiseVectorBlock == 128 ? 16 : 8 }

    /// The canonical spelling, accepted by `init(parsing:)`, `--scheme` and `Requantization(name:)`.
    public var description: String {
        switch self {
        case .tflite: return "tflite"
        case .liteRT: return "liteRT"
        case .singleRounding: return "singleRounding"
        case .fbgemm(let saturating, let avx512):
            let flags = (saturating ? ["saturatingPairs"] : []) + (avx512 ? ["avx512"] : [])
            return flags.isEmpty ? "fbgemm" : "fbgemm(\(flags.joined(separator: ",")))"
        case .qnnpack: return "qnnpack"
        case .onnxRuntime: return "onnxRuntime"
        case .powerOfTwo(let rounding, let tolerance):
            if rounding == .halfUp && tolerance == Self.defaultPowerOfTwoTolerance { return "powerOfTwo" }
            return "powerOfTwo(rounding:\(rounding.rawValue),tolerance:\(tolerance))"
        case .fixedPoint(let bits, let rounding): return "fixedPoint(multiplierBits:\(bits),rounding:\(rounding.rawValue))"
        }
    }

    /// One line for provenance comments and `--help`.
    public var summary: String {
        switch self {
        case .tflite:
            return "tflite (Q31 multiplier, double rounding: SRDHM ties up, then RDBPOT ties away from zero; TFLite Micro / CMSIS-NN default)"
        case .liteRT:
            return "liteRT (LiteRT's builtin reference kernels: tflite's arithmetic, but FULLY_CONNECTED rounds double(acc) * double(s_in*s_w/s_out) half away from zero, emulated with integers)"
        case .singleRounding:
            return "singleRounding (Q31 multiplier, one rounding of the 64-bit product, ties up; TFLITE_SINGLE_ROUNDING / CMSIS_NN_USE_SINGLE_ROUNDING)"
        case .fbgemm(let saturating, let avx512):
            return "\(self) (PyTorch fbgemm/x86: float32 (s_in*s_w)/s_out, float bias b/(s_in*s_w) added in float32, ties to even"
                + (saturating ? "; u8*s8 pairs saturated to int16 as on x86 without AVX512-VNNI" : "")
                + "; ATen's \(avx512 ? "AVX512" : "AVX2") elementwise kernels; float32 emulated with integers)"
        case .qnnpack:
            return "qnnpack (PyTorch qnnpack: float32 (s_w*s_in)*(1/s_out), int32 bias, ties to even; float32 emulated with integers)"
        case .onnxRuntime:
            return "onnxRuntime (ONNX Runtime MLAS: float32 s_in*s_w/s_out, int32 bias, ties to even; float32 emulated with integers)"
        case .powerOfTwo(let rounding, let tolerance):
            return "\(self) (multiplier rounded to the nearest power of two, at most \(tolerance) relative error; one shift, \(rounding.phrase))"
        case .fixedPoint(let bits, let rounding):
            return "\(self) (signed \(bits)-bit multiplier, one rounding of the exact product, \(rounding.phrase))"
        }
    }

    /// The schemes' names for help texts (parameterised ones in their general form).
    public static let catalogue: [String] = [
        RequantizationScheme.tflite.summary,
        RequantizationScheme.liteRT.summary,
        RequantizationScheme.singleRounding.summary,
        RequantizationScheme.fbgemm(saturatingPairs: false).summary,
        RequantizationScheme.fbgemm(saturatingPairs: true).summary,
        RequantizationScheme.fbgemm(avx512: true).summary,
        RequantizationScheme.qnnpack.summary,
        RequantizationScheme.onnxRuntime.summary,
        "powerOfTwo, powerOfTwo(rounding:R,tolerance:T) (nearest power of two; R = halfUp (default), halfAwayFromZero or halfEven; T defaults to 0.00390625)",
        "fixedPoint(multiplierBits:B,rounding:R) (signed B-bit multiplier, 2 <= B <= 32, one rounding by R)",
    ]

    /// Every accepted spelling, for error messages.
    public static let spellings = "tflite, liteRT, singleRounding, fbgemm, fbgemm(saturatingPairs), fbgemm(avx512), fbgemm(saturatingPairs,avx512), qnnpack, onnxRuntime, powerOfTwo, "
        + "powerOfTwo(rounding:R,tolerance:T), fixedPoint(multiplierBits:B,rounding:R) with R one of halfUp, halfAwayFromZero, halfEven "
        + "and 2 <= B <= 32"

    /// Why a text is not a scheme: the message names the mistake and the valid spellings.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        /// The text that was parsed.
        public var text: String
        /// What is wrong with it, and what would be valid.
        public var reason: String
        public var description: String { "'\(text)' is not a requantization scheme: \(reason)" }
    }

    /// Parses the canonical spelling. Spaces and a leading `.` before rounding names are ignored,
    /// so `fixedPoint(multiplierBits: 16, rounding: .halfEven)` is accepted as written in Swift.
    public init?(parsing text: String) {
        guard let scheme = try? Self(validating: text) else { return nil }
        self = scheme
    }

    /// Parses the canonical spelling, or throws a `ParseError` that says what is wrong.
    public init(validating text: String) throws {
        func fail(_ why: String) -> ParseError { ParseError(text: text, reason: why) }
        let compact = text.filter { !$0.isWhitespace }.replacingDotBeforeRounding()
        var name = compact
        var arguments: [String: String] = [:]
        var flags: [String] = []
        if let open = compact.firstIndex(of: "(") {
            guard compact.hasSuffix(")") else { throw fail("the '(' is not closed by a ')' at the end") }
            name = String(compact[..<open])
            let inner = compact[compact.index(after: open)..<compact.index(before: compact.endIndex)]
            for part in inner.split(separator: ",") {
                let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
                if pieces.count == 2 { arguments[pieces[0]] = pieces[1] } else { flags.append(String(part)) }
            }
        }
        let roundings = RoundingRule.allCases.map(\.rawValue).joined(separator: ", ")
        func only(_ allowed: [String], flags allowedFlags: [String] = []) throws {
            if let extra = arguments.keys.sorted().first(where: { !allowed.contains($0) }) ?? flags.first(where: { !allowedFlags.contains($0) }) {
                let takes = allowed.isEmpty && allowedFlags.isEmpty ? "takes no arguments" : "takes " + (allowed.map { "\($0):" } + allowedFlags).joined(separator: " and ")
                throw fail("\(name) \(takes), not '\(extra)'")
            }
        }
        func rounding(_ key: String) throws -> RoundingRule? {
            guard let value = arguments[key] else { return nil }
            guard let rule = RoundingRule(rawValue: value) else { throw fail("rounding '\(value)' is not one of \(roundings)") }
            return rule
        }
        switch name {
        case "tflite": try only([]); self = .tflite
        case "liteRT": try only([]); self = .liteRT
        case "singleRounding": try only([]); self = .singleRounding
        case "qnnpack": try only([]); self = .qnnpack
        case "onnxRuntime": try only([]); self = .onnxRuntime
        case "fbgemm":
            try only(["saturatingPairs", "avx512"], flags: ["saturatingPairs", "avx512"])
            func flag(_ key: String) throws -> Bool {
                guard let value = arguments[key] else { return flags.contains(key) }
                guard let flag = Bool(value) else { throw fail("\(key) takes true or false, not '\(value)'") }
                return flag
            }
            self = .fbgemm(saturatingPairs: try flag("saturatingPairs"), avx512: try flag("avx512"))
        case "powerOfTwo":
            try only(["rounding", "tolerance"])
            var tolerance = Self.defaultPowerOfTwoTolerance
            if let text = arguments["tolerance"] {
                guard let t = Double(text), t.isFinite, t >= 0 else { throw fail("powerOfTwo's tolerance must be a finite number ≥ 0 (a relative error, e.g. 0.01), not '\(text)'") }
                tolerance = t
            }
            self = .powerOfTwo(rounding: try rounding("rounding") ?? .halfUp, tolerance: tolerance)
        case "fixedPoint":
            try only(["multiplierBits", "rounding"])
            guard let bitsText = arguments["multiplierBits"], let rule = try rounding("rounding") else {
                throw fail("fixedPoint needs both multiplierBits:B (2...32) and rounding:R (\(roundings)), e.g. fixedPoint(multiplierBits:16,rounding:halfEven)")
            }
            guard let bits = Int(bitsText), (2...32).contains(bits) else {
                throw fail("fixedPoint's multiplierBits must be a whole number in 2...32 (the multiplier is a signed B-bit integer), not '\(bitsText)'")
            }
            self = .fixedPoint(multiplierBits: bits, rounding: rule)
        default:
            throw fail("unknown scheme '\(name)'; the schemes are \(Self.spellings)")
        }
    }

    /// The shifts a fixed-point scheme can apply (`shift` as in `QuantizedMultiplier`: the value
    /// is `mantissa · 2^(shift − 31)`): `tflite` shifts the accumulator left by up to 31 bits and
    /// right by up to 31 (RDBPOT's domain); the single-rounding schemes divide by `2^(31 − shift)`
    /// with `31 − shift` in `[0, 62]`, and TFLite caps its own shift at 30.
    public var shiftRange: ClosedRange<Int32> {
        switch self {
        case .tflite, .liteRT: return -31...31
        case .singleRounding: return -31...30
        default: return -31...31
        }
    }

    /// `R(acc · m)` for the fixed-point families, the scaled accumulator before the output zero
    /// point is added. The float32 family is computed by `Float32Requantization`.
    ///
    /// Preconditions (proved for every layer at lowering): `multiplier.shift` in `shiftRange`, and
    /// for `tflite` and `liteRT` `acc · 2^max(shift, 0)` fits in int32.
    @inlinable
    public func scale(_ acc: Int32, by multiplier: QuantizedMultiplier) -> Int32 {
        switch self {
        case .tflite, .liteRT:
            return Self.doubleRounding(acc, multiplier)
        case .singleRounding, .powerOfTwo, .fixedPoint:
            return Self.singleRounding(acc, multiplier, rounding: rounding ?? .halfUp)
        case .fbgemm, .qnnpack, .onnxRuntime:
            preconditionFailure("\(self) is a float32 scheme; use Float32Requantization")
        }
    }

    /// TFLite's default `MultiplyByQuantizedMultiplier`:
    /// `RDBPOT(SRDHM(acc · 2^left, M), right)` with `left = max(shift, 0)`, `right = max(-shift, 0)`.
    @inlinable
    public static func doubleRounding(_ acc: Int32, _ multiplier: QuantizedMultiplier) -> Int32 {
        let left = max(multiplier.shift, 0)
        let right = max(-multiplier.shift, 0)
        let shifted = Int32(Int64(acc) << Int64(left))   // traps if the lowering's bound were wrong
        let high = Gemmlowp.saturatingRoundingDoublingHighMul(shifted, multiplier.mantissa)
        return Gemmlowp.roundingDivideByPOT(high, right)
    }

    /// One rounding of the exact product: `round(acc · M / 2^(31 − shift))` by `rounding`. With
    /// `.halfUp` this is TFLite's `TFLITE_SINGLE_ROUNDING` `MultiplyByQuantizedMultiplier`.
    @inlinable
    public static func singleRounding(_ acc: Int32, _ multiplier: QuantizedMultiplier, rounding: RoundingRule = .halfUp) -> Int32 {
        let total = 31 - Int(multiplier.shift)
        let product = Int64(acc) * Int64(multiplier.mantissa)
        if total < 0 { return Int32(product << Int64(-total)) }   // traps if the lowering's bound were wrong
        return Int32(rounding.round(product, byPowerOfTwo: total))
    }
}

/// How a single rounding step breaks ties.
public enum RoundingRule: String, Hashable, Codable, Sendable, CaseIterable {
    /// Ties toward +∞: `(v + 2^(n−1)) >> n`, the cheapest in hardware.
    case halfUp
    /// Ties away from zero (C `round`).
    case halfAwayFromZero
    /// Ties to even (IEEE default, `nearbyint`).
    case halfEven

    public var phrase: String {
        switch self {
        case .halfUp: return "ties toward +infinity"
        case .halfAwayFromZero: return "ties away from zero"
        case .halfEven: return "ties to even"
        }
    }

    @inlinable
    public func round(_ value: Int64, byPowerOfTwo n: Int) -> Int64 {
        switch self {
        case .halfUp: return PowerOfTwoRounding.roundHalfUp(value, byPowerOfTwo: n)
        case .halfAwayFromZero: return PowerOfTwoRounding.roundHalfAwayFromZero(value, byPowerOfTwo: n)
        case .halfEven: return PowerOfTwoRounding.roundHalfToEven(value, byPowerOfTwo: n)
        }
    }
}

extension String {
    /// `rounding:.halfEven` → `rounding:halfEven` (a `.` between `:` and a letter is dropped).
    fileprivate func replacingDotBeforeRounding() -> String {
        let chars = Array(self)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == ".", i > 0, chars[i - 1] == ":", i + 1 < chars.count, chars[i + 1].isLetter { continue }
            out.append(c)
        }
        return out
    }
}
