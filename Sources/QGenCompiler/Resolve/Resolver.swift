import Foundation
import QGen
import QGenArithmetic

/// Options that the command line (or a test) adds to a model.
public struct CompileOptions: Equatable, Sendable {
    /// Overrides the model's `.requantization(…)`; nil keeps it (default `tflite`).
    public var scheme: RequantizationScheme?
    /// The C prefix; nil uses the sanitized model name.
    public var prefix: String?
    /// The directory that relative `.npy` paths are resolved against (model.swift's directory).
    public var baseDirectory: URL
    /// The file name stem of the emitted pair (`<stem>.c` includes `"<stem>.h"`); nil uses the prefix.
    public var fileStem: String?
    /// `--float-requant`: emit the float32 schemes' output stage as native binary32 code (for targets
    /// with an FPU) instead of the integer-only emulation. Only for `fbgemm`, `qnnpack`, `onnxRuntime`.
    public var floatRequant: Bool
    /// `--float-io`: also emit `<prefix>_quantize_input` / `<prefix>_dequantize_output`, which
    /// convert float data with the scheme's stack's exact formula (they use float; the model does not).
    public var floatIO: Bool

    public init(scheme: RequantizationScheme? = nil, prefix: String? = nil, baseDirectory: URL = URL(fileURLWithPath: "."), fileStem: String? = nil,
                floatRequant: Bool = false, floatIO: Bool = false) {
        self.floatIO = floatIO
        self.scheme = scheme
        self.prefix = prefix
        self.baseDirectory = baseDirectory
        self.fileStem = fileStem
        self.floatRequant = floatRequant
    }
}

/// The resolve stage: shapes, C names, constant data and the arena plan. It reports every problem
/// it finds (not only the first) and throws if any is an error.
public enum Resolver {
    public static func resolve(_ spec: ModelSpec, options: CompileOptions) throws -> (ResolvedModel, [Diagnostic]) {
        var log = DiagnosticLog()
        let model = resolve(spec, options: options, log: &log)
        let diagnostics = try log.check()
        return (model!, diagnostics)
    }

    private static func resolve(_ spec: ModelSpec, options: CompileOptions, log: inout DiagnosticLog) -> ResolvedModel? {
        let scheme = resolveScheme(spec, options: options, log: &log)
        if options.floatRequant && scheme.family != .float32 {
            log.error("model '\(spec.name)': --float-requant applies to the float32 schemes (fbgemm, qnnpack, onnxRuntime); \(scheme) is integer arithmetic already", at: spec.location)
        }
        let prefix = resolvePrefix(spec, options: options, log: &log)

        guard case .input? = spec.layers.first else {
            log.error("model '\(spec.name)' must start with an Input(…)", at: spec.location)
            return nil
        }
        if spec.layers.count < 2 {
            log.error("model '\(spec.name)' has no layers after its Input", at: spec.location)
        }
        if let stem = options.fileStem, let problem = includeNameProblem(stem + ".h") {
            log.error("the header '\(CText.escape(stem)).h' cannot be named in the C line #include \"…\": \(problem); name the output file with letters, digits, '.', '_', '-' and '+' only", at: nil)
        }
        guard let graph = GraphOrder(spec, log: &log) else { return nil }

        var names = NameTable(prefix: prefix)
        var tensors: [ResolvedTensor] = []
        var tensorOf: [String: TensorID] = [:]
        var inputs: [TensorID] = []
        var nodes: [ResolvedNode] = []
        for index in graph.order {
            let layer = spec.layers[index]
            if case .input(let input) = layer {
                names.claim(input.name, at: input.location, log: &log)
                guard let tensor = resolveInput(input, position: inputs.count, log: &log) else { return nil }
                tensorOf[input.name] = tensors.count
                inputs.append(tensors.count)
                tensors.append(tensor)
                continue
            }
            let cName = names.claim(layer.name, at: layer.location, log: &log)
            guard let op = layer.op as? any ResolvableOp else {
                log.error("layer '\(layer.name)': qgen cannot compile this op", at: layer.location)
                return nil
            }
            let kind = op.kindName
            let what = "layer '\(layer.name)' (\(kind))"
            let inputIDs = graph.inputs[index].map { tensorOf[spec.layers[$0].name]! }
            let context = ResolveContext(inputs: inputIDs.map { tensors[$0] }, baseDirectory: options.baseDirectory, what: what, location: layer.location)
            guard let (resolved, type) = op.resolve(context, log: &log) else { return nil }
            tensorOf[layer.name] = tensors.count
            tensors.append(ResolvedTensor(name: layer.name, shape: type.shape, layout: type.layout, quant: type.quant, location: layer.location,
                                          producer: nodes.count, buffer: .modelOutput(0)))
            nodes.append(ResolvedNode(name: layer.name, cName: cName, kindName: kind, location: layer.location,
                                      inputs: inputIDs, output: tensors.count - 1, op: resolved))
        }
        names.checkGeneratedIdentifiers(nodes: nodes, log: &log)
        if log.hasErrors { return nil }

        // The model outputs: the tensors no layer reads, in declaration order.
        let consumed = Set(nodes.flatMap(\.inputs))
        let declared = Dictionary(uniqueKeysWithValues: spec.layers.enumerated().map { ($1.name, $0) })
        let outputs = tensors.indices.filter { !consumed.contains($0) && !inputs.contains($0) }
            .sorted { declared[tensors[$0].name] ?? 0 < declared[tensors[$1].name] ?? 0 }
        for id in inputs where !consumed.contains(id) {
            log.error("input '\(tensors[id].name)' is not read by any layer", at: tensors[id].location)
        }
        for (id, tensor) in tensors.enumerated() where tensor.quant.dtype == .int16 && consumed.contains(id) {
            log.error("layer '\(tensor.name)': its int16 output is read by another layer; qgen's int8 ops take int8 or uint8, so an int16 Softmax must be a model output", at: tensor.location)
        }
        if options.floatIO && (inputs.count > 1 || outputs.count > 1) {
            log.error("model '\(spec.name)': --float-io converts one input and one output, but the model has \(inputs.count) inputs and \(outputs.count) outputs; convert at the boundary yourself (each input's and output's scale and zero point are in the header)", at: spec.location)
        }
        if log.hasErrors { return nil }

        guard let (arena, lowerBound) = planArena(tensors: &tensors, nodes: nodes, inputs: inputs, outputs: outputs, model: spec, log: &log) else { return nil }
        return ResolvedModel(
            name: spec.name, cPrefix: prefix, scheme: scheme, sourceFile: spec.location.fileName,
            tensors: tensors, nodes: nodes, inputs: inputs, outputs: outputs, arenaSize: arena, arenaLowerBound: lowerBound)
    }

    private static func resolveInput(_ input: Input, position: Int, log: inout DiagnosticLog) -> ResolvedTensor? {
        checkActivationQuant(input.quant, what: "input '\(input.name)'", at: input.location, log: &log)
        if input.quant.dtype == .int16 {
            log.error("input '\(input.name)': model inputs are int8 or uint8 (int16 is the output of an int8 → int16 Softmax only)", at: input.location)
            return nil
        }
        if input.shape.count < 2 || input.shape.contains(where: { $0 < 1 }) {
            log.error("input '\(input.name)': shape \(input.shape) is not valid; give [N, features] or [N, C, H, W] with every dimension ≥ 1", at: input.location)
            return nil
        }
        if SizeLimits.elementCount(input.shape) == nil {
            log.error("input '\(input.name)': shape \(input.shape) has more than \(SizeLimits.tensorLimitText) elements, qgen's limit for one tensor", at: input.location)
            return nil
        }
        return ResolvedTensor(name: input.name, shape: input.shape, layout: input.shape.count == 4 ? input.layout : nil, quant: input.quant,
                              location: input.location, producer: nil, buffer: .modelInput(position))
    }

    /// Places every tensor: model inputs and outputs in the caller's buffers, the others in the
    /// arena, each live from the node that writes it to the last node that reads it. A reshape's
    /// output is its input's memory (an alias): the group of a tensor and its reshapes shares one
    /// buffer, live until the last read of any of them. Only a reshape of a model input into a model
    /// output copies. A node that runs in place (`InPlace`) writes its output over its dying input
    /// when that makes the arena smaller.
    private static func planArena(tensors: inout [ResolvedTensor], nodes: [ResolvedNode], inputs: [TensorID], outputs: [TensorID],
                                  model spec: ModelSpec, log: inout DiagnosticLog) -> (size: Int, lowerBound: Int)? {
        var root = Array(tensors.indices)
        for node in nodes {
            guard case .reshape = node.op else { continue }
            let source = root[node.inputs[0]]
            // A reshape of a model input into a model output copies; so does a second model output
            // reshaped from the tensor another output already occupies.
            let sourceIsOutput = outputs.contains { $0 != node.output && root[$0] == source }
            if !((inputs.contains(source) || sourceIsOutput) && outputs.contains(node.output)) { root[node.output] = source }
        }
        var lastUse = Array(repeating: -1, count: tensors.count)
        for (step, node) in nodes.enumerated() { for id in node.inputs { lastUse[root[id]] = max(lastUse[root[id]], step) } }
        var outputOf: [TensorID: Int] = [:]
        for (i, id) in outputs.enumerated() { outputOf[root[id]] = i }
        let planned = tensors.indices.filter { root[$0] == $0 && !inputs.contains($0) && outputOf[$0] == nil }
        let requests = planned.map { ArenaPlan.Request(size: tensors[$0].count, firstStep: tensors[$0].producer!, lastStep: lastUse[$0]) }
        // In-place execution: a node whose kernel allows it, and whose input (in the arena) dies at it,
        // may write its output (in the arena) over that input.
        let request = Dictionary(uniqueKeysWithValues: planned.enumerated().map { ($1, $0) })
        let links = nodes.enumerated().compactMap { step, node -> ArenaPlan.Link? in
            guard let (slots, shift) = InPlace.candidates(of: node), let output = request[root[node.output]],
                  let slot = slots.first(where: { lastUse[root[node.inputs[$0]]] == step && request[root[node.inputs[$0]]] != nil }) else { return nil }
            return ArenaPlan.Link(input: request[root[node.inputs[slot]]]!, output: output, shift: shift)
        }
        let plan = ArenaPlan.plan(requests, links: links, required: concatenationLinks(nodes: nodes, tensors: tensors, root: root, request: request))
        guard plan.size <= SizeLimits.maxArenaBytes else {
            let largest = planned.max { tensors[$0].count < tensors[$1].count }!
            log.error("model '\(spec.name)': its arena needs \(plan.size) bytes, more than qgen's limit of \(SizeLimits.maxArenaBytes) (256 MiB); the largest intermediate tensor is the output of '\(tensors[largest].name)', \(tensors[largest].shape)", at: spec.location)
            return nil
        }
        var buffers: [TensorID: BufferRef] = [:]
        for (i, id) in inputs.enumerated() { buffers[id] = .modelInput(i) }
        for (id, i) in outputOf { buffers[id] = .modelOutput(i) }
        for (id, placement) in zip(planned, plan.placements) { buffers[id] = .arena(offset: placement.offset, size: placement.size) }
        for id in tensors.indices { tensors[id].buffer = buffers[root[id]]! }
        return (plan.size, ArenaPlan.lowerBound(requests))
    }

    /// A concatenation whose inputs are written into their slices of its output, so that no kernel
    /// copies them: where each input is one contiguous slice of the output (every dimension before
    /// the axis is 1), is copied unchanged (the output's quantization), lives in the arena (not a
    /// model input, output or reshape alias), and is read by the concatenation alone, once; and the
    /// output lives in the arena. Each input is linked to the output, offset by its slice's start.
    private static func concatenationLinks(nodes: [ResolvedNode], tensors: [ResolvedTensor], root: [Int],
                                           request: [TensorID: Int]) -> [ArenaPlan.Link] {
        var reads: [TensorID: Int] = [:]
        for node in nodes { for id in node.inputs { reads[root[id], default: 0] += 1 } }
        var links: [ArenaPlan.Link] = []
        for node in nodes {
            guard case .concatenation(let c) = node.op, c.outer == 1, root[node.output] == node.output,
                  let output = request[node.output] else { continue }
            let quant = tensors[node.output].quant
            let inputs = node.inputs.compactMap { id -> Int? in
                guard root[id] == id, reads[id] == 1, tensors[id].quant == quant else { return nil }
                return request[id]
            }
            guard inputs.count == node.inputs.count else { continue }
            var start = 0
            for (input, chunk) in zip(inputs, c.chunks) {
                links.append(ArenaPlan.Link(input: input, output: output, shift: start))
                start += chunk
            }
        }
        return links
    }

    private static func resolveScheme(_ spec: ModelSpec, options: CompileOptions, log: inout DiagnosticLog) -> RequantizationScheme {
        if let scheme = options.scheme { return scheme }
        guard let name = spec.requantization?.name else { return .tflite }
        do {
            return try RequantizationScheme(validating: name)
        } catch {
            log.error("model '\(spec.name)': \(error)", at: spec.location)
            return .tflite
        }
    }

    private static func resolvePrefix(_ spec: ModelSpec, options: CompileOptions, log: inout DiagnosticLog) -> String {
        let raw = options.prefix ?? spec.name
        let prefix = CIdentifier.sanitize(raw)
        if let problem = CIdentifier.problem(name: raw, identifier: prefix) {
            let what = options.prefix != nil ? "--prefix '\(raw)'" : "model name '\(raw)'"
            log.error("\(what) cannot be used as a C prefix: \(problem); choose a name like 'my_model'", at: spec.location)
        }
        return prefix
    }

    /// Why `name` cannot stand between the quotes of `#include "…"` (C99 6.4.7: no `"` or newline;
    /// `'`, `\\`, `//` and `/*` are undefined there), or nil when it can.
    static func includeNameProblem(_ name: String) -> String? {
        for scalar in name.unicodeScalars where !(CIdentifier.isIdentifierCharacter(scalar) || ".-+".unicodeScalars.contains(scalar)) {
            return scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7F
                ? "it contains '\(scalar)'" : "it contains the character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
        return nil
    }

    /// An op's output quantization and fused activation.
    static func checkOutput(_ output: QuantParams, activation: Activation, what: String, at: SourceLocation, log: inout DiagnosticLog) {
        checkActivationQuant(output, what: "\(what) output", at: at, log: &log)
        if case .clamp(let lo, let hi) = activation, !(lo.isFinite && hi.isFinite && lo < hi) {
            log.error("\(what): clamp(min: \(lo), max: \(hi)) needs finite bounds with min < max", at: at)
        }
    }

    static func checkActivationQuant(_ q: QuantParams, what: String, at location: SourceLocation, log: inout DiagnosticLog) {
        if let observer = q.calibration {
            log.error("\(what) is .calibrated(\(observer.swiftText)), which needs calibration data: qgen emit --calibrate data.npy, or qgen calibrate model.swift data.npy -o calibrated.swift to write the scales into a copy of model.swift", at: location)
            return
        }
        if !(q.scale.isFinite && q.scale > 0) {
            log.error("\(what): scale must be a finite number > 0, got \(q.scale)", at: location)
        } else if !(Float(q.scale).isFinite && Float(q.scale) > 0 && (1 / Float(q.scale)).isFinite) {
            // Every stack stores a scale as float32, and the boundary conversions use its reciprocal.
            log.error("\(what): scale \(q.scale) is outside the scales float32 can hold with their reciprocals (\(1 / Double(Float.greatestFiniteMagnitude)) to \(Double(Float.greatestFiniteMagnitude))); the stacks store scales as float32", at: location)
        }
        if !q.dtype.range.contains(q.zeroPoint) {
            log.error("\(what): zero point \(q.zeroPoint) is outside \(q.dtype.rawValue) [\(q.dtype.range.lowerBound), \(q.dtype.range.upperBound)]", at: location)
        }
    }
}

/// Layer names → unique C identifiers, and the check that every identifier the emitter will
/// write (`EmittedNames`) is unique.
private struct NameTable {
    let prefix: String
    var byName: [String: SourceLocation] = [:]
    var byIdentifier: [String: (name: String, location: SourceLocation)] = [:]
    /// Layers already reported (duplicate or unusable names): not checked again, so one mistake
    /// gives one message.
    var reported: Set<String> = []

    init(prefix: String) { self.prefix = prefix }

    @discardableResult
    mutating func claim(_ name: String, at location: SourceLocation, log: inout DiagnosticLog) -> String {
        let identifier = CIdentifier.sanitize(name)
        if let first = byName[name] {
            reported.insert(name)
            log.error("duplicate layer name '\(name)' (first used at \(first)); every layer needs its own name", at: location)
            return identifier
        }
        byName[name] = location
        if let problem = CIdentifier.problem(name: name, identifier: identifier) {
            reported.insert(name)
            log.error("layer name '\(name)' cannot become a C identifier: \(problem); rename it, e.g. '\(CIdentifier.suggestion(for: identifier))'", at: location)
        } else if let other = byIdentifier[identifier] {
            reported.insert(name)
            log.error("layer names '\(other.name)' (\(other.location)) and '\(name)' both become the C identifier '\(identifier)'; rename one of them", at: location)
        }
        byIdentifier[identifier] = (name, location)
        return identifier
    }

    /// Every name in `EmittedNames` (the model's API and each node's function and arrays, for
    /// all schemes and options) must be distinct.
    func checkGeneratedIdentifiers(nodes: [ResolvedNode], log: inout DiagnosticLog) {
        var seen: [String: String] = [:]
        for api in EmittedNames.Model(prefix: prefix).all { seen[api] = "the model's C API" }
        for node in nodes where !reported.contains(node.name) {
            for identifier in EmittedNames.Layer(cName: node.cName).all {
                if let owner = seen[identifier] {
                    log.error("layer '\(node.name)': its C identifier '\(identifier)' collides with \(owner); rename the layer", at: node.location)
                    break
                }
            }
            for identifier in EmittedNames.Layer(cName: node.cName).all { seen[identifier] = seen[identifier] ?? "layer '\(node.name)'" }
        }
    }
}
