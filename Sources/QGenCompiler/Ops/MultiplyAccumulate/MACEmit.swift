import QGen
import QGenArithmetic

extension LoweredMAC {
    /// The constant arrays (weights, folded bias, the scheme's multipliers) and the kernel context
    /// of a multiply-accumulate node; the op's geometry supplies its own kernel template.
    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let kernel = kernel(node, in: model, native: options.floatRequant)
        let dotType = (kernel as? DotReducing)?.dotInputType
        let tileType = (kernel as? DotReducing)?.tileOutputType
        let targetPaths = (kernel as? DotReducing)?.usesTargetPaths ?? false
        return EmittedNode(arrays: constants(node, native: options.floatRequant), kernel: kernel,
                           helpers: [requantizer.doubleMultipliers.isEmpty ? EmittedNode.requantize : "helpers_double_scale"]
                               + (dotType == nil && tileType == nil && !targetPaths ? [] : [DotReduction.helper]),
                           dotTypes: dotType.map { [$0] } ?? [], tileTypes: tileType.map { [$0] } ?? [])
    }

    private func constants(_ node: LoweredNode, native: Bool) -> [CArray] {
        let names = EmittedNames.Layer(cName: node.cName)
        let q = requantizer
        let shape = geometry.weightShape.map(String.init).joined(separator: "][")
        let perWhat = isPerChannel ? "per output channel" : "per tensor"
        let order = geometry.shape.packedWeightOrder
        var arrays = [
            CArray(name: names.weights, cType: "int8_t",
                   comment: "\(node.name): int8 weights " + (order == nil ? "[\(shape)] (\(geometry.shape.weightLayoutName))" : geometry.shape.packedWeightText ?? ""),
                   values: order.map { $0.map { Int64(weights[$0]) } } ?? weights.map(Int64.init), elementComments: nil),
            CArray(name: names.bias, cType: "int32_t",
                   comment: "\(node.name): \(!hasBias ? "no bias (0)" : q.floatBiasTerms.isEmpty ? "int32 bias" : "no int32 bias (the float bias is \(native ? names.biasTerm : names.biasTermMantissa))") minus input zero point \(inputZeroPoint) times the channel's weight sum (units of s_in*s_w)",
                   values: foldedBias.map(Int64.init), elementComments: nil),
        ]
        if !q.multipliers.isEmpty {
            let what = q.multipliers.allSatisfy({ $0.mantissa == 1 || $0.mantissa == 0 }) ? "power-of-two multipliers" : "fixed-point multipliers"
            arrays.append(CArray(name: names.multiplier, cType: "int32_t", comment: "\(node.name): \(what) (value = multiplier * 2^(shift - 31)), \(perWhat)",
                                 values: q.multipliers.map { Int64($0.mantissa) }, elementComments: q.multiplierTexts))
            arrays.append(CArray(name: names.shift, cType: "int32_t", comment: "\(node.name): left-shift exponents (negative: right shift), \(perWhat)",
                                 values: q.multipliers.map { Int64($0.shift) }, elementComments: nil))
        }
        if !q.doubleMultipliers.isEmpty {
            arrays.append(CArray(name: names.scaleMantissa, cType: "int64_t",
                                 comment: "\(node.name): double multipliers as exact integers (value = mantissa * 2^exponent), \(perWhat)",
                                 values: q.doubleMultipliers.map(\.mantissa), elementComments: q.multiplierTexts))
            arrays.append(CArray(name: names.scaleExponent, cType: "int32_t", comment: "\(node.name): exponents of the double multipliers",
                                 values: q.doubleMultipliers.map { Int64($0.exponent) }, elementComments: nil))
        } else if native {
            arrays.append(CArray(name: names.scale, cType: "float", comment: "\(node.name): float32 multipliers, \(perWhat)",
                                 values: [], elementComments: q.multiplierTexts, literals: q.floatMultipliers.map { Emitter.hexLiteral($0.value) }))
            if !q.floatBiasTerms.isEmpty {
                arrays.append(CArray(name: names.biasTerm, cType: "float", comment: "\(node.name): float32 bias / (s_in*s_w), per output channel",
                                     values: [], elementComments: q.floatBiasTerms.map { "\($0.value)" }, literals: q.floatBiasTerms.map { Emitter.hexLiteral($0.value) }))
            }
        } else if !q.floatMultipliers.isEmpty {
            arrays.append(CArray(name: names.scaleMantissa, cType: "int32_t",
                                 comment: "\(node.name): float32 multipliers as exact integers (value = mantissa * 2^exponent), \(perWhat)",
                                 values: q.floatMultipliers.map { Int64($0.mantissa) }, elementComments: q.multiplierTexts))
            arrays.append(CArray(name: names.scaleExponent, cType: "int32_t", comment: "\(node.name): exponents of the float32 multipliers",
                                 values: q.floatMultipliers.map { Int64($0.exponent) }, elementComments: nil))
        }
        if !q.floatBiasTerms.isEmpty && !native {
            arrays.append(CArray(name: names.biasTermMantissa, cType: "int32_t",
                                 comment: "\(node.name): float32 bias / (s_in*s_w) as exact integers (value = mantissa * 2^exponent), per output channel",
                                 values: q.floatBiasTerms.map { Int64($0.mantissa) },
                                 elementComments: q.floatBiasTerms.map { "\($0.value)" }))
            arrays.append(CArray(name: names.biasTermExponent, cType: "int32_t", comment: "\(node.name): exponents of the float32 bias terms",
                                 values: q.floatBiasTerms.map { Int64($0.exponent) }, elementComments: nil))
        }
        if hasWeightZeroPoint {
            arrays.append(CArray(name: names.weightZeroPoint, cType: "int32_t", comment: "\(node.name): weight zero points, \(perWhat)",
                                 values: weightZeroPoints.map(Int64.init), elementComments: nil))
        }
        return arrays
    }

    private func kernel(_ node: LoweredNode, in model: LoweredModel, native: Bool) -> any KernelContext {
        let input = model.tensors[node.inputs[0]], output = model.tensors[node.output]
        let q = requantizer
        let names = EmittedNames.Layer(cName: node.cName)
        let outputIndex = geometry.shape.channelVariable
        let c = isPerChannel ? outputIndex : "0"
        let arguments: String
        if !q.doubleMultipliers.isEmpty {
            arguments = "\(names.scaleMantissa)[\(c)], \(names.scaleExponent)[\(c)]"
        } else if native {
            arguments = "\(names.scale)[\(c)]" + (q.floatBiasTerms.isEmpty ? "" : ", \(names.biasTerm)[\(outputIndex)]")
        } else if !q.floatMultipliers.isEmpty {
            arguments = "\(names.scaleMantissa)[\(c)], \(names.scaleExponent)[\(c)]"
                + (q.floatBiasTerms.isEmpty ? "" : ", \(names.biasTermMantissa)[\(outputIndex)], \(names.biasTermExponent)[\(outputIndex)]")
        } else {
            arguments = "\(names.multiplier)[\(c)], \(names.shift)[\(c)]"
        }
        let common = KernelCommon(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            inputType: input.dtype.rawValue, inputCType: Emitter.cType(input.dtype),
            outputType: output.dtype.rawValue, outputCType: Emitter.cType(output.dtype),
            inputZeroPoint: inputZeroPoint, outputZeroPoint: q.outputZeroPoint, activationText: q.activationText,
            activationMin: q.activationMin, activationMax: q.activationMax, accumulatorBound: accumulatorBound,
            channelIndex: c, requantizeFunction: q.doubleMultipliers.isEmpty ? "qgen_requantize" : "qgen_requantize_double",
            requantizeArguments: arguments, hasWeightZeroPoint: hasWeightZeroPoint,
            // The TFLite family's Q31 output stage has a Helium form for a tile of int8/uint8 outputs.
            tileRequantize: model.scheme.family == .tflite && !native && q.doubleMultipliers.isEmpty && output.dtype != .int16,
            tileRequantizeArguments: (isPerChannel ? "&\(names.multiplier)[c0], &\(names.shift)[c0], 1" : "\(names.multiplier), \(names.shift), 0")
                + (q.multipliers.contains { $0.shift > 0 } ? ", 1" : ", 0"),
            writesOverItsInput: model.writesOverItsInput(node))
        return geometry.shape.kernel(common, saturatesPairs: model.scheme.saturatesPairs)
    }
}

/// Fields shared by every multiply-accumulate kernel template.
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
    /// `qgen_requantize` (the scheme's helpers), or `qgen_requantize_double` (liteRT's FULLY_CONNECTED).
    var requantizeFunction: String
    /// The scheme's constants for this output element, after `acc` in the `qgen_requantize` call.
    var requantizeArguments: String
    var hasWeightZeroPoint: Bool
    /// Whether an NHWC kernel's tile output stage may call `qgen_requantize_tile_<outputType>` (helpers_dot:
    /// Helium, x86), with `tileRequantizeArguments` (the multipliers and shifts from channel `c0`, their stride, and
    /// whether any shift is positive).
    var tileRequantize: Bool
    var tileRequantizeArguments: String
    /// The node's output overwrites its input (InPlace.swift models the portable kernels' access order).
    var writesOverItsInput: Bool
}
