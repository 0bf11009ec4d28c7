import ArgumentParser
import Foundation
import QGenCompiler

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes an int8 .tflite or quantized .onnx file as a model.swift and its .npy weights, which emit byte-identical C.",
        discussion: """
            The model.swift names each layer after its operator (or ONNX node) and index and cites the file and \
            index as each layer's location, so `qgen emit model.swift` and `qgen emit model.tflite` (or model.onnx) \
            write the same C; an ONNX model's scheme is onnxRuntime. \
            Weights go to <layer>_w.npy (int8) and biases to <layer>_b.npy (int32) beside the model.swift. Nothing \
            is written unless the model compiles; existing files are replaced atomically.
            """)

    @Argument(help: "The .tflite or .onnx file.")
    var model: String

    @Option(name: .shortAndLong, help: "The model.swift to write (the .npy files go beside it).")
    var output: String

    func validate() throws {
        guard model.hasSuffix(".tflite") || model.hasSuffix(".onnx") else { throw ValidationError("import reads a .tflite or .onnx file, got '\(model)'") }
        guard output.hasSuffix(".swift") else { throw ValidationError("--output must name a .swift file, got '\(output)'") }
    }

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: output)
            try AtomicFiles.checkWritable(url)
            guard let (spec, warnings) = try ImportedModel.read(path: model) else { return }
            for w in warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
            // The model must compile before anything is written.
            _ = try Pipeline.compile(spec, options: CompileOptions())
            let header = "// Imported by qgen from \(URL(fileURLWithPath: model).lastPathComponent); `qgen emit` gives the same C as the \(URL(fileURLWithPath: model).pathExtension == "onnx" ? ".onnx" : ".tflite").\n"
                + warnings.map { "// warning: \($0)\n" }.joined()
            let written = try SwiftModelWriter.write(spec, header: header)
            let directory = url.deletingLastPathComponent()
            try AtomicFiles.write(written.npyFiles.map { (directory.appendingPathComponent($0.0), $0.1) })
            try AtomicFiles.write([(url, written.source)])
            print("wrote \(output) and \(written.npyFiles.count) .npy files (\(spec.layers.count - 1) layers)")
        }
    }
}
