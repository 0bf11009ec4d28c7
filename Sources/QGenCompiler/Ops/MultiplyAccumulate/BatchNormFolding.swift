import QGen

// A BatchNorm folded into the multiply-accumulate layer before it: the float weights and bias
// rewritten as PyTorch's fuse_modules rewrites them (torch.nn.utils.fusion), each operation rounded
// to float32 as its ATen kernel does (rsqrt is 1 / sqrt, two roundings; no fused multiply-adds:
// every step is a separate tensor op).

extension MACResolver {
    enum FoldingRule {
        /// `fuse_conv_bn_weights`: w · (γ · r), ((b − mean) · r) · γ + β.
        case convolution
        /// `fuse_linear_bn_weights`: s = γ · r, w · s, (b − mean) · s + β.
        case linear
    }

    /// Folds `batchNorm` into `mac`, whose weights are in `geometry.weightShape` order ([out, …]).
    /// Returns false after logging what is wrong (int8 weights or an int32 bias, vectors of the
    /// wrong length, a negative variance, a non-finite result).
    func fold(_ batchNorm: BatchNorm, into mac: inout ResolvedMAC, rule: FoldingRule, log: inout DiagnosticLog) -> Bool {
        guard case .real = mac.weights.kind else {
            log.error("\(what): batchNorm: folding a BatchNorm needs the float weights (weight: .float(…)); these are int8 codes, whose BatchNorm was folded before quantization", at: at)
            return false
        }
        if let bias = mac.bias, bias.isInt32 {
            log.error("\(what): batchNorm: folding a BatchNorm needs a float bias (bias: .float(…)) or none, not an int32 one", at: at)
            return false
        }
        let channels = mac.geometry.outputChannels
        let loader = ConstantLoader(baseDirectory: baseDirectory, what: what, at: at)
        func vector(_ data: TensorData?, _ role: String, default value: Float) -> [Float]? {
            guard let data else { return Array(repeating: value, count: channels) }
            guard let values = loader.load(data, role: role, shape: [channels], layout: "[\(channels)], one per output channel", log: &log) else { return nil }
            if let i = values.firstIndex(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                log.error("\(what): \(role)[\(i)] is \(values[i]); BatchNorm parameters must be finite float32 values", at: at)
                return nil
            }
            return values.map { Float($0) }
        }
        guard let mean = vector(batchNorm.mean, "batchNorm mean", default: 0), let variance = vector(batchNorm.variance, "batchNorm variance", default: 1),
              let gamma = vector(batchNorm.weight, "batchNorm weight", default: 1), let beta = vector(batchNorm.bias, "batchNorm bias", default: 0)
        else { return false }
        let eps = Float(batchNorm.eps)
        guard batchNorm.eps.isFinite, batchNorm.eps >= 0 else {
            log.error("\(what): batchNorm eps is \(batchNorm.eps); give a finite value ≥ 0 (PyTorch's default is 1e-5)", at: at)
            return false
        }
        if let c = variance.indices.first(where: { !(variance[$0] + eps > 0) }) {
            log.error("\(what): batchNorm variance[\(c)] + eps = \(variance[c] + eps); it must be > 0 (1/sqrt of it scales the channel)", at: at)
            return false
        }
        let r = (0..<channels).map { Float(1) / (variance[$0] + eps).squareRoot() }
        let per = mac.weights.values.count / channels
        let bias = mac.bias?.values.map { Float($0) } ?? Array(repeating: 0, count: channels)
        var weights = mac.weights.values
        var folded = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            let factor: Float, b: Float
            switch rule {
            case .convolution:
                factor = gamma[c] * r[c]
                b = ((bias[c] - mean[c]) * r[c]) * gamma[c] + beta[c]
            case .linear:
                factor = gamma[c] * r[c]
                b = (bias[c] - mean[c]) * factor + beta[c]
            }
            for k in (c * per)..<((c + 1) * per) {
                weights[k] = Double(Float(weights[k]) * factor)
            }
            folded[c] = Double(b)
        }
        if let k = weights.firstIndex(where: { !$0.isFinite }) {
            log.error("\(what): batchNorm: folded weight[\(k)] overflows float32 (channel \(k / per): weight · γ / sqrt(var + eps)); check the BatchNorm parameters", at: at)
            return false
        }
        if let c = folded.firstIndex(where: { !$0.isFinite }) {
            log.error("\(what): batchNorm: folded bias[\(c)] overflows float32; check the BatchNorm parameters", at: at)
            return false
        }
        mac.weights.values = weights
        mac.bias = ResolvedBias(isInt32: false, values: folded)
        return true
    }
}
