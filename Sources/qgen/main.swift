import ArgumentParser
import Foundation
import QGenArithmetic
import QGenCompiler
import QGenVerify

extension RequantizationScheme: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

struct QGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qgen",
        abstract: "Turns a quantized model described in Swift into integer-only C99 and proves the C bit-exact.",
        version: qgenVersion,
        subcommands: [Emit.self, Verify.self, Explain.self])
}

/// Options shared by the commands that compile a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model.swift file that describes the model.")
    var model: String

    @Option(help: ArgumentHelp("Requantization scheme; overrides the model's .requantization(…).",
                               discussion: RequantizationScheme.catalogue.map { "  \($0)" }.joined(separator: "\n")))
    var scheme: RequantizationScheme?

    @Option(help: "Prefix of every public C symbol (default: the model name).")
    var prefix: String?

    @Flag(help: "For fbgemm, qnnpack and onnxRuntime: emit the output stage as native float32 code (targets with an FPU) instead of the integer-only emulation. Same results.")
    var floatRequant = false

    @Flag(help: "Also emit <prefix>_quantize_input and <prefix>_dequantize_output, which convert float data with the scheme's stack's exact formula (they use float; the model does not).")
    var floatIO = false

    func compile(fileStem: String? = nil) throws -> Pipeline.Result {
        let spec = try ModelLoader.load(path: model)
        let base = URL(fileURLWithPath: model).deletingLastPathComponent()
        let result = try Pipeline.compile(spec, options: CompileOptions(scheme: scheme, prefix: prefix, baseDirectory: base, fileStem: fileStem,
                                                                         floatRequant: floatRequant, floatIO: floatIO))
        for d in result.diagnostics { FileHandle.standardError.write(Data("\(d)\n".utf8)) }
        return result
    }
}

/// Runs a command body, printing qgen's own errors without a stack trace and exiting 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DiagnosticsError {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as ModelLoader.LoadError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

struct Emit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes the model as C99: <out>.c and the header <out>.h beside it.",
        discussion: "Nothing is written unless the whole model compiles; existing files are replaced atomically.")

    @OptionGroup var options: ModelOptions

    @Option(name: .shortAndLong, help: "The C file to write (the header gets the same name with .h).")
    var output: String

    @Option(help: ArgumentHelp("Print a compiler stage's model as JSON instead of writing C.", valueName: "resolved|lowered"))
    var dumpStage: String?

    func run() throws {
        try reportingErrors {
            guard output.hasSuffix(".c") else {
                FileHandle.standardError.write(Data("error: --output must name a .c file, got '\(output)'\n".utf8))
                throw ExitCode(1)
            }
            let url = URL(fileURLWithPath: output)
            var isDirectory: ObjCBool = false
            let directory = url.deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                let given = output.contains("/") ? String(output[..<output.lastIndex(of: "/")!]) : "."
                FileHandle.standardError.write(Data("error: cannot write '\(output)': directory '\(given)' does not exist\n".utf8))
                throw ExitCode(1)
            }
            let stem = url.deletingPathExtension().lastPathComponent
            let result = try options.compile(fileStem: stem)
            if let stage = dumpStage {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                let data: Data
                switch stage {
                case "resolved": data = try encoder.encode(result.resolved)
                case "lowered": data = try encoder.encode(result.lowered)
                default:
                    FileHandle.standardError.write(Data("error: --dump-stage takes 'resolved' or 'lowered', got '\(stage)'\n".utf8))
                    throw ExitCode(1)
                }
                FileHandle.standardOutput.write(data + Data("\n".utf8))
                return
            }
            let header = url.deletingPathExtension().appendingPathExtension("h")
            try AtomicFiles.write([(url, result.output.source), (header, result.output.header)])
            let headerPath = String(output.dropLast(2)) + ".h"
            print("wrote \(output) and \(headerPath) (\(result.lowered.layers.count) layers, arena \(result.lowered.arenaSize) bytes, scheme \(result.lowered.scheme))")
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Emits the model, compiles the C in-process with libtcc, runs it on random inputs and compares every output element with the Swift integer reference.",
        discussion: "Exits 1 on any mismatch. Also reports the SQNR of the integer model against its float reference (informational).")

    @OptionGroup var options: ModelOptions

    @Option(help: "Number of random inputs.")
    var inputs: Int = 100

    @Option(help: "Seed of the random inputs (the same seed gives the same inputs on every machine).")
    var seed: UInt64 = 1

    func run() throws {
        try reportingErrors {
            guard inputs >= 1 else {
                FileHandle.standardError.write(Data("error: --inputs must be ≥ 1\n".utf8))
                throw ExitCode(1)
            }
            let result = try options.compile()
            let report = try Verifier.verify(result, inputs: inputs, seed: seed)
            let model = result.lowered
            print("model \(model.name): \(model.layers.count) layers, scheme \(model.scheme)")
            print("compared \(report.elements) output elements over \(report.inputs) random inputs (seed \(report.seed)): \(report.mismatches) mismatches")
            print("SQNR against the float reference: \(String(format: "%.2f", report.sqnr)) dB")
            if let m = report.firstMismatch {
                print("first mismatch: input \(m.input), element \(m.element): C \(m.c), reference \(m.reference)")
                throw ExitCode(1)
            }
        }
    }
}

QGenCommand.main()

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints the integer trace of one output element of one layer, beside a second scheme and real arithmetic.",
        discussion: """
            The trace shows the products summed, the zero points, the bias (real and integer), the accumulator, the \
            multiplier (real and its fixed-point or float32 form), each rounding step, the output zero point and the \
            clamp, then a side-by-side table and the step where the schemes part. The layer's input comes from \
            --input (a .npy of the model input: integer codes, or float values quantized by the scheme's stack rule) \
            or from --seed.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "The layer's name (as in model.swift).")
    var layer: String

    @Option(help: "The output element: one index per dimension of the layer's output (e.g. 0,0,2,15) or one flat index.")
    var index: String

    @Option(help: "A .npy file with the model input: integers are codes; floats are quantized with the scheme's boundary rule.")
    var input: String?

    @Option(help: "Seed of a random input when no --input is given.")
    var seed: UInt64 = 1

    @Option(help: "The second scheme (default: tflite, or fbgemm when the model's scheme is tflite).")
    var compare: RequantizationScheme?

    @Option(help: "Also compute the element by hand from scales printed with this many decimals (as PyTorch prints them: 4).")
    var printedDigits: Int?

    func run() throws {
        try reportingErrors {
            let result = try options.compile()
            let model = result.lowered
            let indices = index.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !indices.isEmpty, indices.allSatisfy({ $0 != nil }) else {
                FileHandle.standardError.write(Data("error: --index takes comma-separated integers, got '\(index)'\n".utf8))
                throw ExitCode(1)
            }
            let x: [Int32]
            if let input {
                let array: NpyArray
                do {
                    array = try NpyArray(contentsOf: URL(fileURLWithPath: input))
                } catch let error as NpyArray.ReadError {
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                    throw ExitCode(1)
                }
                guard array.values.count == model.input.count else {
                    FileHandle.standardError.write(Data("error: --input '\(input)' has \(array.values.count) values (shape \(array.shape)), the model input '\(model.input.name)' needs \(model.input.count) (shape \(model.input.shape))\n".utf8))
                    throw ExitCode(1)
                }
                let range = model.input.dtype.range
                if array.isFloatingPoint {
                    let rule = model.scheme.boundary
                    let scale = result.lowering.real.inputScale
                    x = array.values.map { Int32(rule.quantize(Float($0), scale: scale, zeroPoint: Int(model.input.zeroPoint), range: range)) }
                    print("input: \(array.values.count) float values quantized with the \(rule.rawValue) rule")
                } else if let bad = array.values.first(where: { !range.contains(Int($0)) }) {
                    FileHandle.standardError.write(Data("error: --input '\(input)' holds \(Int(bad)), outside the \(model.input.dtype) range \(range)\n".utf8))
                    throw ExitCode(1)
                } else {
                    x = array.values.map { Int32($0) }
                }
            } else {
                var rng = SeededGenerator(seed: seed)
                x = Verifier.randomInput(for: model, using: &rng)
                print("input: random codes, seed \(seed)")
            }
            try explain(result, indices: indices.map { $0! }, input: x)
        }
    }

    private func explain(_ result: Pipeline.Result, indices: [Int], input: [Int32]) throws {
        let second = compare ?? (result.lowered.scheme == .tflite ? .fbgemm(saturatingPairs: false) : .tflite)
        do {
            let explanation = try Explainer.explain(result, layer: layer, index: indices, input: input, compare: second, printedDigits: printedDigits)
            print(explanation.text)
        } catch let error as Explainer.ExplainError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
