import QGen

/// Mul's broadcasting (NumPy's rule on inputs of one rank, as torch.mul, TFLite's MUL and ONNX's
/// Mul do it): each input axis is the output's or 1, and an axis of 1 repeats its one slice. Used
/// for a per-channel gate such as the squeeze-and-excitation `[N, C, 1, 1] · [N, C, H, W]`.
public struct Broadcast: Equatable, Codable, Sendable {
    public var outputShape: [Int]
    public var inputShapes: [[Int]]

    /// The output shape of `shapes`, or nil if they do not broadcast (different ranks, or an axis
    /// that is neither equal nor 1).
    static func outputShape(_ shapes: [[Int]]) -> [Int]? {
        guard let rank = shapes.first?.count, shapes.allSatisfy({ $0.count == rank }) else { return nil }
        var out: [Int] = []
        for d in 0..<rank {
            let sizes = Set(shapes.map { $0[d] }).subtracting([1])
            guard sizes.count <= 1 else { return nil }
            out.append(sizes.first ?? 1)
        }
        return out
    }

    var isTrivial: Bool { inputShapes.allSatisfy { $0 == outputShape } }

    /// Input `k`'s element for output element `i`.
    func index(_ i: Int, input k: Int) -> Int {
        let shape = inputShapes[k]
        guard shape != outputShape else { return i }
        var index = 0, stride = 1, outputStride = 1
        for d in (0..<outputShape.count).reversed() {
            if shape[d] != 1 { index += (i / outputStride % outputShape[d]) * stride }
            stride *= shape[d]
            outputStride *= outputShape[d]
        }
        return index
    }

    /// The C expression of `index(i, input: k)` (an int32_t `i` in scope): `i` itself, or a sum of
    /// the broadcast input's coordinates times its strides.
    func cIndex(input k: Int) -> String {
        let shape = inputShapes[k]
        guard shape != outputShape else { return "i" }
        var terms: [String] = []
        var stride = 1, outputStride = 1
        for d in (0..<outputShape.count).reversed() {
            if shape[d] != 1 {
                terms.append("(i / \(outputStride) % \(outputShape[d])) * \(stride)")
            }
            stride *= shape[d]
            outputStride *= outputShape[d]
        }
        return terms.isEmpty ? "0" : terms.reversed().joined(separator: " + ")
    }
}
