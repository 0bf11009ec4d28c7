import ArgumentParser
import Foundation
import QGenCompiler

struct Emit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Writes the model as C99: <out>.c and the header <out>.h beside it.",
        discussion: "Nothing is written unless the whole model compiles and both files can be written; existing files are replaced atomically.")

    @OptionGroup var options: ModelOptions

    @Option(name: .shortAndLong, help: "The C file to write (the header gets the same name with .h).")
    var output: String

    @Option(help: ArgumentHelp("Print a compiler stage's model as JSON instead of writing C.", valueName: "resolved|lowered"))
    var dumpStage: String?

    @Flag(help: "Print each layer's MACs, constant bytes and output buffer, the RAM (arena, input, output) and the flash (constants, and the code measured with arm-none-eabi-gcc for --core).")
    var report = false

    @Option(help: ArgumentHelp("The Cortex-M core whose code size --report measures (arm-none-eabi-gcc -mcpu), or 'none'.", valueName: "core"))
    var core = "cortex-m4"

    func validate() throws {
        guard output.hasSuffix(".c") else { throw ValidationError("--output must name a .c file, got '\(output)'") }
        if let dumpStage, !["resolved", "lowered"].contains(dumpStage) {
            throw ValidationError("--dump-stage takes 'resolved' or 'lowered', got '\(dumpStage)'")
        }
        if core != "none" && !ModelReport.cores.contains(core) {
            throw ValidationError("--core takes one of \(ModelReport.cores.joined(separator: ", ")) or none, got '\(core)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let url = URL(fileURLWithPath: output)
            let header = url.deletingPathExtension().appendingPathExtension("h")
            if dumpStage == nil {
                // Fail before the (slow) compile when either file cannot be written.
                try AtomicFiles.checkWritable(url)
                try AtomicFiles.checkWritable(header)
            }
            let result = try options.compile(fileStem: url.deletingPathExtension().lastPathComponent)
            if let stage = dumpStage {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
                let data = stage == "resolved" ? try encoder.encode(result.resolved) : try encoder.encode(result.lowered)
                FileHandle.standardOutput.write(data + Data("\n".utf8))
                return
            }
            try AtomicFiles.write([(url, result.output.source), (header, result.output.header)])
            let headerPath = String(output.dropLast(2)) + ".h"
            let model = result.lowered
            print("wrote \(output) and \(headerPath) (\(model.nodes.count) layers, scheme \(model.scheme))")
            print("memory: arena \(model.arenaSize) bytes (lower bound without in-place execution \(model.arenaLowerBound): the most bytes live at one layer), constants \(result.constantBytes) bytes")
            if report {
                var code: ModelReport.CodeSize?, note: String?
                if core == "none" {
                    note = "--core none"
                } else {
                    switch ModelReport.measureCode(source: url, core: core) {
                    case .success(let size): code = size
                    case .failure(let error): note = error.description
                    }
                }
                print(ModelReport(result).text(code: code, codeNote: note))
            }
        }
    }
}
