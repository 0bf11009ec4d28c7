import QGenArithmetic

/// Which schemes an op's arithmetic exists for, with one refusal message per kind of limit.
enum SchemeSupport {
    /// Ops that follow TFLite's algorithm with each fixed-point scheme's own multipliers: the
    /// float32 family (PyTorch's engines, ONNX Runtime) is refused until those stacks' own
    /// arithmetic for the op lands. `what` names the op in the message (default: quantized <kind>).
    static func requireFixedPoint(_ node: ResolvedNode, scheme: RequantizationScheme, what: String? = nil, log: inout DiagnosticLog) -> Bool {
        guard scheme.family == .float32 else { return true }
        log.error("\(node.what): the \(scheme) scheme has no \(node.kindName) yet (PyTorch's and ONNX Runtime's \(what ?? "quantized \(node.kindName.lowercased())") come in a later version of qgen); use tflite, singleRounding, powerOfTwo or fixedPoint", at: node.location)
        return false
    }

    /// Ops whose TFLite algorithm is fixed point throughout (tables, gemmlowp functions): TFLite's
    /// two rounding modes only.
    static func requireTFLite(_ node: ResolvedNode, scheme: RequantizationScheme, log: inout DiagnosticLog) -> Bool {
        guard scheme.family != .tflite && scheme != .singleRounding else { return true }
        log.error("\(node.what): \(node.kindName) follows TFLite's fixed-point algorithm, under the tflite, liteRT and singleRounding schemes only; the \(scheme) scheme has no \(node.kindName) yet", at: node.location)
        return false
    }
}
