import QGen

// Linear: y[n][o] = Σ_k x[n][k] · W[o][k] + b[o] on [N, K] (higher ranks are flattened to [N, rest]).
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
        let inputShape = context.inputs[0].shape
        let batch = inputShape[0]
        let inFeatures = inputShape.dropFirst().reduce(1, *)   // ≤ the input's element count, already bounded
        guard SizeLimits.check(what: what, at: at, ("output", [batch, outFeatures]), ("weight", [outFeatures, inFeatures]), log: &log) else { return nil }
        let geometry = LinearGeometry(batch: batch, inFeatures: inFeatures, outFeatures: outFeatures)
        guard let mac = MACResolver(baseDirectory: context.baseDirectory, what: what, at: at)
            .resolve(geometry: .linear(geometry), weight: weight, weightShape: [outFeatures, inFeatures], weightLayoutText: "[outFeatures, inFeatures]",
                     bias: bias, activation: activation, log: &log) else { return nil }
        return (.multiplyAccumulate(mac), OutputType(shape: [batch, outFeatures], layout: nil, quant: output))
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

    var channelVariable: String { "o" }

    func kernel(_ common: KernelCommon, saturatesPairs: Bool) -> any KernelContext {
        LinearKernel(common: common, batch: batch, inFeatures: inFeatures, outFeatures: outFeatures,
                     saturatesPairs: saturatesPairs, pairCount: inFeatures / 2, hasOddTail: inFeatures % 2 == 1)
    }
}

/// Templates/kernel_linear.mustache.
struct LinearKernel: KernelContext {
    var template: String { "kernel_linear" }
    var common: KernelCommon
    var batch: Int
    var inFeatures: Int
    var outFeatures: Int
    /// `fbgemm(saturatingPairs)`: sum int16-saturated pairs of raw products (FBGEMM without VNNI).
    var saturatesPairs: Bool
    var pairCount: Int
    var hasOddTail: Bool
}
