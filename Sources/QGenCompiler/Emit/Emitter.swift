import QGen
import QGenArithmetic

/// The emit stage: asks each node's op for its constant arrays and kernel context, and lays out
/// the header, the helpers and the run sequence. It decides; the renderer writes.
public enum Emitter {
    public static func emit(_ model: LoweredModel, options: EmitOptions = EmitOptions()) -> CFile {
        let fileStem = options.fileStem
        let headerName = "\(fileStem ?? model.cPrefix).h"
        let sourceName = "\(fileStem ?? model.cPrefix).c"
        let api = EmittedNames.Model(prefix: model.cPrefix)
        // The boundary keeps the layout each Input declared (and the outputs inherit).
        let single = model.inputs.count == 1 && model.outputs.count == 1
        let upper = model.cPrefix.uppercased()
        func boundary(_ id: TensorID, input: Bool, position: Int) -> BoundaryTensor {
            let t = model.tensors[id], role = input ? "input" : "output"
            return BoundaryTensor(name: t.name, type: t.dtype.rawValue, cType: cType(t.dtype), shapeText: shapeText(t.shape),
                                  layout: t.layout?.rawValue.uppercased() ?? "batch-major", scale: t.scaleText, zeroPoint: t.zeroPoint, size: t.count,
                                  sizeMacro: single ? (input ? api.inputSize : api.outputSize) : "\(upper)_\(role.uppercased())_\(position)_SIZE",
                                  parameter: single ? role : "\(role)\(position)")
        }
        let inputs = model.inputs.enumerated().map { boundary($1, input: true, position: $0) }
        let outputs = model.outputs.enumerated().map { boundary($1, input: false, position: $0) }
        let parameters = (inputs.map { "const \($0.cType) *\($0.parameter)" } + outputs.map { "\($0.cType) *\($0.parameter)" }).joined(separator: ", ")
        let nullTests = (inputs + outputs).map { "\($0.parameter) == NULL" }.joined(separator: " || ")
        let header = HeaderContext(
            headerName: headerName, modelName: model.name, version: model.qgenVersion, sourceFile: model.sourceFile,
            schemeSummary: model.scheme.summary, api: api, inputs: inputs, outputs: outputs, single: single, parameters: parameters,
            arenaSize: model.arenaSize, arenaLowerBound: model.arenaLowerBound,
            floatRequant: options.floatRequant, floatIO: floatIOContext(model, options: options, nativeHelpers: false))

        var arrays: [CArray] = []
        var kernels: [any KernelContext] = []
        var steps: [RunStep] = []
        var summaries: [String] = []
        var opHelpers: [String] = []
        var dotTypes: [String] = []
        var tileTypes: [String] = []
        var requantizes = false
        var layerConstantBytes: [Int] = []
        for node in model.nodes {
            let emitted = node.op.kernel.emit(node, in: model, options: options)
            arrays += emitted.arrays
            layerConstantBytes.append(emitted.arrays.map(\.bytes).reduce(0, +))
            for helper in emitted.helpers where !opHelpers.contains(helper) { opHelpers.append(helper) }
            for type in emitted.dotTypes where !dotTypes.contains(type) { dotTypes.append(type) }
            for type in emitted.tileTypes where !tileTypes.contains(type) { tileTypes.append(type) }
            if emitted.helpers.contains(EmittedNode.requantize) { requantizes = true }
            summaries.append("\(node.cName): \(node.kindName) \(bracketed(model.tensors[node.inputs[0]].shape)) -> \(bracketed(model.tensors[node.output].shape)) (\(node.location.fileName):\(node.location.line))"
                             + (emitted.kernel == nil ? (node.kindName == "Concatenation" ? ", its inputs written into their slices of its output" : ", shares its input's memory")
                                : model.writesOverItsInput(node) ? ", in place: written over its input" : ""))
            guard let kernel = emitted.kernel else { continue }
            kernels.append(kernel)
            let arguments = node.inputs.map { bufferExpression(model.tensors[$0], const: true, inputs: inputs, outputs: outputs) }
                + [bufferExpression(model.tensors[node.output], const: false, inputs: inputs, outputs: outputs)]
            steps.append(RunStep(function: EmittedNames.Layer(cName: node.cName).function, arguments: arguments.joined(separator: ", ")))
        }
        let helperNames = helperTemplates(requantizes: requantizes, opHelpers: opHelpers, scheme: model.scheme, native: options.floatRequant)
        let source = SourceContext(
            sourceName: sourceName, headerName: headerName, modelName: model.name, version: model.qgenVersion, sourceFile: model.sourceFile,
            schemeSummary: model.scheme.summary, api: api, parameters: parameters, nullTests: nullTests, layerSummaries: summaries,
            helperTemplate: nil, helpers: helperContext(model.scheme, dotTypes: dotTypes, tileTypes: tileTypes,
                                                         roundsFloat32: opHelpers.contains(EmittedNode.float32Core) || model.scheme.hasFloatBias),
            opHelpers: helperNames,
            arrays: arrays, kernels: kernels, usesArena: model.arenaSize > 0, steps: steps,
            floatRequant: options.floatRequant, floatIO: floatIOContext(model, options: options, nativeHelpers: helperNames.contains(EmittedNode.floatRound)))
        return CFile(headerName: headerName, sourceName: sourceName, header: header, source: source, layerConstantBytes: layerConstantBytes)
    }

    /// The helper templates in the order the C needs them: the scheme's requantization helpers when
    /// some op requantizes (the float32 family's built from the binary32 emulation's parts, so that
    /// every emitted helper has a caller), then the ops' own; the emulation's parts always first.
    private static func helperTemplates(requantizes: Bool, opHelpers: [String], scheme: RequantizationScheme, native: Bool) -> [String] {
        var wanted: [String] = []
        if requantizes {
            if native {
                wanted = [EmittedNode.floatRound, "helpers_float32_native"]
            } else if scheme.family == .float32 {
                wanted = [EmittedNode.float32Core] + (scheme.hasFloatBias ? [EmittedNode.float32Add] : []) + ["helpers_float32"]
            } else {
                wanted = ["helpers_\(scheme.family.rawValue)"]
            }
        }
        for helper in opHelpers where helper != EmittedNode.requantize && !wanted.contains(helper) { wanted.append(helper) }
        let first = [EmittedNode.floatRound, EmittedNode.float32Core, EmittedNode.float32Add, EmittedNode.float32Fma, EmittedNode.float32Div, EmittedNode.float32Exp].filter(wanted.contains)
        return first + wanted.filter { !first.contains($0) }
    }

    static func cType(_ dtype: DType) -> String {
        switch dtype {
        case .uint8: return "uint8_t"
        case .int8: return "int8_t"
        case .int16: return "int16_t"
        }
    }

    private static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: ", ") }
    private static func bracketed(_ shape: [Int]) -> String { "[" + shapeText(shape) + "]" }

    private static func bufferExpression(_ tensor: LoweredTensor, const: Bool, inputs: [BoundaryTensor], outputs: [BoundaryTensor]) -> String {
        switch tensor.buffer {
        case .modelInput(let i): return inputs[i].parameter
        case .modelOutput(let i): return outputs[i].parameter
        case .arena(let offset, _): return "(\(const ? "const " : "")\(cType(tensor.dtype)) *)(memory + \(offset))"
        }
    }

    /// A C99 hexadecimal float literal: exact for every float32.
    static func hexLiteral(_ value: Float) -> String { String(format: "%a", Double(value)) + "f" }

    private static func helperContext(_ scheme: RequantizationScheme, dotTypes: [String], tileTypes: [String], roundsFloat32: Bool) -> HelperContext {
        HelperContext(hasFloatBias: scheme.hasFloatBias, halfUp: scheme.rounding == .halfUp,
                      halfAwayFromZero: scheme.rounding == .halfAwayFromZero, halfEven: scheme.rounding == .halfEven,
                      dotTypes: dotTypes,
                      tileTypes: tileTypes.compactMap(DType.init(rawValue:)).map { TileType(type: $0.rawValue, cType: cType($0), signed: $0 == .int8) },
                      roundsFloat32: roundsFloat32)
    }

    /// `nativeHelpers`: the file defines `qgen_round_to_int32` already (the float_round helper).
    private static func floatIOContext(_ model: LoweredModel, options: EmitOptions, nativeHelpers: Bool) -> FloatIOContext? {
        guard options.floatIO else { return nil }
        let rule = model.scheme.boundary
        let text: String
        switch rule {
        case .pytorch: text = "PyTorch quantize_per_tensor: q = clamp(round_half_even(x * (1.0f / scale)) + zero_point), the reciprocal in float32"
        case .onnx: text = "ONNX QuantizeLinear / ONNX Runtime: q = clamp(round_half_even(x / scale) + zero_point), float32 division"
        case .tflite: text = "TFLite Quantize: q = clamp(round_half_away_from_zero(x / scale) + zero_point), float32 division"
        }
        return FloatIOContext(
            api: EmittedNames.Model(prefix: model.cPrefix), ruleName: rule.rawValue, ruleText: text,
            multipliesByInverse: rule == .pytorch, roundsHalfAway: rule == .tflite, definesRoundHelper: rule != .tflite && !nativeHelpers,
            inputCType: cType(model.input.dtype), inputScaleLiteral: hexLiteral(model.input.scale32.value),
            inputInverseScaleLiteral: hexLiteral(model.input.inverseScale32.value), inputZeroPoint: model.input.zeroPoint,
            inputMin: model.input.dtype.range.lowerBound, inputMax: model.input.dtype.range.upperBound,
            outputCType: cType(model.output.dtype), outputScaleLiteral: hexLiteral(model.output.scale32.value),
            outputZeroPoint: model.output.zeroPoint)
    }
}
