import QGen
import QGenArithmetic

/// The emit stage: chooses a kernel per layer and fills its typed context, and lays out the
/// constant arrays and the run sequence. It decides; the renderer writes.
public enum Emitter {
    /// `fileStem` names the pair `<stem>.c`/`<stem>.h` (default: the C prefix).
    public static func emit(_ model: LoweredModel, fileStem: String? = nil) -> CFile {
        let headerName = "\(fileStem ?? model.cPrefix).h"
        let sourceName = "\(fileStem ?? model.cPrefix).c"
        let api = EmittedNames.Model(prefix: model.cPrefix)
        let inputLayout = model.input.shape.count == 4 ? "NCHW" : "batch-major"
        let outputLayout = model.output.shape.count == 4 ? "NCHW" : "batch-major"
        let header = HeaderContext(
            headerName: headerName, modelName: model.name, version: model.qgenVersion, sourceFile: model.sourceFile,
            schemeSummary: model.scheme.summary, api: api,
            inputName: model.input.name, inputType: model.input.dtype.rawValue, inputCType: cType(model.input.dtype),
            inputShapeText: shapeText(model.input.shape), inputLayout: inputLayout, inputScale: model.input.scaleText,
            inputZeroPoint: model.input.zeroPoint, inputSize: model.input.count,
            outputName: model.output.name, outputType: model.output.dtype.rawValue, outputCType: cType(model.output.dtype),
            outputShapeText: shapeText(model.output.shape), outputLayout: outputLayout, outputScale: model.output.scaleText,
            outputZeroPoint: model.output.zeroPoint, outputSize: model.output.count, arenaSize: model.arenaSize,
            floatRequant: model.floatRequant, floatIO: floatIOContext(model))

        var arrays: [CArray] = []
        var kernels: [Kernel] = []
        var steps: [RunStep] = []
        var summaries: [String] = []
        for layer in model.layers {
            arrays += constants(of: layer, native: model.floatRequant)
            kernels.append(kernel(for: layer, saturatesPairs: model.scheme.saturatesPairs, native: model.floatRequant))
            steps.append(RunStep(function: EmittedNames.Layer(cName: layer.cName).function, inputExpression: bufferExpression(layer.inputBuffer, type: layer.inputType, const: true),
                                 outputExpression: bufferExpression(layer.outputBuffer, type: layer.outputType, const: false)))
            summaries.append("\(layer.cName): \(layer.kindName) \(bracketed(layer.inputShape)) -> \(bracketed(layer.outputShape)) (\(layer.location.fileName):\(layer.location.line))")
        }
        let source = SourceContext(
            sourceName: sourceName, headerName: headerName, modelName: model.name, version: model.qgenVersion, sourceFile: model.sourceFile,
            schemeSummary: model.scheme.summary, api: api,
            inputCType: header.inputCType, outputCType: header.outputCType, layerSummaries: summaries,
            helperTemplate: model.floatRequant ? "helpers_float32_native" : "helpers_\(model.scheme.family.rawValue)",
            helpers: helperContext(model.scheme), arrays: arrays, kernels: kernels, usesArena: model.arenaSize > 0, steps: steps,
            floatRequant: model.floatRequant, floatIO: header.floatIO)
        return CFile(headerName: headerName, sourceName: sourceName, header: header, source: source)
    }

    static func cType(_ dtype: DType) -> String { dtype == .uint8 ? "uint8_t" : "int8_t" }

    private static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: ", ") }
    private static func bracketed(_ shape: [Int]) -> String { "[" + shapeText(shape) + "]" }

    private static func bufferExpression(_ buffer: BufferRef, type: DType, const: Bool) -> String {
        switch buffer {
        case .modelInput: return "input"
        case .modelOutput: return "output"
        case .arena(let offset, _): return "(\(const ? "const " : "")\(cType(type)) *)(memory + \(offset))"
        }
    }

    /// A C99 hexadecimal float literal: exact for every float32.
    static func hexLiteral(_ value: Float) -> String { String(format: "%a", Double(value)) + "f" }

    private static func constants(of layer: LoweredLayer, native: Bool) -> [CArray] {
        let names = EmittedNames.Layer(cName: layer.cName)
        let shape = layer.geometry.weightShape.map(String.init).joined(separator: "][")
        let perWhat = layer.isPerChannel ? "per output channel" : "per tensor"
        var arrays = [
            CArray(name: names.weights, cType: "int8_t", comment: "\(layer.name): int8 weights [\(shape)] (PyTorch layout)",
                   values: layer.weights.map(Int64.init), elementComments: nil),
            CArray(name: names.bias, cType: "int32_t",
                   comment: "\(layer.name): \(!layer.hasBias ? "no bias (0)" : layer.floatBiasTerms.isEmpty ? "int32 bias" : "no int32 bias (the float bias is \(native ? names.biasTerm : names.biasTermMantissa))") minus input zero point \(layer.inputZeroPoint) times the channel's weight sum (units of s_in*s_w)",
                   values: layer.foldedBias.map(Int64.init), elementComments: nil),
        ]
        if !layer.multipliers.isEmpty {
            let what = layer.multipliers.allSatisfy({ $0.mantissa == 1 || $0.mantissa == 0 }) ? "power-of-two multipliers" : "fixed-point multipliers"
            arrays.append(CArray(name: names.multiplier, cType: "int32_t", comment: "\(layer.name): \(what) (value = multiplier * 2^(shift - 31)), \(perWhat)",
                                 values: layer.multipliers.map { Int64($0.mantissa) }, elementComments: layer.multiplierTexts))
            arrays.append(CArray(name: names.shift, cType: "int32_t", comment: "\(layer.name): left-shift exponents (negative: right shift), \(perWhat)",
                                 values: layer.multipliers.map { Int64($0.shift) }, elementComments: nil))
        }
        if native {
            arrays.append(CArray(name: names.scale, cType: "float", comment: "\(layer.name): float32 multipliers, \(perWhat)",
                                 values: [], elementComments: layer.multiplierTexts, literals: layer.floatMultipliers.map { hexLiteral($0.value) }))
            if !layer.floatBiasTerms.isEmpty {
                arrays.append(CArray(name: names.biasTerm, cType: "float", comment: "\(layer.name): float32 bias / (s_in*s_w), per output channel",
                                     values: [], elementComments: layer.floatBiasTerms.map { "\($0.value)" }, literals: layer.floatBiasTerms.map { hexLiteral($0.value) }))
            }
        } else if !layer.floatMultipliers.isEmpty {
            arrays.append(CArray(name: names.scaleMantissa, cType: "int32_t",
                                 comment: "\(layer.name): float32 multipliers as exact integers (value = mantissa * 2^exponent), \(perWhat)",
                                 values: layer.floatMultipliers.map { Int64($0.mantissa) }, elementComments: layer.multiplierTexts))
            arrays.append(CArray(name: names.scaleExponent, cType: "int32_t", comment: "\(layer.name): exponents of the float32 multipliers",
                                 values: layer.floatMultipliers.map { Int64($0.exponent) }, elementComments: nil))
        }
        if !layer.floatBiasTerms.isEmpty && !native {
            arrays.append(CArray(name: names.biasTermMantissa, cType: "int32_t",
                                 comment: "\(layer.name): float32 bias / (s_in*s_w) as exact integers (value = mantissa * 2^exponent), per output channel",
                                 values: layer.floatBiasTerms.map { Int64($0.mantissa) },
                                 elementComments: layer.floatBiasTerms.map { "\($0.value)" }))
            arrays.append(CArray(name: names.biasTermExponent, cType: "int32_t", comment: "\(layer.name): exponents of the float32 bias terms",
                                 values: layer.floatBiasTerms.map { Int64($0.exponent) }, elementComments: nil))
        }
        if layer.hasWeightZeroPoint {
            arrays.append(CArray(name: names.weightZeroPoint, cType: "int32_t", comment: "\(layer.name): weight zero points, \(perWhat)",
                                 values: layer.weightZeroPoints.map(Int64.init), elementComments: nil))
        }
        return arrays
    }

    private static func kernel(for layer: LoweredLayer, saturatesPairs: Bool, native: Bool) -> Kernel {
        var common = KernelCommon(
            names: EmittedNames.Layer(cName: layer.cName), layerName: layer.name, location: "\(layer.location.fileName):\(layer.location.line)",
            inputType: layer.inputType.rawValue, inputCType: cType(layer.inputType),
            outputType: layer.outputType.rawValue, outputCType: cType(layer.outputType),
            inputZeroPoint: layer.inputZeroPoint, outputZeroPoint: layer.outputZeroPoint, activationText: layer.activationText,
            activationMin: layer.activationMin, activationMax: layer.activationMax, accumulatorBound: layer.accumulatorBound,
            channelIndex: "0", requantizeArguments: "", hasWeightZeroPoint: layer.hasWeightZeroPoint)
        let outputIndex: String
        switch layer.geometry {
        case .linear: outputIndex = "o"
        case .conv2d: outputIndex = "oc"
        }
        common.channelIndex = layer.isPerChannel ? outputIndex : "0"
        let n = common.names, c = common.channelIndex
        if native {
            common.requantizeArguments = "\(n.scale)[\(c)]" + (layer.floatBiasTerms.isEmpty ? "" : ", \(n.biasTerm)[\(outputIndex)]")
        } else if !layer.floatMultipliers.isEmpty {
            common.requantizeArguments = "\(n.scaleMantissa)[\(c)], \(n.scaleExponent)[\(c)]"
            if !layer.floatBiasTerms.isEmpty {
                common.requantizeArguments += ", \(n.biasTermMantissa)[\(outputIndex)], \(n.biasTermExponent)[\(outputIndex)]"
            }
        } else {
            common.requantizeArguments = "\(n.multiplier)[\(c)], \(n.shift)[\(c)]"
        }
        switch layer.geometry {
        case .linear(let g):
            return .linear(LinearKernel(common: common, batch: g.batch, inFeatures: g.inFeatures, outFeatures: g.outFeatures,
                                        saturatesPairs: saturatesPairs, pairCount: g.inFeatures / 2, hasOddTail: g.inFeatures % 2 == 1))
        case .conv2d(let g):
            return .conv2d(Conv2dKernel(
                common: common, geometry: g, hasPadding: g.padHeight > 0 || g.padWidth > 0,
                inChannelsPerGroup: g.inChannelsPerGroup, outChannelsPerGroup: g.outChannelsPerGroup,
                inPlaneSize: g.inHeight * g.inWidth, kernelSize: g.kernelHeight * g.kernelWidth))
        }
    }

    private static func helperContext(_ scheme: RequantizationScheme) -> HelperContext {
        HelperContext(hasFloatBias: scheme.hasFloatBias, halfUp: scheme.rounding == .halfUp,
                      halfAwayFromZero: scheme.rounding == .halfAwayFromZero, halfEven: scheme.rounding == .halfEven)
    }

    private static func floatIOContext(_ model: LoweredModel) -> FloatIOContext? {
        guard model.floatIO else { return nil }
        let rule = model.scheme.boundary
        let text: String
        switch rule {
        case .pytorch: text = "PyTorch quantize_per_tensor: q = clamp(round_half_even(x * (1.0f / scale)) + zero_point), the reciprocal in float32"
        case .onnx: text = "ONNX QuantizeLinear / ONNX Runtime: q = clamp(round_half_even(x / scale) + zero_point), float32 division"
        case .tflite: text = "TFLite Quantize: q = clamp(round_half_away_from_zero(x / scale) + zero_point), float32 division"
        }
        return FloatIOContext(
            api: EmittedNames.Model(prefix: model.cPrefix), ruleName: rule.rawValue, ruleText: text,
            multipliesByInverse: rule == .pytorch, roundsHalfAway: rule == .tflite, definesRoundHelper: rule != .tflite && !model.floatRequant,
            inputCType: cType(model.input.dtype), inputScaleLiteral: hexLiteral(model.input.scale32.value),
            inputInverseScaleLiteral: hexLiteral(model.input.inverseScale32.value), inputZeroPoint: model.input.zeroPoint,
            inputMin: model.input.dtype.range.lowerBound, inputMax: model.input.dtype.range.upperBound,
            outputCType: cType(model.output.dtype), outputScaleLiteral: hexLiteral(model.output.scale32.value),
            outputZeroPoint: model.output.zeroPoint)
    }
}
