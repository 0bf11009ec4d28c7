import Foundation
import Testing
import QGen
@testable import QGenCompiler

/// Every key of every template names a field of the typed context it is rendered with. Mustache
/// renders an unknown key as empty text, so a renamed field would otherwise silently drop a number
/// from a comment or an identifier from the C.
@Suite struct TemplateKeysTests {
    private enum Tag {
        case variable(String)
        case section(String)
        case inverted(String)
        case end
        case partial(String)
    }

    private static func tags(_ text: String) throws -> [Tag] {
        let pattern = try Regex(#"\{\{(\{?)([#^/>%!&]?)\s*(.*?)\s*\}?\}\}"#)
        return text.matches(of: pattern).compactMap { match in
            let sigil = String(match.output[2].substring ?? ""), key = String(match.output[3].substring ?? "")
            switch sigil {
            case "#": return .section(key)
            case "^": return .inverted(key)
            case "/": return .end
            case ">": return .partial(key)
            case "%", "!": return nil
            default: return .variable(key)
            }
        }
    }

    private static func unwrap(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first.map { unwrap($0.value) } ?? nil
    }

    /// The value of `key` (dotted) seen from the context stack, as Mustache resolves it: the first
    /// component in the innermost frame that has it, the rest inside that value. `.some(nil)` is a
    /// key that exists with a nil value; nil is a key that exists nowhere.
    private static func lookup(_ key: String, in stack: [Any]) -> Any?? {
        if key == "." { return .some(stack.last) }
        let parts = key.split(separator: ".").map(String.init)
        for frame in stack.reversed() {
            guard var value = child(parts[0], of: frame) else { continue }
            for part in parts.dropFirst() {
                guard let inner = value.flatMap({ child(part, of: $0) }) else { return nil }
                value = inner
            }
            return .some(value)
        }
        return nil
    }

    private static func child(_ name: String, of value: Any) -> Any?? {
        guard let unwrapped = unwrap(value) else { return nil }
        guard let field = Mirror(reflecting: unwrapped).children.first(where: { $0.label == name }) else { return nil }
        return .some(unwrap(field.value))
    }

    /// Problems with `template` rendered against `stack`; `visited` collects the templates seen.
    private static func check(_ template: String, stack initial: [Any], visited: inout Set<String>) throws -> [String] {
        visited.insert(template)
        guard let text = Renderer.templates[template] else { return ["no template '\(template)'"] }
        var problems: [String] = []
        var stack = initial
        // Per open section: how many frames it pushed, and whether its body is rendered (and so checked).
        var open: [(pushed: Int, active: Bool)] = []
        var active: Bool { open.allSatisfy(\.active) }
        func missing(_ key: String) -> String {
            "\(template): {{\(key)}} is not a field of \(String(describing: type(of: stack.last.flatMap(unwrap) ?? "nothing")))"
        }
        for tag in try tags(text) {
            switch tag {
            case .variable(let key):
                if active, lookup(key, in: stack) == nil { problems.append(missing(key)) }
            case .section(let key):
                guard active else { open.append((0, false)); continue }
                guard let found = lookup(key, in: stack) else {
                    problems.append(missing(key))
                    open.append((0, false))
                    continue
                }
                switch found {
                case nil, false as Bool: open.append((0, false))
                case true as Bool: open.append((0, true))
                case let array as [Any]:
                    if let first = array.first {
                        stack.append(first)
                        open.append((1, true))
                    } else {
                        open.append((0, false))
                    }
                case let value?:
                    stack.append(value)
                    open.append((1, true))
                }
            case .inverted(let key):
                if active, lookup(key, in: stack) == nil { problems.append(missing(key)) }
                open.append((0, active))
            case .end:
                let section = open.removeLast()
                stack.removeLast(section.pushed)
            case .partial(let name):
                if active { problems += try check(name, stack: stack, visited: &visited) }
            }
        }
        return problems
    }

    /// Models that between them take every branch of every template.
    private static let samples: [(scheme: String, floatRequant: Bool, floatIO: Bool)] = [
        ("tflite", false, true), ("liteRT", false, false), ("singleRounding", false, false), ("fbgemm", false, false), ("fbgemm", true, true),
        ("qnnpack", true, true), ("onnxRuntime", false, true), ("powerOfTwo(rounding:halfEven,tolerance:0.5)", false, false),
        ("fixedPoint(multiplierBits:12,rounding:halfAwayFromZero)", false, false), ("fixedPoint(multiplierBits:16,rounding:halfUp)", false, false),
    ]

    private static func sample(_ scheme: String, floatRequant: Bool, floatIO: Bool) throws -> CFile {
        let affine = WeightQuantization.perChannel(.affine)
        let conv = Conv2d("conv", outChannels: 2, kernel: 3, padding: 1, weight: .float(.values((0..<36).map { Double($0 % 5) / 5 - 0.3 }), affine),
                          bias: .float([0.1, -0.1]), output: .uint8(scale: 0.1, zeroPoint: 3), activation: .relu, file: "model.swift", line: 3)
        let fc = Linear("fc", outFeatures: 3, weight: .float(.values((0..<96).map { Double($0 % 7) / 7 - 0.4 })), bias: .float([0.1, 0, -0.1]),
                        output: .uint8(scale: 0.05, zeroPoint: 10), file: "model.swift", line: 4)
        let spec = ModelSpec(name: "m", layers: [input4x4.layerSpec, conv.layerSpec, Flatten("flat").layerSpec, fc.layerSpec], requantization: Requantization(name: scheme),
                             location: SourceLocation(file: "model.swift", line: 1))
        let lowered = try Pipeline.compile(spec, options: CompileOptions(floatRequant: floatRequant, floatIO: floatIO)).lowered
        return Emitter.emit(lowered, options: EmitOptions(floatRequant: floatRequant, floatIO: floatIO))
    }

    /// The NHWC kernels (SAME padding, affine weights) under `scheme`.
    private static func nhwcSample(_ scheme: String) throws -> CFile {
        let affine = WeightQuantization.perChannel(.affine)
        let uint8 = ["fbgemm", "qnnpack"].contains(scheme)
        let q = { (scale: Double) in QuantParams(dtype: uint8 ? .uint8 : .int8, scale: scale, zeroPoint: 3) }
        let spec = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4, 4, 2], layout: .nhwc, q(0.1)).layerSpec,
            Conv2d("conv", outChannels: 2, kernel: 2, stride: 2, padding: .same, weight: .float(.values((0..<16).map { Double($0 % 5) / 5 - 0.3 }), affine),
                   output: q(0.1)).layerSpec,
            DepthwiseConv2d("dw", kernel: 3, depthMultiplier: 2, padding: .same, weight: .float(.values((0..<36).map { Double($0 % 7) / 7 - 0.4 })),
                            output: q(0.1), activation: .relu).layerSpec,
            Flatten("flat").layerSpec,
            Linear("fc", outFeatures: 2, weight: .float(.values((0..<32).map { Double($0 % 3) / 3 - 0.3 })), output: q(0.2)).layerSpec,
        ], requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
        return Emitter.emit(try Pipeline.compile(spec, options: CompileOptions()).lowered)
    }

    @Test func everyTemplateKeyIsAFieldOfItsContext() throws {
        var visited: Set<String> = []
        var problems: Set<String> = []
        var files = try Self.samples.map { try Self.sample($0.scheme, floatRequant: $0.floatRequant, floatIO: $0.floatIO) }
        files += try ["tflite", "fbgemm", "onnxRuntime"].map { try Self.nhwcSample($0) }
        // fbgemm(saturatingPairs): the NCHW sample (its padded conv with affine weights, and the Linear).
        files.append(try Self.sample("fbgemm(saturatingPairs)", floatRequant: false, floatIO: false))
        // Ops the float32 schemes do not take, under a fixed-point scheme.
        let graph = ModelSpec(name: "m", layers: [input10.layerSpec, linear(out: 3, output: .uint8(scale: 0.05, zeroPoint: 10)).layerSpec,
                                                  Add("sum", "fc", "fc", output: .uint8(scale: 0.1, zeroPoint: 10)).layerSpec],
                              requantization: .tflite, location: SourceLocation(file: "model.swift", line: 1))
        files.append(Emitter.emit(try Pipeline.compile(graph, options: CompileOptions()).lowered))
        // PyTorch's adds: fbgemm (emulated and native binary32; a vector block and a scalar tail) and qnnpack.
        for (scheme, native) in [("fbgemm", false), ("fbgemm", true), ("qnnpack", false)] {
            let add = ModelSpec(name: "m", layers: [Input("x", shape: [1, 70], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec,
                                                    Add("sum", "x", "x", output: .uint8(scale: 0.2, zeroPoint: 10), activation: .relu).layerSpec],
                                requantization: Requantization(name: scheme), location: SourceLocation(file: "model.swift", line: 1))
            files.append(Emitter.emit(try Pipeline.compile(add, options: CompileOptions()).lowered, options: EmitOptions(floatRequant: native)))
        }
        // ONNX Runtime's QLinearAdd and QLinearMul: emulated, and native (the add where double arithmetic is exact: ratios 1/2).
        for native in [false, true] {
            let add = ModelSpec(name: "m", layers: [Input("x", shape: [1, 70], .int8(scale: 0.1, zeroPoint: 3)).layerSpec,
                                                    Add("sum", "x", "x", output: .int8(scale: 0.2, zeroPoint: 10)).layerSpec,
                                                    Mul("prod", "x", "sum", output: .int8(scale: 0.05, zeroPoint: -3)).layerSpec],
                                requantization: Requantization(name: "onnxRuntime"), location: SourceLocation(file: "model.swift", line: 1))
            files.append(Emitter.emit(try Pipeline.compile(add, options: CompileOptions()).lowered, options: EmitOptions(floatRequant: native)))
        }
        // ONNX Runtime's tables: a uint8 QLinearSigmoid, and a QLinearConcat with a copied and a table-read input.
        let tables = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .uint8(scale: 0.05, zeroPoint: 128)).layerSpec,
            Input("y", shape: [1, 4], .uint8(scale: 0.1, zeroPoint: 100)).layerSpec,
            Logistic("s", input: "x", output: .uint8(scale: 1.0 / 256, zeroPoint: 0)).layerSpec,
            Concatenation("c", ["x", "y"], axis: 1, output: .uint8(scale: 0.05, zeroPoint: 128)).layerSpec,
        ], requantization: Requantization(name: "onnxRuntime"), location: SourceLocation(file: "model.swift", line: 1))
        files.append(Emitter.emit(try Pipeline.compile(tables, options: CompileOptions()).lowered))
        // Average pooling, emulated and native: PyTorch's (contiguous with divisor tables, channels-last)
        // and ONNX Runtime's (count_include_pad, then the covered count); a Transpose; ONNX Runtime's softmax.
        for native in [false, true] {
            let pytorch = ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 4, 4], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec,
                AvgPool2d("a", kernel: 2, stride: 1, padding: 1).layerSpec,
                AvgPool2d("b", kernel: 2, memoryFormats: [.channelsLast]).layerSpec,
            ], requantization: .fbgemm, location: SourceLocation(file: "model.swift", line: 1))
            files.append(Emitter.emit(try Pipeline.compile(pytorch, options: CompileOptions()).lowered, options: EmitOptions(floatRequant: native)))
            let onnx = ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 2, 4, 4], .int8(scale: 0.1, zeroPoint: 3)).layerSpec,
                AvgPool2d("a", kernel: 2, stride: 1, padding: 1, countIncludePad: true, output: .int8(scale: 0.2, zeroPoint: 1)).layerSpec,
                AvgPool2d("b", kernel: 2, stride: 1, padding: 1, output: .int8(scale: 0.2, zeroPoint: 1)).layerSpec,
                Transpose("t", permutation: [0, 2, 3, 1]).layerSpec,
                Softmax("s", output: .int8(scale: 1.0 / 256, zeroPoint: -128)).layerSpec,
            ], requantization: .onnxRuntime, location: SourceLocation(file: "model.swift", line: 1))
            files.append(Emitter.emit(try Pipeline.compile(onnx, options: CompileOptions()).lowered, options: EmitOptions(floatRequant: native)))
        }
        // Slices; PyTorch's quantized means: the integer mean of the codes and the float path in
        // each summation order (contiguous rows and columns, channels-last, a strided view).
        for native in [false, true] {
            let means = ModelSpec(name: "m", layers: [
                Input("x", shape: [1, 9, 3, 10], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec,
                Slice("s", axis: 3, start: 0, end: 10, step: 2).layerSpec,
                Mean("a", input: "s", axes: [3], output: .uint8(scale: 0.1, zeroPoint: 3), atenOp: .mean).layerSpec,
                Mean("b", input: "x", axes: [1], output: .uint8(scale: 0.1, zeroPoint: 3), atenOp: .mean).layerSpec,
                Mean("c", input: "x", axes: [2, 3], output: .uint8(scale: 0.1, zeroPoint: 3), atenOp: .mean, memoryFormats: [.channelsLast]).layerSpec,
                Mean("d", input: "x", axes: [3], output: .uint8(scale: 0.1, zeroPoint: 3), atenOp: .mean, memoryFormats: [.strided]).layerSpec,
            ], requantization: .fbgemm(), location: SourceLocation(file: "model.swift", line: 1))
            files.append(Emitter.emit(try Pipeline.compile(means, options: CompileOptions()).lowered, options: EmitOptions(floatRequant: native)))
        }
        // PyTorch's qnnpack softmax, and ATen's float softmax on rows longer and shorter than its lanes.
        files.append(Emitter.emit(try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [2, 9], .uint8(scale: 0.1, zeroPoint: 3)).layerSpec, Softmax("s").layerSpec,
        ], requantization: .qnnpack, location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions()).lowered))
        files.append(Emitter.emit(try Pipeline.compile(ModelSpec(name: "m", layers: [
            Input("x", shape: [2, 9], .int8(scale: 0.1, zeroPoint: 3)).layerSpec, Softmax("s").layerSpec,
            Reshape("r", shape: [6, 3]).layerSpec, Softmax("t").layerSpec,
        ], requantization: .fbgemm(), location: SourceLocation(file: "model.swift", line: 1)), options: CompileOptions()).lowered))
        // A reshape of the model input into the model output copies.
        let copy = ModelSpec(name: "m", layers: [input10.layerSpec, Reshape("r", shape: [2, 5]).layerSpec],
                             location: SourceLocation(file: "model.swift", line: 1))
        files.append(Emitter.emit(try Pipeline.compile(copy, options: CompileOptions()).lowered))
        // Requantizing ops.
        let requantizing = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.5, zeroPoint: 3)).layerSpec,
            Quantize("q", output: .int8(scale: 0.2, zeroPoint: -10)).layerSpec,
            Concatenation("c", ["x", "q"], axis: 1, output: .int8(scale: 0.2, zeroPoint: -10)).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        files.append(Emitter.emit(try Pipeline.compile(requantizing, options: CompileOptions()).lowered))
        // Two inputs and two outputs.
        let twoByTwo = ModelSpec(name: "m", layers: [
            Input("x", shape: [1, 4], .int8(scale: 0.5, zeroPoint: 3)).layerSpec,
            Input("y", shape: [1, 4], .int8(scale: 0.25, zeroPoint: -3)).layerSpec,
            Add("s", "x", "y", output: .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
            Mul("p", "x", "y", output: .int8(scale: 0.5, zeroPoint: 0)).layerSpec,
        ], location: SourceLocation(file: "model.swift", line: 1))
        files.append(Emitter.emit(try Pipeline.compile(twoByTwo, options: CompileOptions()).lowered))
        // Every op of the engine graph fixtures (one model per op and padding kind).
        struct Fixture: Decodable {
            struct Case: Decodable { var ops: [String]; var model: ModelSpec }
            var cases: [Case]
        }
        let url = packageRoot.appendingPathComponent("Tests/Fixtures/engines/tflite_micro_graphs.json")
        var seen: Set<[String]> = []
        for c in try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases where seen.insert(c.ops).inserted {
            files.append(Emitter.emit(try Pipeline.compile(c.model, options: CompileOptions()).lowered))
        }
        for file in files {
            var pieces: [(String, Any)] = []
            _ = Renderer.render(file) { pieces.append(($0, $1)) }
            for (template, context) in pieces { problems.formUnion(try Self.check(template, stack: [context], visited: &visited)) }
        }
        #expect(problems.isEmpty, "\(problems.sorted().joined(separator: "\n"))")
        #expect(visited == Set(Renderer.templates.keys), "templates no sample renders: \(Set(Renderer.templates.keys).subtracting(visited).sorted())")
    }

    /// The checker itself finds a key that is not a field.
    @Test func theCheckerFindsAMisspelledKey() throws {
        struct Context { var name: String }
        var visited: Set<String> = []
        let problems = try Self.check("const_array", stack: [Context(name: "x")], visited: &visited)
        #expect(problems.contains("const_array: {{comment}} is not a field of Context"), "\(problems)")
    }
}
