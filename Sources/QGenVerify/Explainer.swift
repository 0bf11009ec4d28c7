import Foundation
import QGen
import QGenArithmetic
import QGenCompiler
import QGenReference

/// `qgen explain`: the integer trace of one output element of one layer, under the model's scheme,
/// a second scheme and real arithmetic, side by side, with the step where they part. Linear and
/// Conv2d list their taps and each scheme's rounding steps in a table; every other op prints its
/// own steps (`LoweredKernel.explain`) under both schemes on the same input codes.
public enum Explainer {
    public struct Explanation: Sendable {
        public var text: String
        /// The element under the model's scheme, the comparison scheme (nil when that scheme
        /// cannot express the layer) and the emitted C.
        public var value: Int32
        public var comparison: Int32?
        public var emittedC: Int32?
        /// The real-arithmetic value in output codes before rounding.
        public var real: Double
        /// The first step whose values differ between the two schemes (nil when none does).
        public var partingStep: String?
    }

    public struct ExplainError: Error, CustomStringConvertible {
        public var description: String
    }

    /// One column of the side-by-side table: the value after each step.
    struct Column {
        var title: String
        var rows: [(step: String, value: Double, text: String)] = []
        var output: Int32 = 0
        mutating func add(_ step: String, _ value: Double, _ text: String) { rows.append((step, value, text)) }
    }

    /// - Parameters:
    ///   - index: the element in the layer's output shape (one index per dimension, or one flat index).
    ///   - inputs: the model inputs in order (codes of each input's type).
    ///   - printedDigits: add the hand computation from scales printed with this many decimals.
    public static func explain(_ result: Pipeline.Result, layer layerName: String, index: [Int], input: [Int32],
                               compare: RequantizationScheme, printedDigits: Int? = nil, progress: ((String) -> Void)? = nil) throws -> Explanation {
        try explain(result, layer: layerName, index: index, inputs: [input], compare: compare, printedDigits: printedDigits, progress: progress)
    }

    public static func explain(_ result: Pipeline.Result, layer layerName: String, index: [Int], inputs: [[Int32]],
                               compare: RequantizationScheme, printedDigits: Int? = nil, progress: ((String) -> Void)? = nil) throws -> Explanation {
        let model = result.lowered
        guard let layerIndex = model.nodes.firstIndex(where: { $0.name == layerName }) else {
            throw ExplainError(description: "no layer named '\(layerName)'; the layers are \(model.nodes.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        let node = model.nodes[layerIndex]
        guard let layer = node.mac, let realMAC = result.lowering.real.mac(node.name) else {
            return try explainOp(result, layerIndex: layerIndex, index: index, inputs: inputs, compare: compare, progress: progress)
        }
        let real = RealLayer(mac: realMAC, inputScale: result.lowering.real.scales[node.inputs[0]], outputScale: result.lowering.real.scales[node.output])
        let inputShape = model.tensors[node.inputs[0]].shape, outputShape = model.tensors[node.output].shape
        let flat = try flatIndex(index, shape: outputShape, layer: layerName)
        var values = Dictionary(uniqueKeysWithValues: zip(model.inputs, inputs))
        for (i, n) in model.nodes[..<layerIndex].enumerated() {
            progress?("running the reference, layer \(i + 1) of \(layerIndex)")
            values[n.output] = IntegerReference.run(n, in: model, inputs: n.inputs.map { values[$0]! })
        }
        let x = values[node.inputs[0]]!
        let taps = Taps(layer: layer, flat: flat, input: x, inputShape: inputShape)

        // The same resolved layer lowered under the comparison scheme.
        var other = result.resolved
        other.scheme = compare
        let otherLayer: LoweredMAC?
        let otherError: String?
        do {
            otherLayer = try Lowering.lower(other).model.nodes[layerIndex].mac
            otherError = nil
        } catch let error as DiagnosticsError {
            otherLayer = nil
            otherError = error.errors.first?.message ?? "\(error)"
        }

        var lines: [String] = []
        let coordinates = coordinatesText(flat, shape: outputShape)
        lines.append("layer '\(node.name)' (\(node.kindName), \(node.location.fileName):\(node.location.line)), output element \(coordinates) (flat \(flat)), output channel \(taps.channel)")
        lines.append("scheme \(model.scheme); compared with \(compare) and with real arithmetic")
        lines.append("")
        lines.append("products (x - zp_in) * (w - zp_w), zp_in = \(layer.inputZeroPoint), zp_w = \(taps.weightZeroPoint):")
        for (n, t) in taps.items.enumerated() where n < 24 {
            let xText = t.isPadding ? "padding (x = zp_in)" : "x\(t.inputCoordinates) = \(t.x)"
            lines.append("  \(xText) * w\(t.weightCoordinates) = \(t.w): (\(t.x - layer.inputZeroPoint)) * (\(t.w - taps.weightZeroPoint)) = \(t.product)")
        }
        if taps.items.count > 24 { lines.append("  ... \(taps.items.count - 24) more taps") }
        lines.append("  sum = \(taps.sum)")
        if model.scheme.saturatesPairs {
            let saturated = layer.accumulator(flat: flat, scheme: model.scheme, input: x) - layer.bias[taps.channel]
            lines.append("  with int16-saturated pairs (vpmaddubsw): \(saturated)" + (saturated == taps.sum ? " (no pair saturates)" : " (saturation changes the sum by \(saturated - taps.sum))"))
        }
        lines.append("")

        var first = trace(layer, scheme: model.scheme, taps: taps, real: real, lines: &lines)
        first.title = "\(model.scheme)"
        var second: Column? = nil
        if let otherLayer {
            var scratch: [String] = []
            var c = trace(otherLayer, scheme: compare, taps: taps, real: real, lines: &scratch)
            c.title = "\(compare)"
            second = c
        } else if let otherError {
            lines.append("\(compare) cannot express this layer: \(otherError)")
        }
        let realColumn = realTrace(layer, taps: taps, real: real, title: "real arithmetic", scales: (real.inputScale, real.weightScales[layer.isPerChannel ? taps.channel : 0], real.outputScale), roundBias: false)
        var columns = [first] + (second.map { [$0] } ?? []) + [realColumn]
        if let digits = printedDigits {
            if let problem = printedDigitsProblem(digits) { throw ExplainError(description: problem) }
            let f = pow(10, Double(digits))   // exact for digits ≤ 22
            let p = { (v: Double) -> Double in (v * f).rounded() / f }
            let named = [("input", real.inputScale), ("weight", real.weightScales[layer.isPerChannel ? taps.channel : 0]), ("output", real.outputScale)]
            if let (role, scale) = named.first(where: { p($0.1) == 0 }) {
                let needed = ((digits + 1)...printedDigitsRange.upperBound).first { (scale * pow(10, Double($0))).rounded() != 0 }
                lines.append("by hand with \(digits) decimals: the \(role) scale \(g(scale)) prints as \(String(format: "%.\(digits)f", 0.0)), so the hand computation would divide by zero"
                             + (needed.map { "; it needs --printed-digits \($0) or more." } ?? "."))
            } else {
                columns.append(realTrace(layer, taps: taps, real: real, title: "by hand, scales printed with \(digits) decimals",
                                         scales: (p(named[0].1), p(named[1].1), p(named[2].1)), roundBias: true))
            }
        }

        // Side by side.
        lines.append("")
        lines.append("side by side:")
        let steps = first.rows.map(\.step)
        let stepWidth = max(steps.map(\.count).max() ?? 0, 4)
        let widths = columns.map { c in max(c.title.count, c.rows.map(\.text.count).max() ?? 0) }
        lines.append("  " + "step".padding(toLength: stepWidth, withPad: " ", startingAt: 0) + " | "
                     + zip(columns, widths).map { $0.title.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: " | "))
        for (r, step) in steps.enumerated() {
            let cells = zip(columns, widths).map { c, w in (r < c.rows.count ? c.rows[r].text : "").padding(toLength: w, withPad: " ", startingAt: 0) }
            lines.append("  " + step.padding(toLength: stepWidth, withPad: " ", startingAt: 0) + " | " + cells.joined(separator: " | "))
        }

        var parting: String? = nil
        if let second {
            parting = zip(first.rows, second.rows).first { $0.value != $1.value }?.0.step
            if let parting {
                let decisive = zip(first.rows, second.rows).first { a, b in (a.step == "rounded" || a.step == "output") && a.value != b.value }?.0.step
                lines.append("")
                lines.append("\(first.title) and \(compare) part at '\(parting)'" + (decisive == nil
                    ? "; both give \(first.output)."
                    : "; the outputs differ from '\(decisive!)' on: \(first.output) vs \(second.output)."))
            } else {
                lines.append("")
                lines.append("\(first.title) and \(compare) agree at every step: \(first.output).")
            }
        }
        if columns.count > 3 || second == nil, let hand = columns.last, hand.title.hasPrefix("by hand") {
            let step = zip(realColumn.rows, hand.rows).first { abs($0.value - $1.value) > 1e-9 * max(1, abs($0.value)) }?.0.step ?? "nowhere"
            lines.append("The hand computation parts from real arithmetic at '\(step)' (the printed scales are rounded) and gives \(hand.output); \(first.title) gives \(first.output).")
        }

        // The emitted C for the same element.
        progress?("compiling and running the emitted C")
        let emitted = emittedC(result, node: node, flat: flat, value: first.output, inputs: inputs,
                               reference: { IntegerReference.run(model, inputs: inputs) })
        if let line = emitted.line { lines.append(line) }
        lines = lines.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }
        return Explanation(text: lines.joined(separator: "\n"), value: first.output, comparison: second?.output, emittedC: emitted.value,
                           real: realColumn.rows.first { $0.step == "scaled" }?.value ?? 0, partingStep: parting)
    }

    /// The last line: the emitted C (libtcc) on the same inputs. Its element when the node is a model
    /// output, else whether its outputs equal the reference's (computed by `reference` only then).
    private static func emittedC(_ result: Pipeline.Result, node: LoweredNode, flat: Int, value: Int32, inputs: [[Int32]],
                                 reference: () -> [TensorID: [Int32]]) -> (line: String?, value: Int32?) {
        let model = result.lowered
        guard let compiled = try? Verifier.compile(result.output, model: model), let outs = compiled.run(inputs: inputs) else { return (nil, nil) }
        if let k = model.outputs.firstIndex(of: node.output) {
            let c = outs[k][flat]
            return ("The emitted C (compiled with libtcc) gives \(c) for this element" + (c == value ? ", the same." : ", which DIFFERS: please report this."), c)
        }
        let values = reference()
        return ("The emitted C's model outputs equal the Swift reference: \(outs == model.outputs.map { values[$0]! } ? "yes" : "NO: please report this").", nil)
    }

    // MARK: - The other ops

    /// Any op but the multiply-accumulate ones: the op's own integer steps for the element (the
    /// inputs it reads, each rescale and rounding) under the model's scheme and the comparison
    /// scheme, both on the same input codes, then real arithmetic on the dequantized inputs.
    private static func explainOp(_ result: Pipeline.Result, layerIndex: Int, index: [Int], inputs modelInputs: [[Int32]], compare: RequantizationScheme,
                                  progress: ((String) -> Void)?) throws -> Explanation {
        let model = result.lowered, node = model.nodes[layerIndex], real = result.lowering.real
        let outputShape = model.tensors[node.output].shape
        let flat = try flatIndex(index, shape: outputShape, layer: node.name)
        progress?("running the reference")
        let values = IntegerReference.run(model, inputs: modelInputs)
        let inputs = node.inputs.map { values[$0]! }
        let value = values[node.output]![flat]
        var lines: [String] = []
        lines.append("layer '\(node.name)' (\(node.kindName), \(node.location.fileName):\(node.location.line)), output element \(coordinatesText(flat, shape: outputShape)) (flat \(flat))")
        lines.append("scheme \(model.scheme); compared with \(compare) and with real arithmetic, on the same input codes")
        lines.append("")
        lines.append("\(model.scheme):")
        lines += node.op.kernel.explain(flat, inputs: inputs, node: node, in: model).map { "  " + $0 }

        var other = result.resolved
        other.scheme = compare
        var comparison: Int32? = nil
        lines.append("")
        do {
            let otherModel = try Lowering.lower(other).model
            let otherNode = otherModel.nodes[layerIndex]
            comparison = IntegerReference.run(otherNode, in: otherModel, inputs: inputs)[flat]
            lines.append("\(compare):")
            lines += otherNode.op.kernel.explain(flat, inputs: inputs, node: otherNode, in: otherModel).map { "  " + $0 }
        } catch let error as DiagnosticsError {
            lines.append("\(compare) cannot express this model: \(error.errors.first?.message ?? "\(error)")")
        }

        let realInputs = zip(node.inputs, inputs).map { id, codes in codes.map { real.scales[id] * Double($0 - model.tensors[id].zeroPoint) } }
        let realValue = node.op.kernel.runReal(realInputs, node: node, real: real)[flat]
        let codes = realValue / real.scales[node.output] + Double(model.tensors[node.output].zeroPoint)
        lines.append("")
        lines.append("real arithmetic on the dequantized inputs: \(g(realValue)), which is \(g(codes)) in output codes (scale \(g(real.scales[node.output])), zero point \(model.tensors[node.output].zeroPoint))")
        lines.append("")
        lines.append("\(model.scheme) gives \(value)" + (comparison.map { $0 == value ? ", \(compare) the same." : ", \(compare) gives \($0)." } ?? "."))

        progress?("compiling and running the emitted C")
        let emitted = emittedC(result, node: node, flat: flat, value: value, inputs: modelInputs, reference: { values })
        if let line = emitted.line { lines.append(line) }
        lines = lines.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }
        return Explanation(text: lines.joined(separator: "\n"), value: value, comparison: comparison, emittedC: emitted.value, real: codes,
                           partingStep: comparison.map { $0 == value ? nil : "output" } ?? nil)
    }

    // MARK: - One scheme's steps

    private static func trace(_ layer: LoweredMAC, scheme: RequantizationScheme, taps: Taps, real: RealLayer, lines: inout [String]) -> Column {
        let c = taps.channel
        let i = layer.isPerChannel ? c : 0
        var col = Column(title: "\(scheme)")
        let acc = Int64(layer.accumulator(flat: taps.flat, scheme: scheme, input: taps.input))
        let realBias = real.bias[c]
        let unit = real.inputScale * real.weightScales[i]
        lines.append("\(scheme):")
        let scaled: Double, rounded: Int64
        if scheme.family == .float32 {
            let m = layer.requantizer.floatMultipliers[i].value
            if let term = layer.requantizer.floatBiasTerms.isEmpty ? nil : layer.requantizer.floatBiasTerms[c].value {
                col.add("bias", Double(term), "float32 \(g(Double(term)))")
                lines.append("  bias \(g(realBias)) enters as float32 b/(s_in*s_w) = \(g(Double(term))) (FBGEMM adds it to float(acc))")
                let f = Float(Int32(acc))
                let sum = f + term
                col.add("accumulator", Double(sum), "float32 \(g(Double(sum)))")
                lines.append("  float(acc) = float(\(acc)) = \(g(Double(f))); + bias term = \(g(Double(sum))) (rounded to float32)")
                let v = sum * m
                scaled = Double(v)
                lines.append("  multiplier: real s_in*s_w/s_out = \(g(real.inputScale * real.weightScales[i] / real.outputScale)), float32 \(g(Double(m))) = \(layer.requantizer.floatMultipliers[i].mantissa) * 2^\(layer.requantizer.floatMultipliers[i].exponent)")
                col.add("multiplier", Double(m), "float32 \(g(Double(m)))")
                lines.append("  (float32 sum) * multiplier = \(g(scaled)) (rounded to float32)")
            } else {
                col.add("bias", Double(layer.bias[c]), "int32 \(layer.bias[c])")
                lines.append("  bias \(g(realBias)) as int32 in units of s_in*s_w = \(layer.bias[c])")
                col.add("accumulator", Double(acc), "\(acc)")
                lines.append("  accumulator = \(acc); float(acc) = \(g(Double(Float(Int32(acc)))))")
                col.add("multiplier", Double(m), "float32 \(g(Double(m)))")
                lines.append("  multiplier: real s_in*s_w/s_out = \(g(real.inputScale * real.weightScales[i] / real.outputScale)), float32 \(g(Double(m))) = \(layer.requantizer.floatMultipliers[i].mantissa) * 2^\(layer.requantizer.floatMultipliers[i].exponent)")
                scaled = Double(Float(Int32(acc)) * m)
                lines.append("  float(acc) * multiplier = \(g(scaled)) (rounded to float32)")
            }
            rounded = Int64(scaled.rounded(.toNearestOrEven))
            col.add("scaled", scaled, g(scaled))
            lines.append("  round half to even: \(rounded)")
        } else if !layer.requantizer.doubleMultipliers.isEmpty {
            let m = layer.requantizer.doubleMultipliers[i]
            col.add("bias", Double(layer.bias[c]), "int32 \(layer.bias[c])")
            lines.append("  bias \(g(realBias)) as int32 in units of s_in*s_w = \(g(unit)): \(layer.bias[c])")
            col.add("accumulator", Double(acc), "\(acc)")
            lines.append("  accumulator = sum + bias = \(acc)")
            col.add("multiplier", m.value, "double \(g(m.value))")
            lines.append("  multiplier: double(s_in) * double(s_w) / double(s_out) = \(String(format: "%.17g", m.value)) = \(m.mantissa) * 2^\(m.exponent) (LiteRT's reference FULLY_CONNECTED)")
            scaled = Double(acc) * m.value
            rounded = DoubleRequantization.scale(Int32(acc), multiplier: m.value)
            lines.append("  double(acc) * multiplier = \(String(format: "%.17g", scaled)) (rounded to double) -> round, ties away from zero = \(rounded)")
            col.add("scaled", scaled, g(scaled))
        } else {
            let m = layer.requantizer.multipliers[i]
            let mReal = Double(m.mantissa) * pow(2, Double(Int(m.shift) - 31))
            col.add("bias", Double(layer.bias[c]), "int32 \(layer.bias[c])")
            lines.append("  bias \(g(realBias)) as int32 in units of s_in*s_w = \(g(unit)): \(layer.bias[c])")
            col.add("accumulator", Double(acc), "\(acc)")
            lines.append("  accumulator = sum + bias = \(acc)")
            col.add("multiplier", mReal, "\(m.mantissa)*2^\(Int(m.shift) - 31)")
            lines.append("  multiplier: real \(g(real.inputScale * real.weightScales[i] / real.outputScale)), fixed point \(m.mantissa) * 2^\(Int(m.shift) - 31) = \(g(mReal))")
            scaled = Double(acc) * mReal
            if scheme.family == .tflite {
                let left = max(Int(m.shift), 0), right = max(-Int(m.shift), 0)
                let high = Gemmlowp.saturatingRoundingDoublingHighMul(Int32(acc << Int64(left)), m.mantissa)
                lines.append("  acc * 2^\(left) * M / 2^31 = \(g(Double(acc << Int64(left)) * Double(m.mantissa) / 2147483648)) -> SRDHM (ties up) = \(high)")
                rounded = Int64(Gemmlowp.roundingDivideByPOT(high, Int32(right)))
                lines.append("  \(high) / 2^\(right) = \(g(Double(high) / pow(2, Double(right)))) -> RDBPOT (ties away from zero) = \(rounded)")
            } else {
                rounded = Int64(scheme.scale(Int32(acc), by: m))
                lines.append("  acc * M / 2^\(31 - Int(m.shift)) = \(g(scaled)) -> \(scheme.rounding?.phrase ?? "") = \(rounded)")
            }
            col.add("scaled", scaled, g(scaled))
        }
        col.add("rounded", Double(rounded), "\(rounded)")
        let withZeroPoint = rounded + Int64(layer.requantizer.outputZeroPoint)
        let clamped = min(max(withZeroPoint, Int64(layer.requantizer.activationMin)), Int64(layer.requantizer.activationMax))
        lines.append("  + output zero point \(layer.requantizer.outputZeroPoint) = \(withZeroPoint); clamp [\(layer.requantizer.activationMin), \(layer.requantizer.activationMax)] (\(layer.requantizer.activationText)) = \(clamped)")
        col.add("output", Double(clamped), "\(clamped)")
        col.output = Int32(clamped)
        return col
    }

    /// Real arithmetic: `(Σ (x − zp_in)(w − zp_w) · s_in · s_w + b) / s_out`, rounded half to even.
    /// With `roundBias`, the hand computation of the forum posts: `bias_q = round(b / (s_w·s_in))`,
    /// `(sum + bias_q) · s_in · s_w / s_out`, rounded half to even (Python's round).
    private static func realTrace(_ layer: LoweredMAC, taps: Taps, real: RealLayer, title: String,
                                  scales: (input: Double, weight: Double, output: Double), roundBias: Bool) -> Column {
        var col = Column(title: title)
        let unit = scales.input * scales.weight
        let b = real.bias[taps.channel]
        let biasUnits = roundBias ? (b / unit).rounded(.toNearestOrEven) : b / unit
        col.add("bias", biasUnits, roundBias ? "round(b/(s_in*s_w)) = \(whole(biasUnits))" : g(biasUnits))
        let acc = Double(taps.sum) + biasUnits
        col.add("accumulator", acc, g(acc))
        let m = unit / scales.output
        col.add("multiplier", m, g(m))
        let scaled = acc * m
        col.add("scaled", scaled, g(scaled))
        let rounded = scaled.rounded(.toNearestOrEven)
        col.add("rounded", rounded, whole(rounded))
        let out = min(max(rounded + Double(layer.requantizer.outputZeroPoint), Double(layer.requantizer.activationMin)), Double(layer.requantizer.activationMax))
        col.add("output", out, whole(out))
        col.output = Int32(out)
        return col
    }

    private static func g(_ v: Double) -> String { String(format: "%.9g", v) }

    /// The decimals `--printed-digits` accepts: 10^d is exact in double up to 22.
    public static let printedDigitsRange = 0...22

    /// Why `digits` is not a valid `--printed-digits`, or nil.
    public static func printedDigitsProblem(_ digits: Int) -> String? {
        printedDigitsRange.contains(digits) ? nil
            : "--printed-digits must be in \(printedDigitsRange.lowerBound)...\(printedDigitsRange.upperBound) (the decimals a scale is printed with; PyTorch prints 4), got \(digits)"
    }

    /// An integral value as text, or as `%g` when it does not fit an Int64 (hand computations with
    /// coarse printed scales can be huge).
    private static func whole(_ v: Double) -> String { abs(v) < 9e18 ? "\(Int64(v))" : g(v) }

    /// The real parameters of the explained node with the scales of its input and output.
    struct RealLayer {
        var mac: RealMAC
        var inputScale: Double
        var outputScale: Double
        var weightScales: [Double] { mac.weightScales }
        var bias: [Double] { mac.bias }
    }

    // MARK: - Taps of one output element

    struct Tap {
        var x: Int32
        var w: Int32
        var product: Int32
        var isPadding: Bool
        var inputCoordinates: String
        var weightCoordinates: String
    }

    struct Taps {
        var flat: Int
        var input: [Int32]
        var channel: Int
        var weightZeroPoint: Int32
        var items: [Tap] = []
        var sum: Int32 = 0

        init(layer: LoweredMAC, flat: Int, input: [Int32], inputShape: [Int]) {
            let zx = layer.inputZeroPoint
            self.flat = flat
            self.input = input
            channel = layer.geometry.outputChannel(of: flat)
            weightZeroPoint = layer.weightZeroPoints[layer.weightZeroPoints.count > 1 ? channel : 0]
            var items: [Tap] = []
            layer.geometry.forEachTap(of: flat) { [weightZeroPoint] i, k in
                let x = i.map { input[$0] } ?? zx, w = Int32(layer.weights[k])
                items.append(Tap(x: x, w: w, product: (x - zx) * (w - weightZeroPoint), isPadding: i == nil,
                                 inputCoordinates: i.map { coordinatesText($0, shape: inputShape) } ?? "",
                                 weightCoordinates: coordinatesText(k, shape: layer.geometry.weightShape)))
            }
            self.items = items
            sum = items.reduce(0) { $0 + $1.product }
        }
    }

    private static func flatIndex(_ index: [Int], shape: [Int], layer: String) throws -> Int {
        let count = shape.reduce(1, *)
        if index.count == 1, let i = index.first, shape.count != 1 {
            guard (0..<count).contains(i) else { throw ExplainError(description: "--index \(i) is outside layer '\(layer)''s \(count) output elements (shape \(shape))") }
            return i
        }
        guard index.count == shape.count, zip(index, shape).allSatisfy({ (0..<$1).contains($0) }) else {
            throw ExplainError(description: "--index \(index.map(String.init).joined(separator: ",")) does not address layer '\(layer)''s output shape \(shape); give one index per dimension (each from 0) or one flat index")
        }
        return zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    static func coordinatesText(_ flat: Int, shape: [Int]) -> String {
        var rest = flat
        var coordinates: [Int] = []
        for d in shape.reversed() {
            coordinates.append(rest % d)
            rest /= d
        }
        return "[" + coordinates.reversed().map(String.init).joined(separator: ",") + "]"
    }
}
