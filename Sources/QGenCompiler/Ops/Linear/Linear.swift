import QGen

// Linear: y[…][o] = Σ_k x[…][k] · W[o][k] + b[o] over the last axis (PyTorch's nn.Linear, TFLite's
// FULLY_CONNECTED with keep_num_dims); the leading axes are the batch.
// The output stage and constants are the multiply-accumulate family's (Ops/MultiplyAccumulate/).

extension Linear: ResolvableOp {
    var kindName: String { "Linear" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let errorsBefore = log.errorCount
        if outFeatures < 1 || outFeatures > SizeLimits.maxDimension {
            log.error("\(what): outFeatures must be in 1...\(SizeLimits.maxDimension), got \(outFeatures)", at: at)
        }
        Resolver.checkOutput(output, activation: activation, what: what, at: at, log: &log)
        guard log.errorCount == errorsBefore else { return nil }
        let source = context.inputs[0]
        let inputShape = source.shape
        let inFeatures = inputShape.last ?? 1
        let batch = inputShape.dropLast().reduce(1, *)   // ≤ the input's element count, already bounded
        let outputShape = Array(inputShape.dropLast()) + [outFeatures]
        guard SizeLimits.check(what: what, at: at, ("output", outputShape), ("weight", [outFeatures, inFeatures]), log: &log) else { return nil }
        let geometry = LinearGeometry(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures)
        var layoutText = "[outFeatures, inFeatures]"
        if inputShape.count > 2 {
            layoutText += "; Linear applies to the last axis of \(source.producerText) \(inputShape), so inFeatures = \(inFeatures): put a Flatten before it to use all \(source.count) values"
        }
        let resolver = MACResolver(baseDirectory: context.baseDirectory, what: what, at: at)
        guard var mac = resolver.resolve(geometry: .linear(geometry), weight: weight, weightShape: [outFeatures, inFeatures], weightLayoutText: layoutText,
                                         bias: bias, activation: activation, log: &log) else { return nil }
        if let batchNorm, !resolver.fold(batchNorm, into: &mac, rule: .linear, log: &log) { return nil }
        return (.multiplyAccumulate(mac), OutputType(shape: outputShape, layout: outputShape.count == 4 ? source.layout : nil, quant: output))
    }
}

public struct LinearGeometry: Equatable, Codable, Sendable, MACShape {
    public var batch: Int
    public var inFeatures: Int
    public var outFeatures: Int

    var outputChannels: Int { outFeatures }
    var tapsPerOutput: Int { inFeatures }
    var weightShape: [Int] { [outFeatures, inFeatures] }
    var weightLayoutName: String { "PyTorch layout" }
    var outputCount: Int { batch * outFeatures }
    func outputChannel(of flat: Int) -> Int { flat % outFeatures }

    func forEachTap(of flat: Int, _ body: (_ input: Int?, _ weight: Int) -> Void) {
        let n = flat / outFeatures, o = flat % outFeatures
        for k in 0..<inFeatures { body(n * inFeatures + k, o * inFeatures + k) }
    }

    func forEachTapGroup(_ body: (TapGroup) -> Void) {
        for n in 0..<batch {
            body(TapGroup(runs: [TapRun(input: n * inFeatures, weight: 0, count: inFeatures, inputStride: 1, weightStride: 1)],
                          firstChannel: 0, channels: outFeatures, firstOutput: n * outFeatures, outputStride: 1, weightStride: inFeatures))
        }
    }

    var channelVariable: String { "o" }

    func kernel(_ common: KernelCommon, saturatesPairs: Bool) -> any KernelContext {
        let chunks = DotReduction.Chunks(count: inFeatures)
        return LinearKernel(common: common, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                            saturatesPairs: saturatesPairs, pairCount: inFeatures / 2, hasOddTail: inFeatures % 2 == 1,
                            reducesInFours: !saturatesPairs, rowChannelIndex: common.channelIndex == "0" ? "0" : "o0 + o",
                            chunkSize: chunks.size,
                            singleChunk: chunks.size == inFeatures, chunkValues: chunks.lengthExpression(count: inFeatures, start: "k0"),
                            blockRows: min(outFeatures, LinearKernel.maxBlockRows))
    }
}

/// Templates/kernel_linear.mustache.
struct LinearKernel: KernelContext, DotReducing {
    var template: String { "kernel_linear" }
    var common: KernelCommon
    var batch: Int
    var inFeatures: Int
    var outFeatures: Int
    /// `fbgemm(saturatingPairs)`: sum int16-saturated pairs of raw products (FBGEMM without VNNI).
    var saturatesPairs: Bool
    var pairCount: Int
    var hasOddTail: Bool
    /// Four output features at a time through `qgen_dot4` (DotReduction), the input widened in
    /// chunks of `chunkSize` values (`chunkValues`: the C length of the chunk at `k0`); not for
    /// FBGEMM's saturating pairs, which keep the one-row loop. `rowChannelIndex`: row `o` of the
    /// group's per-channel index (weight zero points).
    var reducesInFours: Bool
    var rowChannelIndex: String
    var chunkSize: Int
    var singleChunk: Bool
    var chunkValues: String
    /// Output features accumulated together (int32 on the stack): each input chunk is widened once per
    /// block, not once per four features (widening a 1,024-value input for every four of 1,000 rows
    /// cost a quarter of the layer's time).
    var blockRows: Int

    static let maxBlockRows = 64

    var dotInputType: String? { reducesInFours ? common.inputType : nil }
}
