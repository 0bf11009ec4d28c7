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

        guard case .input(let input)? = spec.layers.first else {
            log.error("model '\(spec.name)' must start with an Input(…)", at: spec.location)
            return nil
        }
        if spec.layers.count < 2 {
            log.error("model '\(spec.name)' has no layers after its Input", at: spec.location)
        }
        checkActivationQuant(input.quant, what: "input '\(input.name)'", at: input.location, log: &log)
        if input.shape.count < 2 || input.shape.contains(where: { $0 < 1 }) {
            log.error("input '\(input.name)': shape \(input.shape) is not valid; give [N, features] or [N, C, H, W] with every dimension ≥ 1", at: input.location)
            return nil
        }
        if SizeLimits.elementCount(input.shape) == nil {
            log.error("input '\(input.name)': shape \(input.shape) has more than \(SizeLimits.tensorLimitText) elements, qgen's limit for one tensor", at: input.location)
            return nil
        }
        if let stem = options.fileStem, let problem = includeNameProblem(stem + ".h") {
            log.error("the header '\(CText.escape(stem)).h' cannot be named in the C line #include \"…\": \(problem); name the output file with letters, digits, '.', '_', '-' and '+' only", at: nil)
        }

        var names = NameTable(prefix: prefix)
        names.claim(input.name, at: input.location, log: &log)

        var layers: [ResolvedLayer] = []
        var shape = input.shape
        var quant = input.quant
        var producer = "input '\(input.name)'"
        for layer in spec.layers.dropFirst() {
            let cName = names.claim(layer.name, at: layer.location, log: &log)
            let resolved: ResolvedLayer?
            switch layer {
            case .input(let extra):
                log.error("input '\(extra.name)': a model has exactly one Input, and it comes first", at: extra.location)
                resolved = nil
            case .linear(let linear):
                resolved = LayerResolver(baseDirectory: options.baseDirectory)
                    .linear(linear, cName: cName, inputShape: shape, input: quant, producer: producer, log: &log)
            case .conv2d(let conv):
                resolved = LayerResolver(baseDirectory: options.baseDirectory)
                    .conv2d(conv, cName: cName, inputShape: shape, input: quant, producer: producer, log: &log)
            }
            guard let resolved else { return nil }
            layers.append(resolved)
            shape = resolved.outputShape
            quant = resolved.output
            producer = "'\(resolved.name)'"
        }
        names.checkGeneratedIdentifiers(layers: layers, log: &log)
        if log.hasErrors { return nil }

        // Intermediate tensor i is written by layer i and read by layer i + 1.
        let requests = layers.dropLast().enumerated().map { i, layer in
            ArenaPlan.Request(size: layer.outputShape.reduce(1, *), firstStep: i, lastStep: i + 1)
        }
        let plan = ArenaPlan.plan(requests)
        guard plan.size <= SizeLimits.maxArenaBytes else {
            let largest = layers.dropLast().max { $0.outputShape.reduce(1, *) < $1.outputShape.reduce(1, *) }!
            log.error("model '\(spec.name)': its arena needs \(plan.size) bytes, more than qgen's limit of \(SizeLimits.maxArenaBytes) (256 MiB); the largest intermediate tensor is the output of '\(largest.name)', \(largest.outputShape)", at: spec.location)
            return nil
        }
        for i in layers.indices {
            layers[i].inputBuffer = i == 0 ? .modelInput : .arena(offset: plan.placements[i - 1].offset, size: plan.placements[i - 1].size)
            layers[i].outputBuffer = i == layers.count - 1 ? .modelOutput : .arena(offset: plan.placements[i].offset, size: plan.placements[i].size)
        }
        return ResolvedModel(
            name: spec.name, cPrefix: prefix, scheme: scheme, floatRequant: options.floatRequant, floatIO: options.floatIO, sourceFile: spec.location.fileName,
            input: ResolvedInput(name: input.name, shape: input.shape, quant: input.quant, location: input.location),
            layers: layers, arenaSize: plan.size)
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

    static func checkActivationQuant(_ q: QuantParams, what: String, at location: SourceLocation, log: inout DiagnosticLog) {
        if !(q.scale.isFinite && q.scale > 0) {
            log.error("\(what): scale must be a finite number > 0, got \(q.scale)", at: location)
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

    /// Every name in `EmittedNames` (the model's API and each layer's function and arrays, for
    /// all schemes and options) must be distinct.
    func checkGeneratedIdentifiers(layers: [ResolvedLayer], log: inout DiagnosticLog) {
        var seen: [String: String] = [:]
        for api in EmittedNames.Model(prefix: prefix).all { seen[api] = "the model's C API" }
        for layer in layers where !reported.contains(layer.name) {
            for identifier in EmittedNames.Layer(cName: layer.cName).all {
                if let owner = seen[identifier] {
                    log.error("layer '\(layer.name)': its C identifier '\(identifier)' collides with \(owner); rename the layer", at: layer.location)
                    break
                }
            }
            for identifier in EmittedNames.Layer(cName: layer.cName).all { seen[identifier] = seen[identifier] ?? "layer '\(layer.name)'" }
        }
    }
}
