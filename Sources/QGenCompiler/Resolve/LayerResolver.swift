import Foundation
import QGen

/// Resolves one Linear or Conv2d: output shape, constant data (loaded and checked), quantization
/// parameters. Every message names the layer and points at its model.swift line.
struct LayerResolver {
    let baseDirectory: URL

    func linear(_ l: Linear, cName: String, inputShape: [Int], input: QuantParams, producer: String, log: inout DiagnosticLog) -> ResolvedLayer? {
        let at = l.location
        let what = "layer '\(l.name)' (Linear)"
        let errorsBefore = log.items.filter { $0.severity == .error }.count
        if l.outFeatures < 1 || l.outFeatures > SizeLimits.maxDimension {
            log.error("\(what): outFeatures must be in 1...\(SizeLimits.maxDimension), got \(l.outFeatures)", at: at)
        }
        checkCommon(output: l.output, activation: l.activation, what: what, at: at, log: &log)
        guard log.items.filter({ $0.severity == .error }).count == errorsBefore else { return nil }
        let batch = inputShape[0]
        let inFeatures = inputShape.dropFirst().reduce(1, *)   // ≤ the input's element count, already bounded
        guard checkSizes(what: what, at: at, ("output", [batch, l.outFeatures]), ("weight", [l.outFeatures, inFeatures]), log: &log) else { return nil }
        let geometry = LayerGeometry.linear(LinearGeometry(batch: batch, inFeatures: inFeatures, outFeatures: l.outFeatures))
        return finish(name: l.name, cName: cName, kind: "Linear", at: at, geometry: geometry, inputShape: inputShape,
                      outputShape: [batch, l.outFeatures], input: input, output: l.output, activation: l.activation,
                      weight: l.weight, bias: l.bias, weightLayout: "[outFeatures, inFeatures]", log: &log)
    }

    func conv2d(_ c: Conv2d, cName: String, inputShape: [Int], input: QuantParams, producer: String, log: inout DiagnosticLog) -> ResolvedLayer? {
        let at = c.location
        let what = "layer '\(c.name)' (Conv2d)"
        var ok = true
        func fail(_ message: String) {
            log.error("\(what): \(message)", at: at)
            ok = false
        }
        guard inputShape.count == 4 else {
            fail("needs a [N, C, H, W] input, but \(producer) produces \(inputShape)")
            return nil
        }
        let (batch, inC, inH, inW) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        for (label, size, minimum) in [("kernel", c.kernel, 1), ("stride", c.stride, 1), ("padding", c.padding, 0), ("dilation", c.dilation, 1)] {
            if size.elementCount != 2 { fail("\(label) must be one integer or [height, width], got \(size.elementCount) values") }
            if size.height < minimum || size.width < minimum || size.height > SizeLimits.maxDimension || size.width > SizeLimits.maxDimension {
                fail("\(label) must be in \(minimum)...\(SizeLimits.maxDimension), got \(size)")
            }
        }
        if c.outChannels < 1 || c.outChannels > SizeLimits.maxDimension { fail("outChannels must be in 1...\(SizeLimits.maxDimension), got \(c.outChannels)") }
        if c.groups < 1 {
            fail("groups must be ≥ 1, got \(c.groups)")
        } else if inC % c.groups != 0 || c.outChannels % c.groups != 0 {
            fail("groups = \(c.groups) must divide both the input channels (\(inC), from \(producer)) and outChannels (\(c.outChannels))")
        }
        checkCommon(output: c.output, activation: c.activation, what: what, at: at, log: &log)
        guard ok else { return nil }
        let extentH = c.dilation.height * (c.kernel.height - 1) + 1
        let extentW = c.dilation.width * (c.kernel.width - 1) + 1
        let paddedH = inH + 2 * c.padding.height, paddedW = inW + 2 * c.padding.width
        guard extentH <= paddedH && extentW <= paddedW else {
            fail("kernel \(c.kernel) with dilation \(c.dilation) spans \(extentH)×\(extentW), larger than the padded input \(paddedH)×\(paddedW) (\(producer) produces \(inputShape))")
            return nil
        }
        let outH = (paddedH - extentH) / c.stride.height + 1
        let outW = (paddedW - extentW) / c.stride.width + 1
        guard checkSizes(what: what, at: at, ("output", [batch, c.outChannels, outH, outW]),
                         ("weight", [c.outChannels, inC / c.groups, c.kernel.height, c.kernel.width]), log: &log) else { return nil }
        let geometry = Conv2dGeometry(
            batch: batch, inChannels: inC, inHeight: inH, inWidth: inW, outChannels: c.outChannels, outHeight: outH, outWidth: outW,
            kernelHeight: c.kernel.height, kernelWidth: c.kernel.width, strideHeight: c.stride.height, strideWidth: c.stride.width,
            padHeight: c.padding.height, padWidth: c.padding.width, dilationHeight: c.dilation.height, dilationWidth: c.dilation.width,
            groups: c.groups)
        return finish(name: c.name, cName: cName, kind: "Conv2d", at: at, geometry: .conv2d(geometry), inputShape: inputShape,
                      outputShape: [batch, c.outChannels, outH, outW], input: input, output: c.output, activation: c.activation,
                      weight: c.weight, bias: c.bias, weightLayout: "[outChannels, inChannels / groups, kH, kW]", log: &log)
    }

    /// Each tensor's element count within `SizeLimits` (computed without overflow).
    private func checkSizes(what: String, at: SourceLocation, _ tensors: (String, [Int])..., log: inout DiagnosticLog) -> Bool {
        for (role, shape) in tensors where SizeLimits.elementCount(shape) == nil {
            log.error("\(what): the \(role) tensor \(shape) has more than \(SizeLimits.tensorLimitText) elements, qgen's limit for one tensor", at: at)
            return false
        }
        return true
    }

    private func checkCommon(output: QuantParams, activation: Activation, what: String, at: SourceLocation, log: inout DiagnosticLog) {
        Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log)
        if case .clamp(let lo, let hi) = activation, !(lo.isFinite && hi.isFinite && lo < hi) {
            log.error("\(what): clamp(min: \(lo), max: \(hi)) needs finite bounds with min < max", at: at)
        }
    }

    private func finish(
        name: String, cName: String, kind: String, at: SourceLocation, geometry: LayerGeometry, inputShape: [Int], outputShape: [Int],
        input: QuantParams, output: QuantParams, activation: Activation, weight: Weights, bias: Bias?, weightLayout: String,
        log: inout DiagnosticLog
    ) -> ResolvedLayer? {
        let what = "layer '\(name)' (\(kind))"
        let channels = geometry.outputChannels
        guard let weights = resolveWeights(weight, shape: geometry.weightShape, layout: weightLayout, channels: channels, what: what, at: at, log: &log)
        else { return nil }
        var resolvedBias: ResolvedBias?
        if let bias {
            let (data, isInt32): (TensorData, Bool) = switch bias {
            case .float(let d): (d, false)
            case .int32(let d): (d, true)
            }
            guard let values = load(data, role: "bias", shape: [channels], layout: "[\(channels)]", what: what, at: at, log: &log) else { return nil }
            for (i, v) in values.enumerated() {
                if !v.isFinite {
                    log.error("\(what): bias[\(i)] is \(v); biases must be finite", at: at)
                    return nil
                }
                if isInt32 && (v != v.rounded() || v < -2_147_483_648 || v > 2_147_483_647) {
                    log.error("\(what): int32 bias[\(i)] = \(v) is not an integer in [-2147483648, 2147483647]", at: at)
                    return nil
                }
            }
            resolvedBias = ResolvedBias(isInt32: isInt32, values: values)
        }
        return ResolvedLayer(
            name: name, cName: cName, kindName: kind, location: at, geometry: geometry, inputShape: inputShape, outputShape: outputShape,
            input: input, output: output, activation: activation, weights: weights, bias: resolvedBias,
            inputBuffer: .modelInput, outputBuffer: .modelOutput)
    }

    private func resolveWeights(_ weight: Weights, shape: [Int], layout: String, channels: Int, what: String, at: SourceLocation, log: inout DiagnosticLog) -> ResolvedWeights? {
        switch weight {
        case .float(let data, let rule):
            guard let values = load(data, role: "weight", shape: shape, layout: layout, what: what, at: at, log: &log) else { return nil }
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                log.error("\(what): weight[\(i)] is \(values[i]); weights must be finite", at: at)
                return nil
            }
            if let i = values.firstIndex(where: { abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                log.error("\(what): weight[\(i)] = \(values[i]) is beyond the float32 range (±\(Float.greatestFiniteMagnitude)) that every stack stores real weights in; check the weights", at: at)
                return nil
            }
            return ResolvedWeights(kind: .real(rule), values: values)
        case .quantized(let data, let scales, let zeroPoints):
            var ok = true
            if scales.count != 1 && scales.count != channels {
                log.error("\(what): \(scales.count) weight scales given; give 1 (per tensor) or \(channels) (one per output channel)", at: at)
                ok = false
            }
            if zeroPoints.count != scales.count {
                log.error("\(what): \(zeroPoints.count) weight zero points for \(scales.count) scales; give one per scale", at: at)
                ok = false
            }
            for (i, s) in scales.enumerated() where !(s.isFinite && s > 0) {
                log.error("\(what): weight scale[\(i)] must be a finite number > 0, got \(s)", at: at)
                ok = false
            }
            for (i, z) in zeroPoints.enumerated() where !(-128...127).contains(z) {
                log.error("\(what): weight zero point[\(i)] = \(z) is outside int8 [-128, 127]", at: at)
                ok = false
            }
            guard ok, let values = load(data, role: "weight", shape: shape, layout: layout, what: what, at: at, log: &log) else { return nil }
            if let i = values.firstIndex(where: { $0 != $0.rounded() || $0 < -128 || $0 > 127 }) {
                log.error("\(what): int8 weight[\(i)] = \(values[i]) is not an integer in [-128, 127]", at: at)
                return nil
            }
            return ResolvedWeights(kind: .quantized(scales: scales, zeroPoints: zeroPoints), values: values)
        }
    }

    /// Loads constant data and checks its shape (a .npy file's shape must match exactly; inline
    /// values are taken in PyTorch's C order and only their count is checked).
    private func load(_ data: TensorData, role: String, shape: [Int], layout: String, what: String, at: SourceLocation, log: inout DiagnosticLog) -> [Double]? {
        let count = shape.reduce(1, *)
        switch data {
        case .values(let values):
            guard values.count == count else {
                log.error("\(what): \(values.count) \(role) values given, the layer needs \(count) (shape \(shape), \(layout))", at: at)
                return nil
            }
            return values
        case .npy(let path):
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
            let array: NpyArray
            do {
                array = try NpyArray(contentsOf: url)
            } catch {
                log.error("\(what): \(role) file '\(path)': \(error)", at: at)
                return nil
            }
            guard array.shape == shape else {
                log.error("\(what): \(role) file '\(path)' has shape \(array.shape), the layer needs \(shape) (\(layout))", at: at)
                return nil
            }
            return array.values
        }
    }
}
