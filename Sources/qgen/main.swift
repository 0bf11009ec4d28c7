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
        subcommands: [Emit.self, Verify.self])
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

    func compile(fileStem: String? = nil) throws -> Pipeline.Result {
        let spec = try ModelLoader.load(path: model)
        let base = URL(fileURLWithPath: model).deletingLastPathComponent()
        let result = try Pipeline.compile(spec, options: CompileOptions(scheme: scheme, prefix: prefix, baseDirectory: base, fileStem: fileStem))
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
