import ArgumentParser
import Foundation
import QGenCompiler
import QGenReference
import QGenVerify

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs the emitted C (compiled in-process with libtcc) on one input and writes its whole output.",
        discussion: """
            The input is a .npy of the model input: integer codes, or float values quantized with the boundary rule \
            of the scheme's stack (PyTorch, ONNX or TFLite; see --float-io). The output is written as a .npy of the \
            output's integer codes in the output's shape, and printed when it has at most 64 elements. With \
            --reference the Swift integer reference runs on the same input too; qgen exits 1 when they differ.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "A .npy file with the model input (integer codes, or floats to quantize).")
    var input: String

    @Option(parsing: .unconditional, help: "With --input holding several inputs one after another (a calibration or compare batch): the one to run, from 0.")
    var inference: Int?

    @Option(name: .shortAndLong, help: "Where to write the output codes as .npy (default: only print them).")
    var output: String?

    @Flag(help: "Also run the Swift integer reference on the input and compare.")
    var reference = false

    static let printLimit = 64

    /// `[a, b, …]` for up to `printLimit` values, else the count and the first ones.
    static func listing(_ values: [Int32]) -> String {
        let shown = values.prefix(printLimit).map(String.init).joined(separator: ", ")
        return values.count <= printLimit ? "[\(shown)]" : "\(values.count) values (first \(printLimit): \(shown), …)"
    }

    func validate() throws {
        if let inference, inference < 0 { throw ValidationError("--inference counts from 0, got \(inference)") }
    }

    func run() throws {
        try reportingErrors {
            let destination = output.map { URL(fileURLWithPath: $0) }
            if let destination { try AtomicFiles.checkWritable(destination) }
            let result = try options.compile()
            let model = result.lowered
            let read = try InputFile.read(input, for: result, inference: inference)
            guard model.outputs.count == 1 else {
                throw CLIError("model '\(model.name)' has \(model.outputs.count) outputs (\(model.outputs.map { "'\(model.tensors[$0].name)'" }.joined(separator: ", "))); qgen run takes models with one output: use qgen verify, or qgen explain --layer for one element of each")
            }
            print("input '\(model.input.name)' \(model.input.dtype)\(model.input.shape): \(read.note)")
            let compiled = try Verifier.compile(result.output, model: model)
            guard let codes = compiled.run(read.codes) else {
                throw CLIError("the emitted C returned an error status for this input")
            }
            let shapeText = "\(model.output.dtype)\(model.output.shape)"
            print("output '\(model.output.name)' \(shapeText): \(Self.listing(codes))")
            var agree = true
            if reference {
                let expected = IntegerReference.run(model, input: read.codes)
                let differing = zip(codes, expected).enumerated().filter { $0.element.0 != $0.element.1 }
                agree = differing.isEmpty
                if agree {
                    print("Swift reference: the same \(expected.count) values")
                } else {
                    let first = differing[0]
                    print("Swift reference: DIFFERS in \(differing.count) of \(expected.count) values; first at flat index \(first.offset): C \(first.element.0), reference \(first.element.1). Please report this.")
                    print("reference output: \(Self.listing(expected))")
                }
            }
            if let destination {
                let bytes = NpyArray.encode(shape: model.output.shape, codes: codes, dtype: model.output.dtype)
                try AtomicFiles.write([(destination, bytes)])
                print("wrote \(output!)")
            }
            if !agree { throw ExitCode(1) }
        }
    }
}
