import Foundation
import QGen

/// A multiply-accumulate op (Linear, Conv2d) after resolution: its geometry and its constants,
/// loaded and checked, with real scales.
public struct ResolvedMAC: Equatable, Codable, Sendable {
    public var geometry: MACGeometry
    public var weights: ResolvedWeights
    public var bias: ResolvedBias?
    public var activation: Activation
}

/// Constant weights with everything needed to quantize them (if real) or use them (if int8).
public struct ResolvedWeights: Equatable, Codable, Sendable {
    public enum Kind: Equatable, Codable, Sendable {
        case real(WeightQuantization)
        case quantized(scales: [Double], zeroPoints: [Int])
    }
    public var kind: Kind
    /// In the layout of `geometry.weightShape` (the kernel's reading order).
    public var values: [Double]
}

public struct ResolvedBias: Equatable, Codable, Sendable {
    /// true: values are int32 in units of `s_in · s_w[c]`; false: real values.
    public var isInt32: Bool
    public var values: [Double]
}

/// The resolution every multiply-accumulate op shares: its weights and bias, loaded and checked
/// against its geometry. Every message names the node and points at its model.swift line.
struct MACResolver {
    let baseDirectory: URL
    let what: String
    let at: SourceLocation

    /// `weightShape` and `weightLayoutText` describe the weights as given (the op permutes them to
    /// `geometry.weightShape` afterwards when the layouts differ).
    func resolve(geometry: MACGeometry, weight: Weights, weightShape: [Int], weightLayoutText: String, bias: Bias?, activation: Activation,
                 log: inout DiagnosticLog) -> ResolvedMAC? {
        let channels = geometry.outputChannels
        guard let weights = resolveWeights(weight, shape: weightShape, layout: weightLayoutText, channels: channels, log: &log)
        else { return nil }
        var resolvedBias: ResolvedBias?
        if let bias {
            let (data, isInt32): (TensorData, Bool) = switch bias {
            case .float(let d): (d, false)
            case .int32(let d): (d, true)
            }
            guard let values = ConstantLoader(baseDirectory: baseDirectory, what: what, at: at)
                .load(data, role: "bias", shape: [channels], layout: "[\(channels)]", log: &log) else { return nil }
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
        return ResolvedMAC(geometry: geometry, weights: weights, bias: resolvedBias, activation: activation)
    }

    private func resolveWeights(_ weight: Weights, shape: [Int], layout: String, channels: Int, log: inout DiagnosticLog) -> ResolvedWeights? {
        let loader = ConstantLoader(baseDirectory: baseDirectory, what: what, at: at)
        switch weight {
        case .float(let data, let rule):
            guard let values = loader.load(data, role: "weight", shape: shape, layout: layout, log: &log) else { return nil }
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                log.error("\(what): weight[\(i)] is \(values[i]); weights must be finite", at: at)
                return nil
            }
            if let i = values.firstIndex(where: { abs($0) > Double(Float.greatestFiniteMagnitude) }) {
                log.error("\(what): weight[\(i)] = \(values[i]) is beyond the float32 range (±\(Float.greatestFiniteMagnitude)) that every stack stores real weights in; check the weights", at: at)
                return nil
            }
            return ResolvedWeights(kind: .real(rule), values: values)
        case .quantized(let data, let scaleData, let zeroPointData):
            guard let scales = loader.loadVector(scaleData, role: "weight scale", log: &log),
                  let zeroPointValues = zeroPointData.map({ loader.loadVector($0, role: "weight zero point", log: &log) }) ?? Array(repeating: 0, count: scales.count)
            else { return nil }
            if let i = zeroPointValues.firstIndex(where: { $0 != $0.rounded() }) {
                log.error("\(what): weight zero point[\(i)] = \(zeroPointValues[i]) is not an integer", at: at)
                return nil
            }
            // Bounded before Int(_:) (which traps beyond Int's range); the range check below names the value.
            let zeroPoints = zeroPointValues.map { Int(max(min($0, 1e9), -1e9)) }
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
            guard ok, let values = loader.load(data, role: "weight", shape: shape, layout: layout, log: &log) else { return nil }
            if let i = values.firstIndex(where: { $0 != $0.rounded() || $0 < -128 || $0 > 127 }) {
                log.error("\(what): int8 weight[\(i)] = \(values[i]) is not an integer in [-128, 127]", at: at)
                return nil
            }
            return ResolvedWeights(kind: .quantized(scales: scales, zeroPoints: zeroPoints), values: values)
        }
    }
}
