import ArgumentParser
import Foundation
import QGenArithmetic
import QGenCompiler
import QGen
import QGenJIT
import QGenReference
import QGenVerify

struct QGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qgen",
        abstract: "Turns a quantized model described in Swift into integer-only C99 and proves the C bit-exact.",
        version: qgenVersion,
        subcommands: [Emit.self, Import.self, Verify.self, Explain.self, Run.self, Calibrate.self, Compare.self])
}

/// A command-line mistake or a failure qgen explains in one line (printed as `error: …`, exit 1).
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `--scheme` and `--compare`: the scheme's canonical spelling, or a message saying what is wrong
/// with it and listing the valid spellings.
func parseScheme(_ text: String) throws -> RequantizationScheme {
    do {
        return try RequantizationScheme(validating: text)
    } catch let error as RequantizationScheme.ParseError {
        throw ValidationError(error.reason)
    }
}

/// `--seed`: a whole number, negative ones included in the message rather than read as options.
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else { throw ValidationError("--seed takes a whole number from 0 to \(UInt64.max), not '\(text)'") }
    return seed
}

/// Options shared by the commands that compile a model.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model.swift file that describes the model.")
    var model: String

    @Option(help: ArgumentHelp("Requantization scheme; overrides the model's .requantization(…).",
                               discussion: RequantizationScheme.catalogue.map { "  \($0)" }.joined(separator: "\n")),
            transform: parseScheme)
    var scheme: RequantizationScheme?

    @Option(help: "Prefix of every public C symbol (default: the model name).")
    var prefix: String?

    @Flag(help: "For fbgemm, qnnpack and onnxRuntime: emit the output stage as native float32 code (targets with an FPU) instead of the integer-only emulation. Same results.")
    var floatRequant = false

    @Flag(help: "Also emit <prefix>_quantize_input and <prefix>_dequantize_output, which convert float data with the scheme's stack's exact formula (they use float; the model does not).")
    var floatIO = false

    @Option(help: ArgumentHelp("A .npy of float inputs (first axis: inferences) that calibrates the model's .calibrated(…) quantizations first (default: the model's .calibrationData(…), if any).", valueName: "data.npy"))
    var calibrate: String?

    @Option(name: .customLong("model-timeout"), parsing: .unconditional,
            help: ArgumentHelp("Seconds model.swift may run while it builds its model; then it is stopped.", valueName: "seconds"))
    var modelTimeout: Double = ModelLoader.defaultTimeout

    func validate() throws {
        guard modelTimeout.isFinite && modelTimeout > 0 else {
            throw ValidationError("--model-timeout takes a number of seconds > 0, not \(modelTimeout)")
        }
    }

    func compile(fileStem: String? = nil) throws -> Pipeline.Result {
        // A .tflite or .onnx file is read directly; anything else is a model.swift.
        let imported = try ImportedModel.read(path: model)
        for w in imported?.warnings ?? [] { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
        var spec = try imported?.model ?? ModelLoader.load(path: model, timeout: modelTimeout)
        let base = URL(fileURLWithPath: model).deletingLastPathComponent()
        let options = CompileOptions(scheme: scheme, prefix: prefix, baseDirectory: base, fileStem: fileStem, floatRequant: floatRequant, floatIO: floatIO)
        if let data = calibrate ?? namedCalibrationData(spec, base: base) {
            let result = try calibrated(spec, data: data, options: options)
            spec = result.spec
            FileHandle.standardError.write(Data("note: calibrated \(result.tensors.count) tensor(s) on \(calibrate ?? spec.calibrationData ?? data) (\(result.inferences) inference(s))\n".utf8))
        }
        let result = try Pipeline.compile(spec, options: options)
        for d in result.diagnostics { FileHandle.standardError.write(Data("\(d)\n".utf8)) }
        return result
    }
}

/// The calibration data model.swift names (`.calibrationData("…")`, relative to its directory), when
/// the model still has `.calibrated(…)` quantizations to fill in.
func namedCalibrationData(_ spec: ModelSpec, base: URL) -> String? {
    guard !Calibration.calibratedLayers(spec).isEmpty else { return nil }
    return calibrationDataPath(spec, base: base)
}

/// The path of the `.calibrationData("…")` model.swift names, relative to its directory.
func calibrationDataPath(_ spec: ModelSpec, base: URL) -> String? {
    spec.calibrationData.map { $0.hasPrefix("/") ? $0 : base.appendingPathComponent($0).path }
}

/// The model calibrated on the float data in `path` (progress on a terminal), or a CLIError naming
/// what is wrong with the data or the model.
func calibrated(_ spec: ModelSpec, data path: String, options: CompileOptions) throws -> Calibration.Result {
    let data = try NpyArray(contentsOf: URL(fileURLWithPath: path))
    let progress = Progress("calibrate")
    defer { progress.finish() }
    do {
        return try Calibration.calibrate(spec, options: options, data: data) { done, total in progress.update(done, of: total, "inferences") }
    } catch let error as Calibration.CalibrationError {
        throw CLIError("calibration with \(path): \(error)")
    }
}

/// Runs a command body, printing qgen's own errors without a stack trace and exiting 1.
func reportingErrors(_ body: () throws -> Void) throws {
    func fail(_ text: String) -> ExitCode {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        return ExitCode(1)
    }
    do {
        try body()
    } catch let error as DiagnosticsError {
        throw fail("\(error)")
    } catch let error as ModelLoader.LoadError {
        throw fail("\(error)")
    } catch let error as TFLiteImporter.ImportError {
        throw fail("\(error)")
    } catch let error as ONNXImporter.ImportError {
        throw fail("\(error)")
    } catch let error as CLIError {
        throw fail("error: \(error)")
    } catch let error as AtomicFiles.WriteError {
        throw fail("error: \(error)")
    } catch let error as NpyArray.ReadError {
        throw fail("error: \(error)")
    } catch let error as InputFile.InputError {
        throw fail("error: \(error)")
    } catch let error as Explainer.ExplainError {
        throw fail("error: \(error)")
    } catch let error as TCCModule.CompileError {
        throw fail("error: the emitted C did not compile with libtcc (please report this): \(error)")
    }
}

/// Progress of a long command on a terminal: nothing for the first second, then one line on
/// standard error, rewritten in place at most ten times a second and cleared at the end. Silent
/// when standard error is not a terminal (logs and tests see only the results).
/// `QGEN_PROGRESS_DELAY` (seconds) replaces the one second, for tests.
final class Progress {
    private let label: String
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastPrint: UInt64 = 0
    private var width = 0
    private let enabled = isatty(2) != 0
    private let delay = UInt64((Double(ProcessInfo.processInfo.environment["QGEN_PROGRESS_DELAY"] ?? "") ?? 1) * 1e9)

    init(_ label: String) { self.label = label }

    private var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    /// `verify: 120/200 inputs, 1.4 s`
    func update(_ done: Int, of total: Int, _ unit: String) { update("\(done)/\(total) \(unit)") }

    func update(_ status: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start >= delay, now - lastPrint >= 100_000_000 else { return }
        lastPrint = now
        let line = "\(label): \(status), \(String(format: "%.1f", elapsed)) s"
        FileHandle.standardError.write(Data(("\r" + line + String(repeating: " ", count: max(0, width - line.count))).utf8))
        width = line.count
    }

    func finish() {
        guard width > 0 else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: width) + "\r").utf8))
        width = 0
    }
}
